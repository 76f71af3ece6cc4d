"""Invoice list parts over users, accounts and users' net remaining (FRAGMENT's `users`,
account and `userTagAndBalance` filters), as SQL on the invoices row."""

import operator
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, inspect, union
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from invoicegraph.ledger.filters import UserBalanceFilter
from invoicegraph.store.filters import like_pattern, tags_condition
from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceUserBalanceRow,
    LineItemRow,
    PaymentRow,
    TransactionRow,
    UserRow,
    UserTagRow,
)

_OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def some_user_condition(user_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """One of these users has a line item or payment on the invoice."""
    return col(InvoiceRow.id).in_(
        union(
            select(LineItemRow.invoice_id).where(col(LineItemRow.user_id).in_(user_ids)),
            select(PaymentRow.invoice_id).where(col(PaymentRow.user_id).in_(user_ids)),
        )
    )


def account_condition(account_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Some payment of the invoice is of a transaction posted on one of these accounts."""
    return exists(
        sql_select(col(PaymentRow.id))
        .join(TransactionRow, col(TransactionRow.id) == col(PaymentRow.transaction_id))
        .where(
            col(PaymentRow.invoice_id) == col(InvoiceRow.id),
            col(TransactionRow.account_id).in_(account_ids),
        )
    )


def _comparisons(filter: UserBalanceFilter) -> list[ColumnElement[bool]]:
    net = col(InvoiceUserBalanceRow.net_remaining)
    return [_OPERATORS[name](net, amount) for name, amount in filter.comparisons]


def _user_tags(
    filter: UserBalanceFilter, owner: ColumnElement[int], dialect: str
) -> ColumnElement[bool] | None:
    return tags_condition(
        UserTagRow,
        "user_id",
        owner,
        all_of=filter.tags_all,
        any_of=filter.tags_any,
        dialect=dialect,
    )


def user_balance_condition(
    filter: UserBalanceFilter, *, workspace_id: int, dialect: str
) -> ColumnElement[bool]:
    """Checked invoice by invoice: its balance rows (by primary key), each row's user's tags
    (by the user's tag keys). Fast while it matches often, as the newest invoices then fill
    the page; `user_balance_invoice_ids` serves the rare match."""
    conditions = [
        col(InvoiceUserBalanceRow.invoice_id) == col(InvoiceRow.id),
        *_comparisons(filter),
    ]
    owner = inspect(InvoiceUserBalanceRow).local_table.c["user_id"]
    if (tags := _user_tags(filter, owner, dialect)) is not None:
        conditions.append(tags)
    return exists(select(InvoiceUserBalanceRow.invoice_id).where(*conditions))


def user_balance_invoice_ids(
    filter: UserBalanceFilter, *, workspace_id: int, dialect: str
) -> Select[Any]:
    """The matching invoices' ids, driven by an index: from the users with a tag matching the
    first `all` pattern (user_tags' (workspace, key, value) index), then their balance rows
    ((user, net) index); from the users with a tag matching some `any` pattern when `all` is
    empty; from the (workspace, net) index without tags."""
    balances = sql_select(col(InvoiceUserBalanceRow.invoice_id))
    if filter.tags_all:
        first = filter.tags_all[0]
        driver = aliased(UserTagRow)
        query = balances.join(driver, col(driver.user_id) == col(InvoiceUserBalanceRow.user_id))
        query = query.where(
            col(driver.workspace_id) == workspace_id,
            col(driver.key) == first.key,
            col(driver.value).like(like_pattern(first.value), escape="\\"),
            *_comparisons(filter),
        )
        rest = replace(filter, tags_all=filter.tags_all[1:])  # the driver matched the first
        tags = _user_tags(rest, inspect(driver).selectable.c["user_id"], dialect)
        return query if tags is None else query.where(tags)
    if filter.tags_any:
        tagged = select(UserRow.id).where(UserRow.workspace_id == workspace_id)
        tags = _user_tags(filter, inspect(UserRow).local_table.c["id"], dialect)
        assert tags is not None
        return balances.where(
            col(InvoiceUserBalanceRow.user_id).in_(tagged.where(tags)), *_comparisons(filter)
        )
    return balances.where(
        col(InvoiceUserBalanceRow.workspace_id) == workspace_id, *_comparisons(filter)
    )
