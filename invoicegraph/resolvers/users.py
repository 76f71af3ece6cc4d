"""Users named by a write's input: found by id or externalId, created when new."""

from collections.abc import Iterable, Mapping

from invoicegraph.ledger.errors import BadRequest, Path
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.unit_of_work import UnitOfWork
from invoicegraph.resolvers.views import UserView
from invoicegraph.store.users import resolve_users

NO_USER = -1
"""A user row id that no row has: filtering by an unknown user finds no invoice."""


async def user_ids_for(
    work: UnitOfWork, refs: Iterable[tuple[Path, UserRef]]
) -> Mapping[UserRef, int]:
    """The row id of every user the input names; BadRequest (every bad path) for unknown ids."""
    user_ids, problems = await resolve_users(
        work.session, workspace_id=work.workspace_id, refs=refs
    )
    if problems:
        raise BadRequest(problems)
    return user_ids


async def find_user(context: Context, user: UserRef) -> UserView | None:
    """A user of the caller's workspace by id or externalId; None when unknown or not visible."""
    loaders = context.loaders
    if user.id is not None:
        return await loaders.users_by_public_id.load(user.id)
    return await loaders.users_by_external_id.load(str(user.external_id))


async def user_filter_id(context: Context, user: UserRef) -> int:
    """The row id of the user a filter names; NO_USER when unknown or in another workspace."""
    row = await find_user(context, user)
    return NO_USER if row is None else row.id


async def user_by_id(context: Context, user_id: int) -> UserView:
    """The user of a line item or payment (always in the caller's workspace)."""
    row = await context.loaders.users_by_id.load(user_id)
    assert row is not None, "a line item's or payment's user is in its workspace"
    return row


async def users_by_ids(context: Context, user_ids: Iterable[int]) -> dict[int, UserView]:
    """Users by row id, in one batch (each id once)."""
    unique = list(dict.fromkeys(user_ids))
    rows = await context.loaders.users_by_id.load_many(unique)
    found: dict[int, UserView] = {}
    for row in rows:
        assert row is not None, "a line item's or payment's user is in its workspace"
        found[row.id] = row
    return found
