"""A transaction's versions: snapshots written as the writes happen, and its tags replaced.

Snapshots are JSON like invoice versions (store/versions.py): amounts as decimal strings,
allocations with their payment's public id and the invoice's and user's row ids.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.history import TagsChanged
from invoicegraph.ledger.tags import Tag
from invoicegraph.ledger.transaction_history import (
    AllocationAdded,
    AllocationChanged,
    AllocationRemoved,
    AllocationState,
    TransactionChange,
    TransactionState,
)
from invoicegraph.store.tables import (
    PaymentRow,
    TransactionRow,
    TransactionTagRow,
    TransactionVersionRow,
)
from invoicegraph.store.versions import Json, tags_from_json, tags_to_json


def allocation_of(payment: PaymentRow) -> AllocationState:
    return AllocationState(
        payment_id=payment.public_id,
        invoice_id=payment.invoice_id,
        user_id=payment.user_id,
        type=FlowType(payment.type),
        amount=payment.amount,
    )


def allocation_to_json(allocation: AllocationState) -> Json:
    return {
        "paymentId": allocation.payment_id,
        "invoiceId": allocation.invoice_id,
        "userId": allocation.user_id,
        "type": allocation.type.value,
        "amount": str(allocation.amount),
    }


def allocation_from_json(data: Json) -> AllocationState:
    return AllocationState(
        payment_id=data["paymentId"],
        invoice_id=data["invoiceId"],
        user_id=data["userId"],
        type=FlowType(data["type"]),
        amount=int(data["amount"]),
    )


def change_to_json(change: TransactionChange) -> Json:
    match change:
        case AllocationAdded(allocation=allocation):
            return {"kind": "AllocationAdded", "allocation": allocation_to_json(allocation)}
        case AllocationRemoved(allocation=allocation):
            return {"kind": "AllocationRemoved", "allocation": allocation_to_json(allocation)}
        case AllocationChanged():
            return {
                "kind": "AllocationChanged",
                "paymentId": change.payment_id,
                "oldAmount": str(change.old_amount),
                "newAmount": str(change.new_amount),
            }
        case TagsChanged():
            return {
                "kind": "TagsChanged",
                "oldTags": tags_to_json(change.old_tags),
                "newTags": tags_to_json(change.new_tags),
            }


def change_from_json(data: Json) -> TransactionChange:
    match data["kind"]:
        case "AllocationAdded":
            return AllocationAdded(allocation_from_json(data["allocation"]))
        case "AllocationRemoved":
            return AllocationRemoved(allocation_from_json(data["allocation"]))
        case "AllocationChanged":
            return AllocationChanged(
                payment_id=data["paymentId"],
                old_amount=int(data["oldAmount"]),
                new_amount=int(data["newAmount"]),
            )
        case "TagsChanged":
            return TagsChanged(
                old_tags=tags_from_json(data["oldTags"]), new_tags=tags_from_json(data["newTags"])
            )
    raise ValueError(f"unknown change kind {data['kind']!r}")


def version_state(row: TransactionVersionRow) -> TransactionState:
    return TransactionState(
        tags=tags_from_json(row.tags),
        allocations=tuple(allocation_from_json(item) for item in row.allocations),
        unallocated=row.unallocated,
    )


def version_changes(row: TransactionVersionRow) -> list[TransactionChange]:
    return [change_from_json(change) for change in row.changes]


async def tags_of_transaction(session: AsyncSession, *, transaction_id: int) -> tuple[Tag, ...]:
    rows = await session.exec(
        select(TransactionTagRow)
        .where(col(TransactionTagRow.transaction_id) == transaction_id)
        .order_by(col(TransactionTagRow.position))
    )
    return tuple(Tag(key=row.key, value=row.value) for row in rows)


async def replace_transaction_tags(
    session: AsyncSession, *, transaction: TransactionRow, tags: tuple[Tag, ...]
) -> None:
    """The transaction's tags as given, instead of the ones it had."""
    connection = await session.connection()
    await connection.execute(
        delete(TransactionTagRow).where(col(TransactionTagRow.transaction_id) == transaction.id)
    )
    if tags:
        await connection.execute(
            insert(TransactionTagRow),
            [
                {
                    "transaction_id": transaction.id,
                    "workspace_id": transaction.workspace_id,
                    "key": tag.key,
                    "value": tag.value,
                    "position": position,
                }
                for position, tag in enumerate(tags)
            ],
        )


def version_values(
    transaction: TransactionRow,
    state: TransactionState,
    changes: list[TransactionChange],
    *,
    version: int,
    modified: datetime,
) -> dict[str, Any]:
    return {
        "transaction_id": transaction.id,
        "version": version,
        "workspace_id": transaction.workspace_id,
        "modified": modified,
        "tags": tags_to_json(state.tags),
        "allocations": [allocation_to_json(a) for a in state.allocations],
        "unallocated": state.unallocated,
        "changes": [change_to_json(change) for change in changes],
    }


async def insert_transaction_version(
    session: AsyncSession,
    *,
    transaction: TransactionRow,
    state: TransactionState,
    changes: list[TransactionChange],
    version: int,
    modified: datetime,
) -> None:
    connection = await session.connection()
    await connection.execute(
        insert(TransactionVersionRow),
        [version_values(transaction, state, changes, version=version, modified=modified)],
    )
