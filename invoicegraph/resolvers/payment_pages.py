"""Query.searchAllocations: payments across invoices, latest posted first, keyset cursors."""

from collections.abc import Sequence
from dataclasses import dataclass

from invoicegraph.ledger.filters import PaymentFilter
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.filter_limits import ensure_payment_filter_within_limits
from invoicegraph.resolvers.pagination import (
    PageInfoData,
    decode_keyset,
    encode_cursor,
    micros,
    page_info,
    page_request,
)
from invoicegraph.resolvers.views import PaymentView
from invoicegraph.store.payment_lists import PaymentKey, count_payments, list_payments

CURSOR_KIND = "pay"


def payment_cursor(row: PaymentView) -> str:
    return encode_cursor(CURSOR_KIND, micros(row.posted), row.public_id)


def _key(cursor: str | None) -> PaymentKey | None:
    decoded = decode_keyset(CURSOR_KIND, cursor, "pay")
    return None if decoded is None else PaymentKey(posted=decoded[0], public_id=decoded[1])


@dataclass(frozen=True, slots=True)
class PaymentPage:
    rows: Sequence[PaymentView]
    page_info: PageInfoData
    filter: PaymentFilter


async def payment_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: PaymentFilter,
) -> PaymentPage:
    request = page_request(first=first, after=after, last=last, before=before)
    ensure_payment_filter_within_limits(filter)
    async with context.reader.session() as session:
        rows = await list_payments(
            session,
            workspace_id=context.workspace_id,
            filter=filter,
            limit=request.limit + 1,
            after=_key(request.after),
            before=_key(request.before),
            from_end=request.from_end,
        )
    rows, info = page_info(rows, request, payment_cursor)
    return PaymentPage(rows=rows, page_info=info, filter=filter)


async def total_payments(context: Context, *, filter: PaymentFilter) -> int:
    async with context.reader.session() as session:
        return await count_payments(session, workspace_id=context.workspace_id, filter=filter)
