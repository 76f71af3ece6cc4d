"""Users: named by our id or by the caller's externalId, created on first mention by externalId."""

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import UserRow
from invoicegraph.store.upsert import insert_ignoring_conflicts


async def resolve_users(
    session: AsyncSession, *, workspace_id: int, refs: Iterable[tuple[Path, UserRef]]
) -> tuple[dict[UserRef, int], list[FieldProblem]]:
    """Map every reference to a user row id, creating users for unknown externalIds.

    Returns the problems for ids that name no user of this workspace instead of raising, so the
    caller can report them together with every other problem of the input. Three statements at
    most, whatever the number of references.
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
        await insert_ignoring_conflicts(
            session,
            UserRow,
            [
                {"public_id": new_public_id("usr"), "workspace_id": workspace_id, "external_id": e}
                for e in sorted(external_ids)
            ],
        )
        rows = await session.exec(
            select(UserRow.external_id, UserRow.id).where(
                UserRow.workspace_id == workspace_id, col(UserRow.external_id).in_(external_ids)
            )
        )
        resolved.update({UserRef(external_id=ext): row_id for ext, row_id in rows if row_id})

    problems = [
        FieldProblem((*path, "id"), f"no user has the id {ref.id!r}")
        for path, ref in refs
        if ref not in resolved
    ]
    return resolved, problems
