"""recordTransaction and updateAllocations: money attached to invoices, all or nothing."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.events import EventType, InvoiceEvent, invoice_event
from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.errors import (
    BadRequest,
    FieldProblem,
    IkConflict,
    NotFound,
    Path,
    VersionConflict,
)
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.ledger.payments import (
    AllocationDraft,
    ChangeAllocation,
    MoneyKey,
    RecordTransaction,
    RemoveAllocation,
    UpdateAllocations,
    direction_problem,
    sum_problem,
    validate_allocation_update,
    validate_record,
)
from invoicegraph.ledger.status import ensure_allocatable
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.settlement import check_and_settle
from invoicegraph.store.tables import InvoiceRow, PaymentRow, TransactionRow
from invoicegraph.store.transactions import (
    NewPayment,
    advance_transaction,
    delete_payments,
    get_transaction,
    insert_payments,
    insert_transaction,
    lock_invoices,
    payments_of,
    set_payment_amount,
    set_unallocated,
)
from invoicegraph.store.users import resolve_users


@dataclass(frozen=True, slots=True)
class RecordedTransaction:
    row: TransactionRow
    is_replay: bool


def _replay_or_conflict(existing: TransactionRow, fingerprint: str) -> RecordedTransaction:
    if existing.request_hash != fingerprint:
        raise IkConflict(key_name="externalId", key=existing.external_id)
    return RecordedTransaction(row=existing, is_replay=True)


async def _lock_invoices(
    session: AsyncSession,
    *,
    workspace_id: int,
    drafts: Sequence[tuple[Path, AllocationDraft]],
    row_ids: Iterable[int] = (),
) -> tuple[dict[Path, InvoiceRow], list[InvoiceRow]]:
    """Lock every invoice the change touches, at once and in id order.

    Returns the invoice of each new allocation by its path, and all the locked invoices.
    Unknown invoices are NotFound; DRAFT and VOID ones are InvalidState.
    """
    locked = await lock_invoices(
        session,
        workspace_id=workspace_id,
        refs=[draft.invoice for _, draft in drafts],
        row_ids=row_ids,
    )
    by_path: dict[Path, InvoiceRow] = {}
    for path, draft in drafts:
        invoice = locked.get(draft.invoice)
        if invoice is None:
            name = draft.invoice.id or draft.invoice.invoice_id
            raise NotFound(f"No invoice is named {name!r}.")
        by_path[path] = invoice
    invoices = sorted({_row_id(row): row for row in locked.values()}.values(), key=_row_id)
    for invoice in invoices:
        ensure_allocatable(InvoiceStatus(invoice.status))
    return by_path, invoices


async def _users_for(
    session: AsyncSession, *, workspace_id: int, drafts: Sequence[tuple[Path, AllocationDraft]]
) -> Mapping[UserRef, int]:
    user_ids, problems = await resolve_users(
        session,
        workspace_id=workspace_id,
        refs=[((*path, "user"), draft.user) for path, draft in drafts],
    )
    if problems:
        raise BadRequest(problems)
    return user_ids


def _money_key(
    transaction: TransactionRow, invoice_id: int, user_id: int, flow: FlowType
) -> MoneyKey:
    return (invoice_id, user_id, transaction.currency, flow)


async def record_transaction(context: Context, command: RecordTransaction) -> RecordedTransaction:
    """Write the transaction and all its allocations, or nothing; idempotent on externalId."""
    record = validate_record(command)
    fingerprint = record.fingerprint()
    workspace_id = context.workspace_id
    drafts = [(("allocations", str(i)), draft) for i, draft in enumerate(record.allocations)]
    try:
        async with context.db.write() as session:
            existing = await get_transaction(
                session, workspace_id=workspace_id, external_id=record.external_id
            )
            if existing is not None:
                return _replay_or_conflict(existing, fingerprint)
            by_path, invoices = await _lock_invoices(
                session, workspace_id=workspace_id, drafts=drafts
            )
            user_ids = await _users_for(session, workspace_id=workspace_id, drafts=drafts)
            written_at = now()
            transaction = await insert_transaction(
                session,
                workspace_id=workspace_id,
                external_id=record.external_id,
                amount=record.amount,
                currency=record.currency,
                posted=record.posted,
                tags=record.tags,
                fingerprint=fingerprint,
                now=written_at,
            )
            payments = [
                NewPayment(
                    invoice_id=_row_id(by_path[path]),
                    user_id=user_ids[draft.user],
                    type=draft.type,
                    amount=draft.amount,
                )
                for path, draft in drafts
            ]
            await insert_payments(session, transaction=transaction, payments=payments)
            await set_unallocated(
                session,
                transaction=transaction,
                unallocated=abs(record.amount) - sum(p.amount for p in payments),
            )
            touched = {
                _money_key(transaction, p.invoice_id, p.user_id, p.type): (*path, "amount")
                for (path, _), p in zip(drafts, payments, strict=True)
            }
            flipped = await check_and_settle(
                session, invoices=invoices, touched=touched, now=written_at
            )
        await context.events.publish(payment_events(invoices, flipped))
        return RecordedTransaction(row=transaction, is_replay=False)
    except IntegrityError:
        async with context.db.read() as session:
            existing = await get_transaction(
                session, workspace_id=workspace_id, external_id=record.external_id
            )
        if existing is None:
            raise
        return _replay_or_conflict(existing, fingerprint)
    finally:
        await context.after_write()


def payment_events(
    invoices: Sequence[InvoiceRow], flipped: Sequence[InvoiceRow]
) -> list[InvoiceEvent]:
    """PAYMENT_RECORDED for every invoice whose payments changed, and STATUS_CHANGED too for
    those the payments settled (or unsettled)."""
    events = [invoice_event(EventType.PAYMENT_RECORDED, invoice) for invoice in invoices]
    return events + [invoice_event(EventType.STATUS_CHANGED, invoice) for invoice in flipped]


def _row_id(row: InvoiceRow | PaymentRow) -> int:
    assert row.id is not None
    return row.id


async def update_allocations(context: Context, command: UpdateAllocations) -> TransactionRow:
    """Add, change and delete a transaction's allocations under its expected version, or nothing."""
    update = validate_allocation_update(command)
    workspace_id = context.workspace_id
    try:
        async with context.db.write() as session:
            transaction = await get_transaction(
                session,
                workspace_id=workspace_id,
                public_id=update.transaction.id,
                external_id=update.transaction.external_id,
                for_update=True,
            )
            if transaction is None or transaction.id is None:
                name = update.transaction.id or update.transaction.external_id
                raise NotFound(f"No transaction is named {name!r}.")
            if transaction.version != update.expected_version:
                raise VersionConflict(expected=update.expected_version, current=transaction.version)
            plan = _plan(
                transaction, await payments_of(session, transaction_id=transaction.id), update
            )
            if not plan.changes_anything:
                return transaction
            by_path, invoices = await _lock_invoices(
                session,
                workspace_id=workspace_id,
                drafts=plan.adds,
                row_ids={payment.invoice_id for payment in plan.affected},
            )
            user_ids = await _users_for(session, workspace_id=workspace_id, drafts=plan.adds)
            for payment_id, amount in plan.amounts.items():
                await set_payment_amount(
                    session, payment_id=_row_id(plan.payments[payment_id]), amount=amount
                )
            await delete_payments(
                session, payment_ids=[_row_id(plan.payments[pid]) for pid in plan.removed]
            )
            added = [
                NewPayment(
                    invoice_id=_row_id(by_path[path]),
                    user_id=user_ids[draft.user],
                    type=draft.type,
                    amount=draft.amount,
                )
                for path, draft in plan.adds
            ]
            await insert_payments(session, transaction=transaction, payments=added)
            await advance_transaction(
                session,
                transaction=transaction,
                expected_version=update.expected_version,
                unallocated=abs(transaction.amount) - plan.total,
            )
            touched = {
                _money_key(transaction, p.invoice_id, p.user_id, p.type): (*path, "amount")
                for (path, _), p in zip(plan.adds, added, strict=True)
            } | {
                _money_key(transaction, p.invoice_id, p.user_id, FlowType(p.type)): path
                for p, path in ((plan.payments[pid], path) for pid, path in plan.blame.items())
            }
            flipped = await check_and_settle(session, invoices=invoices, touched=touched, now=now())
        await context.events.publish(payment_events(invoices, flipped))
        return transaction
    finally:
        await context.after_write()


@dataclass
class AllocationPlan:
    """What an updateAllocations does to the transaction's current payments (by payment id)."""

    payments: dict[str, PaymentRow]
    adds: list[tuple[Path, AllocationDraft]]
    amounts: dict[str, int]
    removed: list[str]
    blame: dict[str, Path]
    total: int

    @property
    def affected(self) -> list[PaymentRow]:
        return [self.payments[payment_id] for payment_id in [*self.amounts, *self.removed]]

    @property
    def changes_anything(self) -> bool:
        return bool(self.adds or self.amounts or self.removed)


def _plan(
    transaction: TransactionRow, payments: list[PaymentRow], update: UpdateAllocations
) -> AllocationPlan:
    """Apply the operations in order to the current payments; check direction and the sum."""
    amounts = {payment.public_id: payment.amount for payment in payments}
    plan = AllocationPlan(
        payments={payment.public_id: payment for payment in payments},
        adds=[],
        amounts={},
        removed=[],
        blame={},
        total=0,
    )
    problems: list[FieldProblem] = []
    for index, operation in enumerate(update.operations):
        path: Path = ("allocations", str(index))
        match operation:
            case AllocationDraft():
                plan.adds.append(((*path, "add"), operation))
                where = (*path, "add", "type")
                if problem := direction_problem(transaction.amount, operation.type, where):
                    problems.append(problem)
            case ChangeAllocation(payment_id=payment_id) | RemoveAllocation(payment_id=payment_id):
                if payment_id not in amounts:
                    raise NotFound(f"The transaction has no allocation {payment_id!r}.")
                if isinstance(operation, RemoveAllocation):
                    del amounts[payment_id]
                    plan.amounts.pop(payment_id, None)
                    plan.removed.append(payment_id)
                else:
                    amounts[payment_id] = operation.amount
                    plan.amounts[payment_id] = operation.amount
                    plan.blame[payment_id] = (*path, "update", "amount")
    plan.total = sum(amounts.values()) + sum(draft.amount for _, draft in plan.adds)
    if (problem := sum_problem(transaction.amount, [plan.total], ("allocations",))) is not None:
        problems.append(problem)
    if problems:
        raise BadRequest(problems)
    return plan
