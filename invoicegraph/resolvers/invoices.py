"""createInvoice (validated, idempotent on invoiceId, one unit of work) and invoice reads."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, DomainError, FieldProblem, Path
from invoicegraph.ledger.filters import InvoiceFilter, InvoiceOrder
from invoicegraph.ledger.history import InvoiceState
from invoicegraph.ledger.invoices import CreateInvoice, UserRef, ValidInvoice, validate_create
from invoicegraph.ledger.payments import InvoiceRef
from invoicegraph.ledger.settlement import state_money
from invoicegraph.ledger.user_totals import add_to, new_line_items, user_total_problems
from invoicegraph.resolvers.batches import Item, refuse_all, validated, within
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.filter_limits import ensure_invoice_filter_within_limits
from invoicegraph.resolvers.pagination import (
    BadUserInput,
    PageInfoData,
    cursor_public_id,
    decode_cursor,
    encode_cursor,
    instant_from_micros,
    micros,
    page_info,
    page_request,
)
from invoicegraph.resolvers.unit_of_work import (
    IdempotencyKey,
    UnitOfWork,
    Written,
    replay_of,
    unit_of_work,
    write_once,
)
from invoicegraph.resolvers.user_totals import locked_totals, refuse_past_user_totals
from invoicegraph.resolvers.users import user_ids_for, user_ids_of_each
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoice_lists import InvoiceKey, list_invoices
from invoicegraph.store.invoice_lists import count_invoices as store_count_invoices
from invoicegraph.store.invoices import (
    NewInvoice,
    get_invoice,
    get_invoices_by_key,
    insert_invoices,
)
from invoicegraph.store.records import InvoiceRecord, record_of
from invoicegraph.store.tables import InvoiceRow

CURSOR_KIND = "inv"


def _validated(command: CreateInvoice) -> tuple[ValidInvoice, IdempotencyKey]:
    invoice = validate_create(command)
    return invoice, IdempotencyKey("invoiceId", invoice.invoice_id, invoice.fingerprint())


def _user_refs(invoice: ValidInvoice, at: Path = ()) -> list[tuple[Path, UserRef]]:
    return [
        ((*at, "lineItems", str(index), "user"), item.user)
        for index, item in enumerate(invoice.line_items)
    ]


def external_ids_of(user_ids: Mapping[UserRef, int]) -> dict[int, str]:
    """The externalIds the input named users by, by row id: the search index's words."""
    return {row_id: ref.external_id for ref, row_id in user_ids.items() if ref.external_id}


async def recovered_from_id(work: UnitOfWork, invoice: ValidInvoice, at: Path = ()) -> int | None:
    """The row id of the invoice this one is recovered from; BadRequest when it names none
    the caller can see."""
    link = invoice.document.recovered_from
    if link is None:
        return None
    row = await get_invoice(
        work.session,
        workspace_id=work.workspace_id,
        public_id=link.id,
        invoice_id=link.invoice_id,
    )
    if row is None or row.id is None:
        field = "id" if link.id is not None else "invoiceId"
        raise BadRequest(
            [FieldProblem((*at, "recoveredFrom", field), "names no invoice of this workspace")]
        )
    return row.id


def _new_invoice(
    invoice: ValidInvoice,
    key: IdempotencyKey,
    user_ids: Mapping[UserRef, int],
    recovered_from: int | None = None,
) -> NewInvoice:
    """The invoice as it will stand at version 1: OPEN (or DRAFT), nothing paid yet."""
    state = InvoiceState(
        status=InvoiceStatus.DRAFT if invoice.draft else InvoiceStatus.OPEN,
        tags=invoice.tags,
        line_items=tuple(
            spec.placed(line_item_id=new_public_id("li"), user_id=user_ids[spec.user])
            for spec in invoice.line_items
        ),
    )
    return NewInvoice(
        invoice_id=invoice.invoice_id,
        state=state,
        flags=state_money(state, paid={}).flags(),
        fingerprint=key.fingerprint,
        document=invoice.document,
        recovered_from_id=recovered_from,
    )


async def _write_new(
    work: UnitOfWork, invoice: ValidInvoice, key: IdempotencyKey
) -> InvoiceRow | None:
    """Write a new invoice, creating the users it names; None when its invoiceId is taken."""
    user_ids = await user_ids_for(work, _user_refs(invoice))
    recovered_from = await recovered_from_id(work, invoice)
    new = _new_invoice(invoice, key, user_ids, recovered_from)
    await refuse_past_user_totals(work, new_line_items(new.state.line_items))
    rows = await insert_invoices(
        work.session,
        workspace_id=work.workspace_id,
        invoices=[new],
        now=now(),
        external_ids=external_ids_of(user_ids),
    )
    row = rows.get(invoice.invoice_id)
    if row is not None:
        work.emit(EventType.CREATED, row)
    return row


async def create_invoice(context: Context, command: CreateInvoice) -> Written[InvoiceView]:
    """Create the invoice, or return the stored one for a replay of the same input."""
    invoice, key = _validated(command)

    async def find(session: AsyncSession) -> InvoiceRow | None:
        return await get_invoice(
            session, workspace_id=context.workspace_id, invoice_id=invoice.invoice_id
        )

    written = await write_once(
        context, key, find=find, write=lambda work: _write_new(work, invoice, key)
    )
    return _answer(written)


Outcome = Written[InvoiceRow] | DomainError


async def create_invoices(
    context: Context, commands: Sequence[CreateInvoice], *, atomic: bool
) -> list[Written[InvoiceView] | DomainError]:
    """createInvoices: up to 500 invoices in one transaction, each answered on its own.

    Set-based: whatever the number of invoices, the batch costs a few statements per table
    (the users, the invoice rows, their tags, line items, versions and search rows), not a
    round of statements per invoice. Everything that can refuse an invoice is known before
    anything of it is written (its input, an unknown user id, its key taken by another
    input), so no savepoint is needed. A key repeated within the batch is written once and
    its repeats answered after it, as replays or conflicts.
    """
    items = validated(commands, _validated, "invoices")
    outcomes: dict[int, Outcome] = {
        index: item.refused for index, item in enumerate(items) if item.refused is not None
    }
    async with unit_of_work(context) as work:
        keys = [item.key.value for item in items if item.key is not None]
        stored = await get_invoices_by_key(work.session, workspace_id=work.workspace_id, keys=keys)
        pending = [index for index in range(len(items)) if index not in outcomes]
        while pending:  # one round per repetition of a key: nearly always one
            round_, pending = _first_of_each_key(items, pending)
            outcomes |= await _create_round(work, items, round_, stored)
        if atomic:
            refuse_all(
                "invoices",
                [
                    (index, error, items[index].key)
                    for index, error in outcomes.items()
                    if isinstance(error, DomainError)
                ],
            )
    return [
        outcome if isinstance(outcome, DomainError) else _answer(outcome)
        for outcome in (outcomes[index] for index in range(len(items)))
    ]


def _first_of_each_key(
    items: Sequence[Item[ValidInvoice]], indexes: list[int]
) -> tuple[list[int], list[int]]:
    seen: set[str] = set()
    first: list[int] = []
    later: list[int] = []
    for index in indexes:
        key = items[index].key
        assert key is not None
        (later if key.value in seen else first).append(index)
        seen.add(key.value)
    return first, later


async def _create_round(
    work: UnitOfWork,
    items: Sequence[Item[ValidInvoice]],
    indexes: list[int],
    stored: dict[str, InvoiceRow],
) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    new: list[int] = []
    for index in indexes:
        key = items[index].key
        assert key is not None
        if (existing := stored.get(key.value)) is not None:
            outcomes[index] = _replay_or_refusal(existing, key, index)
        else:
            new.append(index)
    refs = {index: _user_refs(_valid(items[index]), ("invoices", str(index))) for index in new}
    user_ids, refused = await user_ids_of_each(work, refs)
    outcomes |= refused
    links: dict[int, int | None] = {}
    for index in new:
        if index in refused:
            continue
        try:
            at = ("invoices", str(index))
            links[index] = await recovered_from_id(work, _valid(items[index]), at)
        except BadRequest as error:
            outcomes[index] = error
    writing = [index for index in new if index in links]
    invoices = {
        index: _new_invoice(_valid(items[index]), _key_of(items[index]), user_ids, links[index])
        for index in writing
    }
    additions = {
        index: new_line_items(invoice.state.line_items, ("invoices", str(index)))
        for index, invoice in invoices.items()
    }
    totals = await locked_totals(work, [added for each in additions.values() for added in each])
    for index in list(writing):  # in input order: a refused invoice adds nothing
        if problems := user_total_problems(totals, additions[index]):
            outcomes[index] = BadRequest(problems)
            writing.remove(index)
        else:
            add_to(totals, additions[index])
    rows = await insert_invoices(
        work.session,
        workspace_id=work.workspace_id,
        invoices=[invoices[index] for index in writing],
        now=now(),
        external_ids=external_ids_of(user_ids),
    )
    taken = [index for index in writing if _valid(items[index]).invoice_id not in rows]
    if taken:  # PostgreSQL: written by a concurrent request since `stored` was read
        stored |= await get_invoices_by_key(
            work.session,
            workspace_id=work.workspace_id,
            keys=[_key_of(items[index]).value for index in taken],
        )
    for index in writing:
        key = _key_of(items[index])
        if (row := rows.get(_valid(items[index]).invoice_id)) is not None:
            work.emit(EventType.CREATED, row)
            stored[key.value] = row
            outcomes[index] = Written(row, is_replay=False)
        else:
            outcomes[index] = _replay_or_refusal(stored[key.value], key, index)
    return outcomes


def _replay_or_refusal(existing: InvoiceRow, key: IdempotencyKey, index: int) -> Outcome:
    try:
        return replay_of(existing, key)
    except DomainError as error:
        return within(("invoices", str(index)), error)


def _valid(item: Item[ValidInvoice]) -> ValidInvoice:
    assert item.valid is not None
    return item.valid


def _key_of(item: Item[ValidInvoice]) -> IdempotencyKey:
    assert item.key is not None
    return item.key


def _answer(written: Written[InvoiceRow]) -> Written[InvoiceView]:
    return Written(record_of(InvoiceRecord, written.value), is_replay=written.is_replay)


async def find_invoice(context: Context, invoice: InvoiceRef) -> InvoiceView | None:
    """An invoice of the caller's workspace by id or invoiceId; None when not visible."""
    loaders = context.loaders
    if invoice.id is not None:
        return await loaders.invoices_by_public_id.load(invoice.id)
    return await loaders.invoices_by_invoice_id.load(str(invoice.invoice_id))


async def invoice_by_db_id(context: Context, invoice_id: int) -> InvoiceView:
    """The invoice a line item or payment belongs to (always in the caller's workspace)."""
    row = await context.loaders.invoices_by_id.load(invoice_id)
    assert row is not None, "a line item's or payment's invoice is in its workspace"
    return row


def invoice_cursor(order: InvoiceOrder) -> Callable[[InvoiceView], str]:
    """Cursors name the order they belong to, so one cannot be used with another order."""

    def cursor(row: InvoiceView) -> str:
        value = getattr(row, order.field)
        encoded = micros(value) if isinstance(value, datetime) else value
        return encode_cursor(CURSOR_KIND, order.field, order.descending, encoded, row.public_id)

    return cursor


def invoice_start(cursor: str | None, order: InvoiceOrder) -> InvoiceKey | None:
    """Where a page starts or ends: the key a cursor of this order names; BadUserInput else."""
    if cursor is None:
        return None
    field, descending, value, public_id = decode_cursor(CURSOR_KIND, cursor, 4)
    if (field, descending) != (order.field, order.descending):
        raise BadUserInput("the cursor belongs to another order of this list")
    public_id = cursor_public_id(public_id, "inv")
    if field == "invoice_id":
        if not isinstance(value, str):
            raise BadUserInput("the cursor is not valid for this list")
        return InvoiceKey(value=value, public_id=public_id)
    return InvoiceKey(value=instant_from_micros(value), public_id=public_id)


@dataclass(frozen=True, slots=True)
class InvoicePage:
    rows: Sequence[InvoiceView]
    page_info: PageInfoData
    filter: InvoiceFilter
    """Kept so that totalCount counts the same set as the page."""
    order: InvoiceOrder


async def invoice_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: InvoiceFilter | None = None,
    order: InvoiceOrder | None = None,
) -> InvoicePage:
    """A page of the caller's matching invoices in order, sought by key (no OFFSET)."""
    request = page_request(first=first, after=after, last=last, before=before)
    filter, order = filter or InvoiceFilter(), order or InvoiceOrder()
    ensure_invoice_filter_within_limits(filter)
    async with context.reader.session() as session:
        rows = await list_invoices(
            session,
            workspace_id=context.workspace_id,
            filter=filter,
            order=order,
            limit=request.limit + 1,
            after=invoice_start(request.after, order),
            before=invoice_start(request.before, order),
            from_end=request.from_end,
        )
    rows, info = page_info(rows, request, invoice_cursor(order))
    return InvoicePage(rows=rows, page_info=info, filter=filter, order=order)


async def count_invoices(context: Context, *, filter: InvoiceFilter) -> int:
    async with context.reader.session() as session:
        return await store_count_invoices(session, workspace_id=context.workspace_id, filter=filter)
