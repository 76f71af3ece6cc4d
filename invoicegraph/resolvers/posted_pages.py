"""Pages of a list ordered latest posted first (transactions, allocations), keyset cursors.

Both lists seek by (posted, public id) and differ only in their rows, filter and store calls:
one page function serves them, given how to list and how to name a key.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    PageInfoData,
    decode_keyset,
    encode_cursor,
    micros,
    page_info,
    page_request,
)


class Posted(Protocol):
    @property
    def posted(self) -> datetime: ...
    @property
    def public_id(self) -> str: ...


Row = TypeVar("Row", bound=Posted)
Filter = TypeVar("Filter")
Key = TypeVar("Key")


@dataclass(frozen=True, slots=True)
class PostedPage(Generic[Row, Filter]):
    rows: Sequence[Row]
    page_info: PageInfoData
    filter: Filter


def posted_cursor(kind: str, row: Posted) -> str:
    return encode_cursor(kind, micros(row.posted), row.public_id)


@dataclass(frozen=True, slots=True)
class PostedList(Generic[Row, Filter, Key]):
    """One such list: its cursor kind (also the public ids' prefix), its key type (posted,
    public id), the store's page query, and the check of a filter's list caps."""

    kind: str
    key: Callable[[datetime, str], Key]
    rows: Callable[..., Awaitable[Sequence[Row]]]
    """(session, *, workspace_id, filter, limit, after, before, from_end) -> rows"""
    within_limits: Callable[[Filter], None]
    count: Callable[..., Awaitable[int]]
    """(session, *, workspace_id, filter) -> how many rows match"""

    def cursor(self, row: Row) -> str:
        return posted_cursor(self.kind, row)

    def _key(self, cursor: str | None) -> Key | None:
        decoded = decode_keyset(self.kind, cursor, self.kind)
        return None if decoded is None else self.key(*decoded)

    async def page(
        self,
        context: Context,
        *,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        filter: Filter,
    ) -> PostedPage[Row, Filter]:
        request = page_request(first=first, after=after, last=last, before=before)
        self.within_limits(filter)
        session: AsyncSession
        async with context.reader.session() as session:
            rows = await self.rows(
                session,
                workspace_id=context.workspace_id,
                filter=filter,
                limit=request.limit + 1,
                after=self._key(request.after),
                before=self._key(request.before),
                from_end=request.from_end,
            )
        kept, info = page_info(list(rows), request, self.cursor)
        return PostedPage(rows=kept, page_info=info, filter=filter)

    async def total(self, context: Context, *, filter: Filter) -> int:
        """How many rows the filter matches (a connection's totalCount)."""
        async with context.reader.session() as session:
            return await self.count(session, workspace_id=context.workspace_id, filter=filter)
