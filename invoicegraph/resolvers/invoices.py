"""Invoice reads and createInvoice: validation, idempotency on invoiceId, one transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from invoicegraph.ledger.errors import BadRequest, IkConflict
from invoicegraph.ledger.invoices import CreateInvoice, validate_create
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    PageInfoData,
    decode_keyset,
    encode_cursor,
    micros,
    page_info,
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
    return encode_cursor(CURSOR_KIND, micros(row.created), row.id)


def _key(cursor: str | None) -> InvoiceKey | None:
    decoded = decode_keyset(CURSOR_KIND, cursor)
    return None if decoded is None else InvoiceKey(created=decoded[0], id=decoded[1])


@dataclass(frozen=True, slots=True)
class InvoicePage:
    rows: list[InvoiceRow]
    page_info: PageInfoData
    user_id: int | None = None
    """Set when the page lists one user's invoices, so that totalCount counts the same set."""


async def invoice_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    user_id: int | None = None,
) -> InvoicePage:
    """A page of the caller's invoices (or a user's), newest first, sought by key (no OFFSET)."""
    request = page_request(first=first, after=after, last=last, before=before)
    async with context.reader.session() as session:
        rows = await list_invoices(
            session,
            workspace_id=context.workspace_id,
            user_id=user_id,
            limit=request.limit + 1,
            after=_key(request.after),
            before=_key(request.before),
            from_end=request.from_end,
        )
    rows, info = page_info(rows, request, invoice_cursor)
    return InvoicePage(rows=rows, page_info=info, user_id=user_id)


async def count_invoices(context: Context, *, user_id: int | None = None) -> int:
    async with context.reader.session() as session:
        return await store_count_invoices(
            session, workspace_id=context.workspace_id, user_id=user_id
        )
