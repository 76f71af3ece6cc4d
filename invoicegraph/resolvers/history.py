"""Invoice.history: every version, newest first, paged by version number."""

from dataclasses import dataclass

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
    before_version: int | None = None
    if after is not None:
        (value,) = decode_cursor(CURSOR_KIND, after, 1)
        before_version = cursor_int(value, low=1, high=MAX_VERSION)
    rows = await context.loaders.versions_by_invoice_page.load(
        (invoice_id, request.limit + 1, before_version)
    )
    page = [_decoded(row) for row in rows[: request.limit]]
    return VersionPage(
        versions=page,
        page_info=PageInfoData(
            has_next_page=len(rows) > request.limit,
            has_previous_page=after is not None,
            start_cursor=version_cursor(page[0]) if page else None,
            end_cursor=version_cursor(page[-1]) if page else None,
        ),
    )
