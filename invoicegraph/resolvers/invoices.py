"""createInvoice (validated, idempotent on invoiceId, one unit of work) and invoice reads."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.errors import DomainError
from invoicegraph.ledger.filters import InvoiceFilter, InvoiceOrder
from invoicegraph.ledger.history import InvoiceState
from invoicegraph.ledger.invoices import CreateInvoice, ValidInvoice, validate_create
from invoicegraph.ledger.payments import InvoiceRef
from invoicegraph.ledger.settlement import state_money
from invoicegraph.resolvers.batches import validated, write_batch
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    BadUserInput,
    PageInfoData,
    decode_cursor,
    encode_cursor,
    instant_from_micros,
    micros,
    page_info,
    page_request,
)
from invoicegraph.resolvers.unit_of_work import IdempotencyKey, UnitOfWork, Written, write_once
from invoicegraph.resolvers.users import user_ids_for
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoice_lists import InvoiceKey, list_invoices
from invoicegraph.store.invoice_lists import count_invoices as store_count_invoices
from invoicegraph.store.invoices import get_invoice, get_invoices_by_key, insert_invoice
from invoicegraph.store.records import InvoiceRecord, record_of
from invoicegraph.store.tables import InvoiceRow

CURSOR_KIND = "inv"


def _validated(command: CreateInvoice) -> tuple[ValidInvoice, IdempotencyKey]:
    invoice = validate_create(command)
    return invoice, IdempotencyKey("invoiceId", invoice.invoice_id, invoice.fingerprint())


async def _write_new(
    work: UnitOfWork, invoice: ValidInvoice, key: IdempotencyKey
) -> InvoiceRow | None:
    """Write a new invoice, OPEN (or DRAFT) at version 1, creating the users it names; None
    when its invoiceId is taken."""
    user_ids = await user_ids_for(
        work,
        [
            (("lineItems", str(index), "user"), item.user)
            for index, item in enumerate(invoice.line_items)
        ],
    )
    state = InvoiceState(
        status=InvoiceStatus.DRAFT if invoice.draft else InvoiceStatus.OPEN,
        tags=invoice.tags,
        line_items=tuple(
            spec.placed(line_item_id=new_public_id("li"), user_id=user_ids[spec.user])
            for spec in invoice.line_items
        ),
    )
    row = await insert_invoice(
        work.session,
        workspace_id=work.workspace_id,
        invoice_id=invoice.invoice_id,
        state=state,
        flags=state_money(state, paid={}).flags(),
        fingerprint=key.fingerprint,
        now=now(),
    )
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


async def create_invoices(
    context: Context, commands: Sequence[CreateInvoice], *, atomic: bool
) -> list[Written[InvoiceView] | DomainError]:
    """createInvoices: up to 500 invoices in one transaction, each answered on its own."""
    items = validated(commands, _validated, "invoices")

    async def find(session: AsyncSession, keys: list[str]) -> dict[str, InvoiceRow]:
        return await get_invoices_by_key(session, workspace_id=context.workspace_id, keys=keys)

    results = await write_batch(
        context, items, field="invoices", atomic=atomic, find=find, write=_write_new
    )
    return [result if isinstance(result, DomainError) else _answer(result) for result in results]


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
        return encode_cursor(CURSOR_KIND, order.field, order.descending, encoded, row.id)

    return cursor


def _key(cursor: str | None, order: InvoiceOrder) -> InvoiceKey | None:
    if cursor is None:
        return None
    field, descending, value, row_id = decode_cursor(CURSOR_KIND, cursor, 4)
    if (field, descending) != (order.field, order.descending):
        raise BadUserInput("the cursor belongs to another order of this list")
    if not isinstance(row_id, int):
        raise BadUserInput("the cursor is not valid for this list")
    if field == "invoice_id":
        if not isinstance(value, str):
            raise BadUserInput("the cursor is not valid for this list")
        return InvoiceKey(value=value, id=row_id)
    return InvoiceKey(value=instant_from_micros(value), id=row_id)


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
    async with context.reader.session() as session:
        rows = await list_invoices(
            session,
            workspace_id=context.workspace_id,
            filter=filter,
            order=order,
            limit=request.limit + 1,
            after=_key(request.after, order),
            before=_key(request.before, order),
            from_end=request.from_end,
        )
    rows, info = page_info(rows, request, invoice_cursor(order))
    return InvoicePage(rows=rows, page_info=info, filter=filter, order=order)


async def count_invoices(context: Context, *, filter: InvoiceFilter) -> int:
    async with context.reader.session() as session:
        return await store_count_invoices(session, workspace_id=context.workspace_id, filter=filter)
