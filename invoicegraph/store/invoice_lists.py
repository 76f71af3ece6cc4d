"""Lists of invoices: the filter as SQL, keyset pages and counts."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    cast,
    exists,
    func,
    inspect,
    literal,
    not_,
    tuple_,
    union,
)
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.filters import InvoiceFilter, InvoiceOrder
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.filters import owners_matching, paid_by_tagged_transactions, tags_condition
from invoicegraph.store.object_filters import (
    account_condition,
    some_user_condition,
    user_balance_condition,
    user_balance_invoice_ids,
)
from invoicegraph.store.records import InvoiceRecord, fetch_records, select_of
from invoicegraph.store.search import matching_invoice_ids, rare_matches, search_words
from invoicegraph.store.tables import InvoiceRow, InvoiceTagRow, LineItemRow, PaymentRow


@dataclass(frozen=True, slots=True)
class InvoiceKey:
    """Where an invoice sits in an order: the order column's value, then the invoice's public
    id (cursors show no row id; the row id that breaks ties is looked up inside the seek)."""

    value: datetime | str
    public_id: str

    def bound(self, workspace_id: int) -> ColumnElement[Any]:
        """(value, row id) with the row id as a scalar subquery: NULL when the public id names
        none of the workspace's invoices, so the seek then matches nothing, and no other
        workspace's row is ever found."""
        row_id = (
            select(InvoiceRow.id)
            .where(InvoiceRow.workspace_id == workspace_id, InvoiceRow.public_id == self.public_id)
            .scalar_subquery()
        )
        return tuple_(self.value, row_id)


ORDER_COLUMNS = {
    "created": InvoiceRow.created,
    "modified": InvoiceRow.modified,
    "invoice_id": InvoiceRow.invoice_id,
}


def invoice_conditions(
    filter: InvoiceFilter, *, workspace_id: int, dialect: str, id_sets: Sequence[Select[int]] = ()
) -> list[ColumnElement[bool]]:
    """The filter as SQL; `id_sets` are small sets of ids the result must lie in (`narrowed`)."""
    conditions: list[ColumnElement[bool]] = [col(InvoiceRow.workspace_id) == workspace_id]
    conditions += [col(InvoiceRow.id).in_(id_set) for id_set in id_sets]
    if filter.statuses is not None:
        conditions.append(col(InvoiceRow.status).in_(filter.statuses))
    tags = tags_condition(
        InvoiceTagRow,
        "invoice_id",
        inspect(InvoiceRow).local_table.c["id"],
        all_of=filter.tags_all,
        any_of=filter.tags_any,
        dialect=dialect,
    )
    if tags is not None:
        conditions.append(tags)
    for user_id in filter.user_ids:
        conditions.append(
            col(InvoiceRow.id).in_(
                union(
                    select(LineItemRow.invoice_id).where(LineItemRow.user_id == user_id),
                    select(PaymentRow.invoice_id).where(PaymentRow.user_id == user_id),
                )
            )
        )
    conditions += object_conditions(filter, workspace_id=workspace_id, dialect=dialect)
    if filter.currency is not None:
        conditions.append(_has_line_item(col(LineItemRow.currency) == filter.currency))
    if filter.product_ids is not None:
        conditions.append(_has_line_item(col(LineItemRow.product_id).in_(filter.product_ids)))
    for column, after, before in (
        (col(InvoiceRow.created), filter.created_after, filter.created_before),
        (col(InvoiceRow.modified), filter.modified_after, filter.modified_before),
    ):
        if after is not None:
            conditions.append(column > after)
        if before is not None:
            conditions.append(column < before)
    for column, on_or_after, on_or_before in (
        (col(InvoiceRow.created), filter.created_on_or_after, filter.created_on_or_before),
        (col(InvoiceRow.modified), filter.modified_on_or_after, filter.modified_on_or_before),
    ):
        if on_or_after is not None:
            conditions.append(column >= on_or_after)
        if on_or_before is not None:
            conditions.append(column <= on_or_before)
    if filter.transaction_tags_all or filter.transaction_tags_any:
        conditions.append(
            col(InvoiceRow.id).in_(
                paid_by_tagged_transactions(
                    workspace_id=workspace_id,
                    all_of=filter.transaction_tags_all,
                    any_of=filter.transaction_tags_any,
                    dialect=dialect,
                )
            )
        )
    if filter.has_remaining is not None:
        conditions.append(col(InvoiceRow.has_remaining).is_(filter.has_remaining))
    if filter.ignore_zero:
        conditions.append(col(InvoiceRow.has_charge).is_(True))
    if filter.search is not None and (words := search_words(filter.search)):
        conditions.append(matching_invoice_ids(dialect, words))
    return conditions + document_conditions(filter)


def object_conditions(
    filter: InvoiceFilter, *, workspace_id: int, dialect: str
) -> list[ColumnElement[bool]]:
    """The parts over users, accounts and users' net remaining (store/object_filters.py)."""
    conditions: list[ColumnElement[bool]] = []
    if filter.users_any is not None:
        conditions.append(some_user_condition(filter.users_any))
    if filter.account_ids is not None:
        conditions.append(account_condition(filter.account_ids))
    if filter.user_balance is not None:
        conditions.append(
            user_balance_condition(filter.user_balance, workspace_id=workspace_id, dialect=dialect)
        )
    return conditions


def overdue_condition() -> ColumnElement[bool]:
    """OPEN and past its due date, as of now (ledger/documents.py's rule, in SQL)."""
    return and_(
        col(InvoiceRow.status) == InvoiceStatus.OPEN.value,
        col(InvoiceRow.due_date).is_not(None),
        col(InvoiceRow.due_date) < now(),
    )


def document_conditions(filter: InvoiceFilter) -> list[ColumnElement[bool]]:
    """Overdue, subscription, and Blocklet's defaults on kinds and recovery chains."""
    conditions: list[ColumnElement[bool]] = []
    if filter.overdue is not None:
        overdue = overdue_condition()
        conditions.append(overdue if filter.overdue else not_(overdue))
    if filter.subscription_ids is not None:
        conditions.append(col(InvoiceRow.subscription_id).in_(filter.subscription_ids))
    if excluded := filter.excluded_kinds():
        conditions.append(_kinds_left_out(tuple(excluded)))
    if not filter.include_recovered_from:
        conditions.append(_not_recovered())
    return conditions


@cache
def _kinds_left_out(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    """Built once per set of kinds: every list applies one by default, and building the
    expression anew cost a page of 100 invoices some 7% of its CPU."""
    return col(InvoiceRow.kind).not_in(kinds)


_INVOICES = inspect(InvoiceRow).local_table


def _not_recovered() -> ColumnElement[bool]:
    """No later invoice was recovered from this one (the default): a Core alias, made per
    statement (one shared by every statement made SQLAlchemy compile some of them again)."""
    later = _INVOICES.alias()
    return ~exists(sql_select(later.c.id).where(later.c.recovered_from_id == _INVOICES.c.id))


SELECTIVE = 2_000
"""Below this many matching rows, a filter part drives the query instead of being checked."""


async def narrowed(
    session: AsyncSession, filter: InvoiceFilter, workspace_id: int
) -> tuple[InvoiceFilter, list[Select[int]]]:
    """Turn a selective tag part and the productId part of a filter into sets of invoice ids.

    A part checked row by row (EXISTS) is fast while it matches often: the newest invoices
    soon fill the page. A rare one would make the database walk the whole index to fill it.
    So each such part is first counted, up to SELECTIVE rows, in one indexed statement (the
    same statement for every pattern); the rarest tag pattern, when rare enough, becomes
    `id IN (...)`, which the database reads first and then sorts, while every pattern is still
    checked row by row. A rare productId part becomes such a set instead of its check. At
    most one tag set and one product set: the statement has the same shape for any number of
    patterns.
    """
    rarest: tuple[int, Select[int]] | None = None
    for pattern in filter.tags_all:
        owners = owners_matching(
            InvoiceTagRow, "invoice_id", workspace_id=workspace_id, pattern=pattern
        )
        count = await _count_up_to_selective(session, owners)
        if count <= SELECTIVE and (rarest is None or count < rarest[0]):
            rarest = (count, owners)
    id_sets = [] if rarest is None else [rarest[1]]
    rest = filter
    if filter.user_balance is not None:
        balances = user_balance_invoice_ids(
            filter.user_balance, workspace_id=workspace_id, dialect=dialect_of(session)
        )
        if await _count_up_to_selective(session, balances) <= SELECTIVE:
            id_sets.append(balances)
            rest = replace(rest, user_balance=None)
    if filter.product_ids is not None:
        products = sql_select(col(LineItemRow.invoice_id)).where(
            col(LineItemRow.workspace_id) == workspace_id,
            col(LineItemRow.product_id).in_(filter.product_ids),
        )
        if await _count_up_to_selective(session, products) <= SELECTIVE:
            id_sets.append(products)
            rest = replace(rest, product_ids=None)
    if filter.search is not None and (words := search_words(filter.search)):
        found = await rare_matches(session, workspace_id=workspace_id, words=words, limit=SELECTIVE)
        if found is not None:
            id_sets.append(_listed(found, dialect_of(session)))
            rest = replace(rest, search=None)
    return rest, id_sets


def _listed(ids: list[int], dialect: str) -> Select[int]:
    """`ids` as rows of one parameter (the statement's text is the same for any number)."""
    data = json.dumps(ids)
    if dialect == "postgresql":
        elements = func.jsonb_array_elements_text(cast(literal(data), JSONB)).table_valued("value")
        return sql_select(cast(elements.c.value, BigInteger))
    return sql_select(func.json_each(literal(data)).table_valued("value").c.value)


async def _count_up_to_selective(session: AsyncSession, id_set: Select[int]) -> int:
    probe = select(func.count()).select_from(id_set.limit(SELECTIVE + 1).subquery())
    return (await session.exec(probe)).one()


def _has_line_item(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(LineItemRow.id).where(col(LineItemRow.invoice_id) == col(InvoiceRow.id), condition)
    )


async def list_invoices(
    session: AsyncSession,
    *,
    workspace_id: int,
    limit: int,
    filter: InvoiceFilter | None = None,
    order: InvoiceOrder | None = None,
    after: InvoiceKey | None = None,
    before: InvoiceKey | None = None,
    from_end: bool = False,
) -> list[InvoiceRecord]:
    """Up to `limit` matching invoices in `order`, strictly between the keys: a keyset seek.

    No OFFSET at any depth. With `from_end` the page is the one that ends at `before` (or at
    the end of the list), which is how `last` pages backwards; rows still come in `order`.
    """
    filter, order = filter or InvoiceFilter(), order or InvoiceOrder()
    column = col(ORDER_COLUMNS[order.field])
    key = tuple_(column, col(InvoiceRow.id))
    rest, id_sets = await narrowed(session, filter, workspace_id)
    conditions = invoice_conditions(
        rest, workspace_id=workspace_id, dialect=dialect_of(session), id_sets=id_sets
    )
    query = select_of(InvoiceRecord).where(*conditions)
    if after is not None:
        bound = after.bound(workspace_id)
        query = query.where(key < bound if order.descending else key > bound)
    if before is not None:
        bound = before.bound(workspace_id)
        query = query.where(key > bound if order.descending else key < bound)
    descending = order.descending != from_end
    if descending:
        query = query.order_by(column.desc(), col(InvoiceRow.id).desc())
    else:
        query = query.order_by(column.asc(), col(InvoiceRow.id).asc())
    rows = await fetch_records(session, InvoiceRecord, query.limit(limit))
    return rows[::-1] if from_end else rows


async def count_invoices(
    session: AsyncSession, *, workspace_id: int, filter: InvoiceFilter | None = None
) -> int:
    rest, id_sets = await narrowed(session, filter or InvoiceFilter(), workspace_id)
    conditions = invoice_conditions(
        rest, workspace_id=workspace_id, dialect=dialect_of(session), id_sets=id_sets
    )
    query = select(func.count()).select_from(InvoiceRow).where(*conditions)
    return (await session.exec(query)).one()
