"""recordTransaction and updateAllocations: money attached to invoices, all or nothing."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, FlowType, InvoiceStatus
from invoicegraph.ledger.errors import (
    BadRequest,
    DomainError,
    FieldProblem,
    NotFound,
    Path,
    VersionConflict,
)
from invoicegraph.ledger.payments import (
    AllocationDraft,
    ChangeAllocation,
    RecordTransaction,
    RemoveAllocation,
    TransactionRef,
    UpdateAllocations,
    direction_problem,
    sum_problem,
    validate_allocation_update,
    validate_record,
)
from invoicegraph.ledger.settlement import MoneyKey
from invoicegraph.ledger.status import ensure_allocatable
from invoicegraph.ledger.tag_operations import apply_tag_operations
from invoicegraph.ledger.tags import Tag
from invoicegraph.ledger.transaction_history import TransactionState, transaction_changes
from invoicegraph.resolvers.batches import validated, write_batch
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.objects import account_row
from invoicegraph.resolvers.settlement import settle_allocations
from invoicegraph.resolvers.unit_of_work import (
    IdempotencyKey,
    UnitOfWork,
    Written,
    unit_of_work,
    write_once,
)
from invoicegraph.resolvers.users import user_ids_for
from invoicegraph.resolvers.views import PaymentView, TagView, TransactionView
from invoicegraph.store.records import TransactionRecord, record_of
from invoicegraph.store.tables import InvoiceRow, PaymentRow, TransactionRow
from invoicegraph.store.transaction_versions import (
    allocation_of,
    insert_transaction_version,
    replace_transaction_tags,
    tags_of_transaction,
)
from invoicegraph.store.transactions import (
    NewPayment,
    advance_transaction,
    delete_payments,
    get_transaction,
    get_transactions_by_key,
    insert_payments,
    insert_transaction,
    lock_invoices,
    payments_of,
    set_payment_amount,
)


async def _lock_invoices(
    work: UnitOfWork,
    *,
    drafts: Sequence[tuple[Path, AllocationDraft]],
    row_ids: Iterable[int] = (),
) -> tuple[dict[Path, InvoiceRow], list[InvoiceRow]]:
    """Lock every invoice the change touches, at once and in id order.

    Returns the invoice of each new allocation by its path, and all the locked invoices.
    Unknown invoices are NotFound; DRAFT and VOID ones are InvalidState.
    """
    locked = await lock_invoices(
        work.session,
        workspace_id=work.workspace_id,
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


async def _new_payments(
    work: UnitOfWork,
    drafts: Sequence[tuple[Path, AllocationDraft]],
    by_path: Mapping[Path, InvoiceRow],
) -> list[NewPayment]:
    user_ids = await user_ids_for(work, [((*path, "user"), draft.user) for path, draft in drafts])
    return [
        NewPayment(
            invoice_id=_row_id(by_path[path]),
            user_id=user_ids[draft.user],
            type=draft.type,
            amount=draft.amount,
        )
        for path, draft in drafts
    ]


def _touched_key(
    currency: str, invoice_id: int, user_id: int, flow: FlowType
) -> tuple[int, MoneyKey]:
    return (invoice_id, (user_id, currency, flow))


def _validated(command: RecordTransaction) -> tuple[RecordTransaction, IdempotencyKey]:
    record = validate_record(command)
    return record, IdempotencyKey("externalId", record.external_id, record.fingerprint())


async def _account_id(work: UnitOfWork, record: RecordTransaction) -> int | None:
    """The row id of the account the transaction names; BadRequest when it names none of
    this workspace's (before anything is written)."""
    if record.account is None:
        return None
    row = await account_row(work.session, work.workspace_id, record.account)
    if row is None or row.id is None:
        raise BadRequest(
            [FieldProblem(("account",), "names no external account of this workspace")]
        )
    return row.id


async def _write_new(
    work: UnitOfWork, record: RecordTransaction, key: IdempotencyKey
) -> TransactionRow | None:
    """Write a new transaction with its allocations, settling the invoices they pay; None
    when its externalId is taken (a replay is answered before any invoice is looked at)."""
    written_at = now()
    account_id = await _account_id(work, record)
    transaction = await insert_transaction(
        work.session,
        workspace_id=work.workspace_id,
        external_id=record.external_id,
        amount=record.amount,
        currency=record.currency,
        posted=record.posted,
        tags=record.tags,
        fingerprint=key.fingerprint,
        now=written_at,
        # known from the input: every allocation becomes a payment of its amount, or nothing
        unallocated=abs(record.amount) - sum(draft.amount for draft in record.allocations),
        account_id=account_id,
    )
    if transaction is None:
        return None
    drafts = [(("allocations", str(i)), draft) for i, draft in enumerate(record.allocations)]
    by_path, invoices = await _lock_invoices(work, drafts=drafts)
    payments = await _new_payments(work, drafts, by_path)
    rows = await insert_payments(work.session, transaction=transaction, payments=payments)
    # the transaction's row was written with its unallocated amount (insert_transaction)
    unallocated = abs(record.amount) - sum(p.amount for p in payments)
    first = TransactionState(
        tags=record.tags,
        allocations=tuple(allocation_of(row) for row in rows),
        unallocated=unallocated,
    )
    await insert_transaction_version(
        work.session,
        transaction=transaction,
        state=first,
        changes=[],
        version=1,
        modified=written_at,
    )
    touched = {
        _touched_key(record.currency, p.invoice_id, p.user_id, p.type): (*path, "amount")
        for (path, _), p in zip(drafts, payments, strict=True)
    }
    flipped = await settle_allocations(work, invoices=invoices, touched=touched, now=written_at)
    _emit_payment_events(work, transaction, invoices, flipped)
    return transaction


async def record_transaction(
    context: Context, command: RecordTransaction
) -> Written[TransactionView]:
    """Write the transaction and all its allocations, or nothing; idempotent on externalId."""
    record, key = _validated(command)

    async def find(session: AsyncSession) -> TransactionRow | None:
        return await get_transaction(
            session, workspace_id=context.workspace_id, external_id=record.external_id
        )

    written = await write_once(
        context, key, find=find, write=lambda work: _write_new(work, record, key)
    )
    return _answer(written)


async def record_transactions(
    context: Context, commands: Sequence[RecordTransaction], *, atomic: bool
) -> list[Written[TransactionView] | DomainError]:
    """recordTransactions: up to 500 transactions in one transaction, each answered alone."""
    items = validated(commands, _validated, "transactions")

    async def find(session: AsyncSession, keys: list[str]) -> dict[str, TransactionRow]:
        return await get_transactions_by_key(session, workspace_id=context.workspace_id, keys=keys)

    results = await write_batch(
        context, items, field="transactions", atomic=atomic, find=find, write=_write_new
    )
    return [result if isinstance(result, DomainError) else _answer(result) for result in results]


def _answer(written: Written[TransactionRow]) -> Written[TransactionView]:
    return Written(record_of(TransactionRecord, written.value), is_replay=written.is_replay)


def _emit_payment_events(
    work: UnitOfWork,
    transaction: TransactionRow,
    invoices: Sequence[InvoiceRow],
    flipped: Sequence[InvoiceRow],
) -> None:
    """PAYMENT_RECORDED for every invoice whose payments changed (naming the transaction at
    its new version), and STATUS_CHANGED too for those the payments settled (or unsettled)."""
    for invoice in invoices:
        work.emit(EventType.PAYMENT_RECORDED, invoice, transaction=transaction)
    for invoice in flipped:
        work.emit(EventType.STATUS_CHANGED, invoice)


def _row_id(row: InvoiceRow | PaymentRow) -> int:
    assert row.id is not None
    return row.id


async def update_allocations(context: Context, command: UpdateAllocations) -> TransactionView:
    """Add, change and delete a transaction's allocations and change its tags under its
    expected version, as one new version, or nothing."""
    update = validate_allocation_update(command)
    async with unit_of_work(context) as work:
        transaction = await get_transaction(
            work.session,
            workspace_id=work.workspace_id,
            public_id=update.transaction.id,
            external_id=update.transaction.external_id,
            for_update=True,
        )
        if transaction is None or transaction.id is None:
            name = update.transaction.id or update.transaction.external_id
            raise NotFound(f"No transaction is named {name!r}.")
        if transaction.version != update.expected_version:
            raise VersionConflict(expected=update.expected_version, current=transaction.version)
        payments = await payments_of(work.session, transaction_id=transaction.id)
        old_tags = await tags_of_transaction(work.session, transaction_id=transaction.id)
        new_tags = apply_tag_operations(
            old_tags, update.tags, path=("tags",), holder="a transaction"
        )
        before = TransactionState(
            tags=old_tags,
            allocations=tuple(allocation_of(p) for p in payments),
            unallocated=transaction.unallocated,
        )
        plan = _plan(transaction, payments, update)
        if plan.changes_anything:
            await _apply_plan(work, transaction, plan, expected_version=update.expected_version)
        elif new_tags != old_tags:
            await advance_transaction(
                work.session,
                transaction=transaction,
                expected_version=update.expected_version,
                unallocated=transaction.unallocated,
            )
        if plan.changes_anything or new_tags != old_tags:
            if new_tags != old_tags:
                await replace_transaction_tags(work.session, transaction=transaction, tags=new_tags)
            await _record_version(work, transaction, before, new_tags)
    return record_of(TransactionRecord, transaction)


async def _record_version(
    work: UnitOfWork, transaction: TransactionRow, before: TransactionState, tags: tuple[Tag, ...]
) -> None:
    """The transaction's new version as it now stands, with what changed since `before`."""
    assert transaction.id is not None
    payments = await payments_of(work.session, transaction_id=transaction.id)
    after = TransactionState(
        tags=tags,
        allocations=tuple(allocation_of(p) for p in payments),
        unallocated=transaction.unallocated,
    )
    await insert_transaction_version(
        work.session,
        transaction=transaction,
        state=after,
        changes=transaction_changes(before, after),
        version=transaction.version,
        modified=now(),
    )


async def _apply_plan(
    work: UnitOfWork, transaction: TransactionRow, plan: "AllocationPlan", *, expected_version: int
) -> None:
    by_path, invoices = await _lock_invoices(
        work, drafts=plan.adds, row_ids={payment.invoice_id for payment in plan.affected}
    )
    added = await _new_payments(work, plan.adds, by_path)
    for payment_id, amount in plan.amounts.items():
        await set_payment_amount(
            work.session, payment_id=_row_id(plan.payments[payment_id]), amount=amount
        )
    await delete_payments(
        work.session, payment_ids=[_row_id(plan.payments[pid]) for pid in plan.removed]
    )
    await insert_payments(work.session, transaction=transaction, payments=added)
    await advance_transaction(
        work.session,
        transaction=transaction,
        expected_version=expected_version,
        unallocated=abs(transaction.amount) - plan.total,
    )
    currency = transaction.currency
    touched = {
        _touched_key(currency, p.invoice_id, p.user_id, p.type): (*path, "amount")
        for (path, _), p in zip(plan.adds, added, strict=True)
    } | {
        _touched_key(currency, p.invoice_id, p.user_id, FlowType(p.type)): path
        for p, path in ((plan.payments[pid], path) for pid, path in plan.blame.items())
    }
    flipped = await settle_allocations(work, invoices=invoices, touched=touched, now=now())
    _emit_payment_events(work, transaction, invoices, flipped)


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


async def find_transaction(context: Context, ref: TransactionRef) -> TransactionView | None:
    """A transaction of the caller's workspace by id or externalId; None when not visible."""
    loaders = context.loaders
    if ref.id is not None:
        return await loaders.transactions_by_public_id.load(ref.id)
    return await loaders.transactions_by_external_id.load(str(ref.external_id))


async def transaction_by_db_id(context: Context, transaction_id: int) -> TransactionView:
    """A payment's transaction (always in the caller's workspace)."""
    row = await context.loaders.transactions_by_id.load(transaction_id)
    assert row is not None, "a payment's transaction is in its workspace"
    return row


async def tags_of(context: Context, transaction_id: int) -> Sequence[TagView]:
    return await context.loaders.tags_by_transaction_id.load(transaction_id)


async def allocations_of(context: Context, transaction_id: int) -> Sequence[PaymentView]:
    return await context.loaders.payments_by_transaction_id.load(transaction_id)
