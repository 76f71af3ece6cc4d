"""Filter pieces shared by lists: tag matching with * and ? wildcards.

A list of tag patterns is bound as one JSON parameter and read as rows in SQL (`json_each` on
SQLite, `jsonb_array_elements` on PostgreSQL, in a CTE), so one statement serves any number of
patterns: SQLAlchemy compiles it once and keeps one entry in its statement cache, where an
EXISTS per pattern made a new statement (and a new cache entry) for every count of patterns.
"""

import json
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, inspect, literal, not_, select
from sqlalchemy import func as sql_func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import cast
from sqlmodel import SQLModel

from invoicegraph.ledger.filters import TagPattern
from invoicegraph.store.tables import PaymentRow, TransactionTagRow

LIKE_SPECIAL = {"\\": "\\\\", "%": "\\%", "_": "\\_"}
WILDCARDS = {"*": "%", "?": "_"}


def like_pattern(wildcard: str) -> str:
    """Translate * and ? into LIKE's % and _, escaping LIKE's own metacharacters with \\.

    FRAGMENT's escapes: a backslash before *, ? or \\ makes that character literal (so
    `\\**` is "starts with *"); any other backslash is itself, as it always was.
    """
    out: list[str] = []
    index = 0
    while index < len(wildcard):
        char = wildcard[index]
        following = wildcard[index + 1 : index + 2]
        if char == "\\" and following in ("*", "?", "\\"):
            out.append(LIKE_SPECIAL.get(following, following))
            index += 2
            continue
        out.append(WILDCARDS.get(char) or LIKE_SPECIAL.get(char, char))
        index += 1
    return "".join(out)


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
    dialect: str,
    names: tuple[str, str] = ("tag_patterns_all", "tag_patterns_any"),
) -> ColumnElement[bool] | None:
    """The owner has a tag matching every pattern of `all_of`, and one matching some pattern
    of `any_of`; each list is one bound parameter.

    LIKE is case-sensitive on both backends (SQLite connections set case_sensitive_like).
    """
    columns = inspect(tag_model).local_table.c

    def matching(patterns: list[TagPattern], name: str) -> tuple[Select[int], ColumnElement[bool]]:
        """(the patterns as rows, "a tag of the owner matches the current pattern row").

        The rows are a MATERIALIZED CTE: read once per statement, not parsed again for every
        owner checked (which made the check twice as slow as literal patterns; this is not).
        """
        data = json.dumps([[p.key, like_pattern(p.value)] for p in patterns])
        rows: Select[Any]
        if dialect == "postgresql":
            elements = sql_func.jsonb_array_elements(cast(literal(data), JSONB)).table_valued(
                "value"
            )
            rows = select(
                elements.c.value.op("->>")(literal(0)).label("key"),
                elements.c.value.op("->>")(literal(1)).label("pattern"),
            )
        else:
            elements = sql_func.json_each(literal(data)).table_valued("value")
            rows = select(
                sql_func.json_extract(elements.c.value, literal("$[0]")).label("key"),
                sql_func.json_extract(elements.c.value, literal("$[1]")).label("pattern"),
            )
        table = rows.cte(name).prefix_with("MATERIALIZED")
        tag = exists(
            select(columns[owner_column])
            .where(
                columns[owner_column] == owner_id,
                columns["key"] == table.c.key,
                columns["value"].like(table.c.pattern, escape="\\"),
            )
            .correlate_except(inspect(tag_model).local_table)  # the owner: two levels up
        )
        return select(literal(1)).select_from(table), tag

    conditions: list[ColumnElement[bool]] = []
    if all_of:
        patterns, tag = matching(all_of, names[0])
        conditions.append(not_(exists(patterns.where(not_(tag)))))
    if any_of:
        patterns, tag = matching(any_of, names[1])
        conditions.append(exists(patterns.where(tag)))
    return and_(*conditions) if conditions else None


def paid_by_tagged_transactions(
    *, workspace_id: int, all_of: list[TagPattern], any_of: list[TagPattern], dialect: str
) -> Select[int]:
    """The invoices with a payment from a transaction whose tags match (as tags_condition):
    payments by transaction (payments.transaction_id), tags by transaction and key."""
    payments = inspect(PaymentRow).local_table.c
    condition = tags_condition(
        TransactionTagRow,
        "transaction_id",
        payments["transaction_id"],
        all_of=all_of,
        any_of=any_of,
        dialect=dialect,
        names=("transaction_tag_patterns_all", "transaction_tag_patterns_any"),
    )
    assert condition is not None, "called with some pattern"
    return select(payments["invoice_id"]).where(payments["workspace_id"] == workspace_id, condition)
