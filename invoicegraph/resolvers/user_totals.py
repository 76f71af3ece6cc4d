"""Inside a write: lock the users whose totals it raises, and refuse what would pass 2^96."""

from collections.abc import Sequence

from invoicegraph.ledger.errors import BadRequest
from invoicegraph.ledger.settlement import MoneyKey
from invoicegraph.ledger.user_totals import Addition, user_total_problems
from invoicegraph.resolvers.unit_of_work import UnitOfWork
from invoicegraph.store.user_totals import expected_totals, lock_users


async def locked_totals(work: UnitOfWork, additions: Sequence[Addition]) -> dict[MoneyKey, int]:
    """The current totals of the users these additions name, locked until the write ends
    (two statements, whatever the number of users)."""
    user_ids = {key[0] for _, key, _ in additions}
    if not user_ids:
        return {}
    await lock_users(work.session, user_ids=user_ids)
    return await expected_totals(work.session, workspace_id=work.workspace_id, user_ids=user_ids)


async def refuse_past_user_totals(work: UnitOfWork, additions: Sequence[Addition]) -> None:
    """BadRequest naming each input that would push a user's total to 2^96."""
    if problems := user_total_problems(await locked_totals(work, additions), additions):
        raise BadRequest(problems)
