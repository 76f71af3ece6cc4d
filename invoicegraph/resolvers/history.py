"""Invoice.history: every version, newest first, paged by version number."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    PageInfoData,
    cursor_int,
    decode_cursor,
    encode_cursor,
    page_request,
)
from invoicegraph.resolvers.views import VersionView
from invoicegraph.store.tables import InvoiceVersionRow
from invoicegraph.store.versions import version_changes, version_state

CURSOR_KIND = "ver"
MAX_VERSION = 2**31 - 1
"""No invoice has more versions; a larger number in a cursor is forged."""


@dataclass(frozen=True, slots=True)
class VersionPage:
    versions: list[VersionView]
    page_info: PageInfoData


def version_cursor(version: VersionView) -> str:
    return encode_cursor(CURSOR_KIND, version.version)


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


def before_version(kind: str, after: str | None) -> int | None:
    """The version an `after` cursor of a history names (the page holds the older ones)."""
    if after is None:
        return None
    (value,) = decode_cursor(kind, after, 1)
    return cursor_int(value, low=1, high=MAX_VERSION)


def versions_info(
    kind: str, page: Sequence[Versioned], *, more: bool, after: str | None
) -> PageInfoData:
    """A history page's PageInfo: newest first, forward only."""
    return PageInfoData(
        has_next_page=more,
        has_previous_page=after is not None,
        start_cursor=encode_cursor(kind, page[0].version) if page else None,
        end_cursor=encode_cursor(kind, page[-1].version) if page else None,
    )


def _decoded(row: InvoiceVersionRow) -> VersionView:
    return VersionView(
        version=row.version,
        modified=row.modified,
        state=version_state(row),
        changes=version_changes(row),
    )


async def history_page(
    context: Context, *, invoice_id: int, first: int | None, after: str | None
) -> VersionPage:
    request = page_request(first=first, after=after, last=None, before=None)
    rows = await context.loaders.versions_by_invoice_page.load(
        (invoice_id, request.limit + 1, before_version(CURSOR_KIND, after))
    )
    page = [_decoded(row) for row in rows[: request.limit]]
    more = len(rows) > request.limit
    return VersionPage(page, versions_info(CURSOR_KIND, page, more=more, after=after))
