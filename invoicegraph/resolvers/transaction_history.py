"""Transaction.history: every recorded version, newest first, paged by version number."""

from dataclasses import dataclass

from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.history import before_version, versions_info
from invoicegraph.resolvers.pagination import PageInfoData, encode_cursor, page_request
from invoicegraph.resolvers.views import TransactionVersionView
from invoicegraph.store.tables import TransactionVersionRow
from invoicegraph.store.transaction_versions import version_changes, version_state

CURSOR_KIND = "txv"


@dataclass(frozen=True, slots=True)
class TransactionVersionPage:
    versions: list[TransactionVersionView]
    page_info: PageInfoData


def transaction_version_cursor(version: TransactionVersionView) -> str:
    return encode_cursor(CURSOR_KIND, version.version)


def _decoded(row: TransactionVersionRow) -> TransactionVersionView:
    return TransactionVersionView(
        version=row.version,
        modified=row.modified,
        state=version_state(row),
        changes=version_changes(row),
    )


async def transaction_history_page(
    context: Context, *, transaction_id: int, first: int | None, after: str | None
) -> TransactionVersionPage:
    request = page_request(first=first, after=after, last=None, before=None)
    rows = await context.loaders.versions_by_transaction_page.load(
        (transaction_id, request.limit + 1, before_version(CURSOR_KIND, after))
    )
    page = [_decoded(row) for row in rows[: request.limit]]
    more = len(rows) > request.limit
    return TransactionVersionPage(page, versions_info(CURSOR_KIND, page, more=more, after=after))


async def recorded_versions(context: Context, *, transaction_id: int, version: int) -> int:
    """How many versions the history holds: from the oldest recorded to the current one."""
    oldest = await context.loaders.first_versions_by_transaction_id.load(transaction_id)
    return version - oldest + 1
