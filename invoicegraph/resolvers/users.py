"""Users named by a write's input: found by id or externalId, created when new."""

from collections.abc import Iterable, Mapping

from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
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


async def user_ids_of_each(
    work: UnitOfWork, refs: Mapping[int, list[tuple[Path, UserRef]]]
) -> tuple[dict[UserRef, int], dict[int, BadRequest]]:
    """The users of many items at once (paths already name their item, `[field, index, ...]`):
    an item naming an unknown user id is refused, and creates no user for its externalIds."""
    by_id = [(path, ref) for group in refs.values() for path, ref in group if ref.id is not None]
    _, problems = await resolve_users(work.session, workspace_id=work.workspace_id, refs=by_id)
    refused: dict[int, list[FieldProblem]] = {}
    for problem in problems:
        refused.setdefault(int(problem.path[1]), []).append(problem)
    kept = [
        (path, ref) for index, group in refs.items() if index not in refused for path, ref in group
    ]
    user_ids, more = await resolve_users(work.session, workspace_id=work.workspace_id, refs=kept)
    assert not more, "every user id was found a moment ago"
    return user_ids, {index: BadRequest(found) for index, found in refused.items()}


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
