"""Transaction reads: the filtered list, latest posted first, with keyset cursors."""

from collections.abc import Sequence
from dataclasses import dataclass

from invoicegraph.ledger.filters import TransactionFilter
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.filter_limits import ensure_transaction_filter_within_limits
from invoicegraph.resolvers.pagination import (
    PageInfoData,
    decode_keyset,
    encode_cursor,
    micros,
    page_info,
    page_request,
)
from invoicegraph.resolvers.views import TransactionView
from invoicegraph.store.transactions import (
    TransactionKey,
    count_transactions,
    list_transactions,
)

CURSOR_KIND = "txn"


def transaction_cursor(row: TransactionView) -> str:
    return encode_cursor(CURSOR_KIND, micros(row.posted), row.public_id)


def _key(cursor: str | None) -> TransactionKey | None:
    decoded = decode_keyset(CURSOR_KIND, cursor, "txn")
    return None if decoded is None else TransactionKey(posted=decoded[0], public_id=decoded[1])


@dataclass(frozen=True, slots=True)
class TransactionPage:
    rows: Sequence[TransactionView]
    page_info: PageInfoData
    filter: TransactionFilter


async def transaction_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: TransactionFilter,
) -> TransactionPage:
    request = page_request(first=first, after=after, last=last, before=before)
    ensure_transaction_filter_within_limits(filter)
    async with context.reader.session() as session:
        rows = await list_transactions(
            session,
            workspace_id=context.workspace_id,
            filter=filter,
            limit=request.limit + 1,
            after=_key(request.after),
            before=_key(request.before),
            from_end=request.from_end,
        )
    rows, info = page_info(rows, request, transaction_cursor)
    return TransactionPage(rows=rows, page_info=info, filter=filter)


async def total_transactions(context: Context, *, filter: TransactionFilter) -> int:
    async with context.reader.session() as session:
        return await count_transactions(session, workspace_id=context.workspace_id, filter=filter)
