"""Users: named by our id or by the caller's externalId, created on first mention by externalId."""

from collections.abc import Iterable

from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import UserRow
from invoicegraph.store.upsert import insert_ignoring


async def resolve_users(
    session: AsyncSession, *, workspace_id: int, refs: Iterable[tuple[Path, UserRef]]
) -> tuple[dict[UserRef, int], list[FieldProblem]]:
    """Map every reference to a user row id, creating users for unknown externalIds.

    Returns the problems for ids that name no user of this workspace instead of raising, so the
    caller can report them together with every other problem of the input. One statement for
    users that exist already (the usual case), four at most, whatever the number of references.
    """
    refs = list(refs)
    public_ids = {ref.id for _, ref in refs if ref.id is not None}
    external_ids = {ref.external_id for _, ref in refs if ref.external_id is not None}
    resolved: dict[UserRef, int] = {}

    if public_ids:
        rows = await session.exec(
            select(UserRow.public_id, UserRow.id).where(
                UserRow.workspace_id == workspace_id, col(UserRow.public_id).in_(public_ids)
            )
        )
        resolved.update({UserRef(id=public_id): row_id for public_id, row_id in rows if row_id})

    if external_ids:
        found = await _by_external_id(session, workspace_id, external_ids)
        if missing := external_ids - found.keys():
            # created on first mention; on PostgreSQL a concurrent writer may create one of
            # them first (DO NOTHING leaves it out of RETURNING): read those once more
            found |= await _insert_returning(session, workspace_id, missing)
            if missing := missing - found.keys():
                found |= await _by_external_id(session, workspace_id, missing)
        resolved.update({UserRef(external_id=ext): row_id for ext, row_id in found.items()})

    problems = [
        FieldProblem((*path, "id"), f"no user has the id {ref.id!r}")
        for path, ref in refs
        if ref not in resolved
    ]
    return resolved, problems


async def _by_external_id(
    session: AsyncSession, workspace_id: int, external_ids: set[str]
) -> dict[str, int]:
    connection = await session.connection()
    rows = await connection.execute(
        sql_select(col(UserRow.external_id), col(UserRow.id)).where(
            col(UserRow.workspace_id) == workspace_id, col(UserRow.external_id).in_(external_ids)
        )
    )
    return {external_id: row_id for external_id, row_id in rows if row_id is not None}


async def _insert_returning(
    session: AsyncSession, workspace_id: int, external_ids: set[str]
) -> dict[str, int]:
    """Create these users, in name order; the ones written, by externalId."""
    connection = await session.connection()
    rows = await connection.execute(
        insert_ignoring(connection.dialect.name, UserRow)
        .on_conflict_do_nothing()
        .returning(col(UserRow.external_id), col(UserRow.id)),
        [
            {"public_id": new_public_id("usr"), "workspace_id": workspace_id, "external_id": e}
            for e in sorted(external_ids)
        ],  # as parameters: one compiled statement, sent as one multi-row INSERT
    )
    return {external_id: row_id for external_id, row_id in rows if row_id is not None}
