"""Invoice reads and createInvoice: validation, idempotency on invoiceId, one transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from invoicegraph.ledger.errors import BadRequest, IkConflict
from invoicegraph.ledger.invoices import CreateInvoice, validate_create
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    BadUserInput,
    PageInfoData,
    decode_cursor,
    encode_cursor,
    page_request,
)
from invoicegraph.store.invoices import (
    InvoiceKey,
    get_invoice,
    insert_invoice,
    list_invoices,
)
from invoicegraph.store.invoices import count_invoices as store_count_invoices
from invoicegraph.store.tables import InvoiceRow
from invoicegraph.store.users import resolve_users

CURSOR_KIND = "inv"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


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
                now=datetime.now(UTC),
            )
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


def invoice_cursor(row: InvoiceRow) -> str:
    return encode_cursor(CURSOR_KIND, (row.created - EPOCH) // MICROSECOND, row.id)


def _key(cursor: str | None) -> InvoiceKey | None:
    if cursor is None:
        return None
    created_us, row_id = decode_cursor(CURSOR_KIND, cursor, 2)
    if not isinstance(created_us, int) or not isinstance(row_id, int):
        raise BadUserInput("the cursor is not valid for this list")
    try:
        return InvoiceKey(created=EPOCH + created_us * MICROSECOND, id=row_id)
    except OverflowError as error:
        raise BadUserInput("the cursor is not valid for this list") from error


@dataclass(frozen=True, slots=True)
class InvoicePage:
    rows: list[InvoiceRow]
    page_info: PageInfoData


async def invoice_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> InvoicePage:
    """A page of the caller's invoices, newest first, sought by key (no OFFSET at any depth)."""
    request = page_request(first=first, after=after, last=last, before=before)
    async with context.reader.session() as session:
        rows = await list_invoices(
            session,
            workspace_id=context.workspace_id,
            limit=request.limit + 1,
            after=_key(request.after),
            before=_key(request.before),
            from_end=request.from_end,
        )
    more = len(rows) > request.limit
    if more:
        rows = rows[1:] if request.from_end else rows[:-1]
    cursors = [invoice_cursor(row) for row in rows[:1] + rows[-1:]]
    return InvoicePage(
        rows=rows,
        page_info=PageInfoData(
            has_next_page=more if not request.from_end else request.before is not None,
            has_previous_page=more if request.from_end else request.after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


async def count_invoices(context: Context) -> int:
    async with context.reader.session() as session:
        return await store_count_invoices(session, workspace_id=context.workspace_id)
