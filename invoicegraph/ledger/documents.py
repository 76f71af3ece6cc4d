"""The invoice as a document: its kind, texts, due date, billing period and links, as given
at creation, and the rules over them (Blocklet payment-kit's invoice fields).

`overdue` is derived, never stored: an OPEN invoice whose due date has passed.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.history import Period

TEXT_MAX = 1000
SUBSCRIPTION_ID_MAX = 128


class InvoiceKind(Enum):
    """What an invoice is for; lists leave stakes and stake returns out unless asked."""

    STANDARD = "STANDARD"
    STAKE = "STAKE"
    """A deposit the customer pays in."""
    STAKE_OVERDRAFT_PROTECTION = "STAKE_OVERDRAFT_PROTECTION"
    """A stake that covers overdrafts."""
    STAKE_RETURN = "STAKE_RETURN"
    """A payout that gives back (part of) a stake."""


@dataclass(frozen=True, slots=True)
class InvoiceLink:
    """Another invoice named by exactly one of our id or the caller's invoiceId."""

    id: str | None = None
    invoice_id: str | None = None


CREATABLE_KINDS = frozenset(InvoiceKind) - {InvoiceKind.STAKE_RETURN}


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """The document fields of createInvoice; every one is optional."""

    kind: InvoiceKind = InvoiceKind.STANDARD
    description: str | None = None
    footer: str | None = None
    due_date: datetime | None = None
    period: Period | None = None
    subscription_id: str | None = None
    recovered_from: InvoiceLink | None = None

    def canonical(self) -> dict[str, Any]:
        """The given fields for the idempotency fingerprint (none given: {}, so invoices
        created before these fields existed keep their fingerprints)."""
        values: dict[str, Any] = {
            "kind": None if self.kind is InvoiceKind.STANDARD else self.kind.value,
            "description": self.description,
            "footer": self.footer,
            "dueDate": None if self.due_date is None else self.due_date.isoformat(),
            "period": period_canonical(self.period),
            "subscriptionId": self.subscription_id,
            "recoveredFrom": None
            if self.recovered_from is None
            else [self.recovered_from.id, self.recovered_from.invoice_id],
        }
        return {key: value for key, value in values.items() if value is not None}


def period_canonical(period: Period | None) -> list[str] | None:
    return None if period is None else [period.start.isoformat(), period.end.isoformat()]


def period_problems(period: Period | None, path: Path) -> list[FieldProblem]:
    if period is None or period.start <= period.end:
        return []
    return [FieldProblem((*path, "end"), "must not be before start")]


def _text_problems(text: str | None, path: Path, maximum: int) -> list[FieldProblem]:
    if text is None or 1 <= len(text) <= maximum:
        return []
    return [FieldProblem(path, f"must be 1-{maximum} characters")]


def document_problems(document: InvoiceDocument) -> list[FieldProblem]:
    problems = [
        *_text_problems(document.description, ("description",), TEXT_MAX),
        *_text_problems(document.footer, ("footer",), TEXT_MAX),
        *_text_problems(document.subscription_id, ("subscriptionId",), SUBSCRIPTION_ID_MAX),
        *period_problems(document.period, ("period",)),
    ]
    if document.kind not in CREATABLE_KINDS:
        problems.append(FieldProblem(("kind",), "stake returns are made by returnStake"))
    ref = document.recovered_from
    if ref is not None and ref.invoice_id is not None:
        problems += _text_problems(ref.invoice_id, ("recoveredFrom", "invoiceId"), 128)
    return problems


def is_overdue(status: str, due_date: datetime | None, now: datetime) -> bool:
    """OPEN and past its due date (a PAID, VOID, DRAFT or UNCOLLECTIBLE invoice is not)."""
    return status == InvoiceStatus.OPEN.value and due_date is not None and due_date < now
