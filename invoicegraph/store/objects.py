"""Objects a workspace names by its own key: users (externalId), products (code) and external
accounts (externalId). Created once under the key, found by public id or key, listed oldest
first in keyset pages (the cursor names a public id; the row id is looked up in the seek).
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, insert, inspect, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.filters import TagPattern
from invoicegraph.ledger.tags import Tag
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.filters import tags_condition
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import ExternalAccountRow, ProductRow, UserRow, UserTagRow
from invoicegraph.store.upsert import insert_ignoring

Keyed = TypeVar("Keyed", UserRow, ProductRow, ExternalAccountRow)

KEY_COLUMNS: dict[type[SQLModel], str] = {
    UserRow: "external_id",
    ProductRow: "code",
    ExternalAccountRow: "external_id",
}
PREFIXES: dict[type[SQLModel], str] = {UserRow: "usr", ProductRow: "prd", ExternalAccountRow: "eac"}


async def insert_keyed(
    session: AsyncSession, model: type[Keyed], *, workspace_id: int, values: dict[str, Any]
) -> Keyed | None:
    """The new row, or None when the workspace already has its key (on PostgreSQL after
    waiting for a concurrent writer of the same key)."""
    connection = await session.connection()
    row_values: dict[str, Any] = {
        "public_id": new_public_id(PREFIXES[model]),
        "workspace_id": workspace_id,
        **values,
    }
    table = inspect(model).local_table
    claimed = await connection.execute(
        insert_ignoring(connection.dialect.name, model)
        .values(row_values)
        .on_conflict_do_nothing(index_elements=["workspace_id", KEY_COLUMNS[model]])
        .returning(table.c["id"])
    )
    row_id = claimed.scalar()
    return None if row_id is None else model(id=row_id, **row_values)


async def get_keyed(
    session: AsyncSession,
    model: type[Keyed],
    *,
    workspace_id: int,
    public_id: str | None = None,
    key: str | None = None,
) -> Keyed | None:
    """The workspace's object by public id or by key; None when unknown."""
    columns = inspect(model).local_table.c
    query = select(model).where(columns["workspace_id"] == workspace_id)
    if public_id is not None:
        query = query.where(columns["public_id"] == public_id)
    if key is not None:
        query = query.where(columns[KEY_COLUMNS[model]] == key)
    return (await session.exec(query)).first()


async def list_keyed(
    session: AsyncSession,
    model: type[Keyed],
    *,
    workspace_id: int,
    limit: int,
    after: str | None = None,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> list[Keyed]:
    """Up to `limit` objects, oldest first, after the one with public id `after`: one
    statement (an unknown or foreign `after` matches nothing)."""
    columns = inspect(model).local_table.c
    query = select(model).where(columns["workspace_id"] == workspace_id, *conditions)
    if after is not None:
        bound = (
            select(columns["id"])
            .where(columns["workspace_id"] == workspace_id, columns["public_id"] == after)
            .scalar_subquery()
        )
        query = query.where(columns["id"] > bound)
    return list(await session.exec(query.order_by(columns["id"]).limit(limit)))


def user_tag_conditions(
    session: AsyncSession, *, all_of: list[TagPattern], any_of: list[TagPattern]
) -> list[ColumnElement[bool]]:
    """Users with a tag matching every pattern of `all_of` and one of `any_of`."""
    condition = tags_condition(
        UserTagRow,
        "user_id",
        inspect(UserRow).local_table.c["id"],
        all_of=all_of,
        any_of=any_of,
        dialect=dialect_of(session),
    )
    return [] if condition is None else [condition]


async def adopt_user(
    session: AsyncSession, *, workspace_id: int, external_id: str, fingerprint: str
) -> UserRow | None:
    """Give createUser's fingerprint to a user a line item created (it has none): the user is
    then createUser's. None when the user has a fingerprint already (or does not exist)."""
    adopted = await session.exec(
        update(UserRow)
        .where(
            col(UserRow.workspace_id) == workspace_id,
            col(UserRow.external_id) == external_id,
            col(UserRow.request_hash).is_(None),
        )
        .values(request_hash=fingerprint)
        .returning(col(UserRow.id), col(UserRow.public_id))
    )
    found = adopted.first()
    if found is None:
        return None
    row_id, public_id = found
    return UserRow(
        id=row_id,
        public_id=public_id,
        workspace_id=workspace_id,
        external_id=external_id,
        request_hash=fingerprint,
    )


async def replace_user_tags(
    session: AsyncSession, *, workspace_id: int, user_id: int, tags: Sequence[Tag]
) -> None:
    """The user's tags become `tags`, in this order."""
    connection = await session.connection()
    await connection.execute(delete(UserTagRow).where(col(UserTagRow.user_id) == user_id))
    if tags:
        await connection.execute(
            insert(UserTagRow),
            [
                {
                    "user_id": user_id,
                    "workspace_id": workspace_id,
                    "key": tag.key,
                    "value": tag.value,
                    "position": position,
                }
                for position, tag in enumerate(tags)
            ],
        )


async def user_tags(session: AsyncSession, *, user_id: int) -> list[Tag]:
    rows = await session.exec(
        select(UserTagRow).where(UserTagRow.user_id == user_id).order_by(col(UserTagRow.position))
    )
    return [Tag(key=row.key, value=row.value) for row in rows]


async def lock_user(session: AsyncSession, *, user_id: int) -> None:
    """Hold the user until the transaction ends (PostgreSQL; SQLite's writer holds all), so
    two tag updates of one user apply one after the other."""
    if dialect_of(session) == "postgresql":
        await session.exec(
            select(UserRow.id).where(col(UserRow.id) == user_id).with_for_update(key_share=True)
        )
