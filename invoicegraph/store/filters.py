"""Filter pieces shared by lists: tag matching with * and ? wildcards."""

from sqlalchemy import ColumnElement, Select, and_, exists, inspect, or_, select
from sqlmodel import SQLModel

from invoicegraph.ledger.filters import TagPattern


def like_pattern(wildcard: str) -> str:
    """Translate * and ? into LIKE's % and _, escaping LIKE's own metacharacters with \\."""
    escaped = wildcard.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def owners_matching(
    tag_model: type[SQLModel], owner_column: str, *, workspace_id: int, pattern: TagPattern
) -> Select[int]:
    """The ids of the owners (invoices, transactions) that have a tag matching the pattern."""
    columns = inspect(tag_model).local_table.c
    return select(columns[owner_column]).where(
        columns["workspace_id"] == workspace_id,
        columns["key"] == pattern.key,
        columns["value"].like(like_pattern(pattern.value), escape="\\"),
    )


def tags_condition(
    tag_model: type[SQLModel],
    owner_column: str,
    owner_id: ColumnElement[int],
    *,
    all_of: list[TagPattern],
    any_of: list[TagPattern],
) -> ColumnElement[bool] | None:
    """EXISTS conditions on a tag table: every pattern of `all_of`, and one of `any_of`.

    LIKE is case-sensitive on both backends (SQLite connections set case_sensitive_like).
    """

    columns = inspect(tag_model).local_table.c

    def matches(pattern: TagPattern) -> ColumnElement[bool]:
        return exists(
            select(columns[owner_column]).where(
                columns[owner_column] == owner_id,
                columns["key"] == pattern.key,
                columns["value"].like(like_pattern(pattern.value), escape="\\"),
            )
        )

    conditions = [matches(pattern) for pattern in all_of]
    if any_of:
        conditions.append(or_(*(matches(pattern) for pattern in any_of)))
    return and_(*conditions) if conditions else None
