"""Transactions and their allocations: the rules of recordTransaction and updateAllocations."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.invoices import KEY_MAX, UserRef, text_problems, user_ref_problems
from invoicegraph.ledger.tag_operations import (
    NO_TAG_OPERATIONS,
    TagOperations,
    tag_operation_problems,
)
from invoicegraph.ledger.tags import Tag, tag_problems

MAX_ALLOCATIONS = 500


@dataclass(frozen=True, slots=True)
class InvoiceRef:
    """An invoice named by exactly one of our id or the caller's invoiceId."""

    id: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class AllocationDraft:
    invoice: InvoiceRef
    type: FlowType
    user: UserRef
    amount: int


@dataclass(frozen=True, slots=True)
class RecordTransaction:
    external_id: str
    amount: int
    """Signed: positive is money received, negative is money sent."""
    currency: str
    posted: datetime
    tags: tuple[Tag, ...] = ()
    allocations: tuple[AllocationDraft, ...] = ()
    account: "TransactionRef | None" = None
    """The external account it was posted on, by id or externalId; optional."""

    def fingerprint(self) -> str:
        """A digest of the request, to tell an idempotent replay from a conflicting reuse."""
        canonical: dict[str, object] = {
            "externalId": self.external_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "posted": self.posted.isoformat(),
            "tags": [[tag.key, tag.value] for tag in self.tags],
            "allocations": [
                [
                    allocation.invoice.id,
                    allocation.invoice.invoice_id,
                    allocation.type.value,
                    allocation.user.id,
                    allocation.user.external_id,
                    str(allocation.amount),
                ]
                for allocation in self.allocations
            ],
        }
        if self.account is not None:  # absent from the digest unless given: old keys replay
            canonical["account"] = [self.account.id, self.account.external_id]
        encoded = json.dumps(canonical, separators=(",", ":"), sort_keys=True)
        return hashlib.sha256(encoded.encode()).hexdigest()


def direction_problem(transaction_amount: int, flow: FlowType, path: Path) -> FieldProblem | None:
    """PAYIN allocations come only from money received, PAYOUT only from money sent."""
    if flow is FlowType.PAYIN and transaction_amount <= 0:
        return FieldProblem(path, "a PAYIN allocation needs money received (a positive amount)")
    if flow is FlowType.PAYOUT and transaction_amount >= 0:
        return FieldProblem(path, "a PAYOUT allocation needs money sent (a negative amount)")
    return None


def allocation_problems(
    transaction_amount: int, allocation: AllocationDraft, path: Path
) -> list[FieldProblem]:
    problems = user_ref_problems(allocation.user, (*path, "user"))
    if allocation.amount <= 0:
        problems.append(FieldProblem((*path, "amount"), "must be positive"))
    if (
        problem := direction_problem(transaction_amount, allocation.type, (*path, "type"))
    ) is not None:
        problems.append(problem)
    return problems


def sum_problem(transaction_amount: int, amounts: Iterable[int], path: Path) -> FieldProblem | None:
    total = sum(amounts)
    if total > abs(transaction_amount):
        return FieldProblem(
            path,
            f"allocations sum to {total}, more than the transaction's {abs(transaction_amount)}",
        )
    return None


def validate_record(command: RecordTransaction) -> RecordTransaction:
    """Check everything that needs no stored data; raise BadRequest listing every problem."""
    problems = text_problems(command.external_id, ("externalId",), maximum=KEY_MAX)
    problems += tag_problems(command.tags, ("tags",))
    if command.posted.tzinfo is None:
        problems.append(FieldProblem(("posted",), "needs a timezone"))
    if len(command.allocations) > MAX_ALLOCATIONS:
        problems.append(
            FieldProblem(("allocations",), f"at most {MAX_ALLOCATIONS} allocations at once")
        )
    for index, allocation in enumerate(command.allocations):
        problems += allocation_problems(command.amount, allocation, ("allocations", str(index)))
    if (
        problem := sum_problem(
            command.amount, (a.amount for a in command.allocations), ("allocations",)
        )
    ) is not None:
        problems.append(problem)
    if problems:
        raise BadRequest(problems)
    return command


@dataclass(frozen=True, slots=True)
class TransactionRef:
    """A transaction named by exactly one of our id or the caller's externalId."""

    id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeAllocation:
    payment_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class RemoveAllocation:
    payment_id: str


AllocationOperation = AllocationDraft | ChangeAllocation | RemoveAllocation


@dataclass(frozen=True, slots=True)
class UpdateAllocations:
    transaction: TransactionRef
    expected_version: int
    operations: tuple[AllocationOperation, ...]
    tags: TagOperations = NO_TAG_OPERATIONS


def validate_allocation_update(command: UpdateAllocations) -> UpdateAllocations:
    """Check what needs no stored data; the direction of new allocations is checked later."""
    problems: list[FieldProblem] = []
    if len(command.operations) > MAX_ALLOCATIONS:
        problems.append(
            FieldProblem(("allocations",), f"at most {MAX_ALLOCATIONS} operations at once")
        )
    for index, operation in enumerate(command.operations):
        path: Path = ("allocations", str(index))
        match operation:
            case AllocationDraft():
                problems += user_ref_problems(operation.user, (*path, "add", "user"))
                if operation.amount <= 0:
                    problems.append(FieldProblem((*path, "add", "amount"), "must be positive"))
            case ChangeAllocation():
                if operation.amount <= 0:
                    problems.append(FieldProblem((*path, "update", "amount"), "must be positive"))
    problems += tag_operation_problems(command.tags, ("tags",))
    if problems:
        raise BadRequest(problems)
    return command
