"""Invoice reads and createInvoice: validation, idempotency on invoiceId, one transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from invoicegraph.clock import now
from invoicegraph.events import EventType, invoice_event
from invoicegraph.ledger.errors import BadRequest, IkConflict
from invoicegraph.ledger.invoices import CreateInvoice, UserRef, validate_create
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
from invoicegraph.store.invoices import (
    InvoiceFilter,
    InvoiceKey,
    InvoiceOrder,
    get_invoice,
    insert_invoice,
    list_invoices,
)
from invoicegraph.store.invoices import count_invoices as store_count_invoices
from invoicegraph.store.records import InvoiceRecord
from invoicegraph.store.tables import InvoiceRow
from invoicegraph.store.users import resolve_users

CURSOR_KIND = "inv"


@dataclass(frozen=True, slots=True)
class CreatedInvoice:
    row: InvoiceRow
    is_replay: bool


def _replay_or_conflict(existing: InvoiceRow, fingerprint: str) -> CreatedInvoice:
    if existing.request_hash != fingerprint:
        raise IkConflict(key_name="invoiceId", key=existing.invoice_id)
    return CreatedInvoice(row=existing, is_replay=True)


async def create_invoice(context: Context, command: CreateInvoice) -> CreatedInvoice:
    """Create the invoice, or return the stored one for a replay of the same input.

    Check-then-insert is safe on SQLite, where BEGIN IMMEDIATE makes writers take turns; on
    PostgreSQL the unique (workspace, invoiceId) constraint decides a race, and the loser reads
    the winner's invoice in a fresh transaction.
    """
    invoice = validate_create(command)
    fingerprint = invoice.fingerprint()
    workspace_id = context.workspace_id
    try:
        async with context.db.write() as session:
            existing = await get_invoice(
                session, workspace_id=workspace_id, invoice_id=invoice.invoice_id
            )
            if existing is not None:
                return _replay_or_conflict(existing, fingerprint)
            user_ids, problems = await resolve_users(
                session,
                workspace_id=workspace_id,
                refs=[
                    (("lineItems", str(index), "user"), item.user)
                    for index, item in enumerate(invoice.line_items)
                ],
            )
            if problems:
                raise BadRequest(problems)
            row = await insert_invoice(
                session,
                workspace_id=workspace_id,
                invoice=invoice,
                user_ids=user_ids,
                fingerprint=fingerprint,
                now=now(),
            )
        await context.events.publish([invoice_event(EventType.CREATED, row)])
        return CreatedInvoice(row=row, is_replay=False)
    except IntegrityError:
        async with context.db.read() as session:
            existing = await get_invoice(
                session, workspace_id=workspace_id, invoice_id=invoice.invoice_id
            )
        if existing is None:
            raise
        return _replay_or_conflict(existing, fingerprint)
    finally:
        await context.after_write()


def invoice_cursor(order: InvoiceOrder) -> Callable[[InvoiceRecord], str]:
    """Cursors name the order they belong to, so one cannot be used with another order."""

    def cursor(row: InvoiceRecord) -> str:
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
    rows: list[InvoiceRecord]
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


NO_USER = -1
"""A user row id that no row has: filtering by an unknown user finds no invoice."""


async def user_filter_id(context: Context, user: UserRef) -> int:
    """The row id of the user a filter names; NO_USER when unknown or in another workspace."""
    loaders = context.loaders
    if user.id is not None:
        row = await loaders.users_by_public_id.load(user.id)
    else:
        row = await loaders.users_by_external_id.load(str(user.external_id))
    return NO_USER if row is None else row.id
