"""Invoice list parts over users, accounts and users' net remaining (FRAGMENT's `users`,
account and `userTagAndBalance` filters), as SQL on the invoices row."""

import operator
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, inspect, union
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from invoicegraph.ledger.filters import UserBalanceFilter
from invoicegraph.store.filters import tags_condition
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


def _balance_conditions(
    filter: UserBalanceFilter, *, workspace_id: int, dialect: str
) -> list[ColumnElement[bool]]:
    net = col(InvoiceUserBalanceRow.net_remaining)
    conditions = [_OPERATORS[name](net, amount) for name, amount in filter.comparisons]
    if filter.tags_all or filter.tags_any:
        tags = tags_condition(
            UserTagRow,
            "user_id",
            inspect(UserRow).local_table.c["id"],
            all_of=filter.tags_all,
            any_of=filter.tags_any,
            dialect=dialect,
        )
        tagged = select(UserRow.id).where(UserRow.workspace_id == workspace_id)
        if tags is not None:
            tagged = tagged.where(tags)
        conditions.append(col(InvoiceUserBalanceRow.user_id).in_(tagged))
    else:
        conditions.append(col(InvoiceUserBalanceRow.workspace_id) == workspace_id)
    return conditions


def user_balance_condition(
    filter: UserBalanceFilter, *, workspace_id: int, dialect: str
) -> ColumnElement[bool]:
    """Checked invoice by invoice (its balance rows, by primary key): fast while it matches
    often, as the newest invoices then fill the page."""
    return exists(
        select(InvoiceUserBalanceRow.invoice_id).where(
            col(InvoiceUserBalanceRow.invoice_id) == col(InvoiceRow.id),
            *_balance_conditions(filter, workspace_id=workspace_id, dialect=dialect),
        )
    )


def user_balance_invoice_ids(
    filter: UserBalanceFilter, *, workspace_id: int, dialect: str
) -> Select[Any]:
    """The matching invoices' ids, read from the (user, net) or (workspace, net) index: what a
    rare match is driven by."""
    return sql_select(col(InvoiceUserBalanceRow.invoice_id)).where(
        *_balance_conditions(filter, workspace_id=workspace_id, dialect=dialect)
    )
