"""The invoice aggregate: the invoice row, its tags, its line items and its versions.

Writers lock the invoice row first (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every write
transaction already holds the database's single write lock from BEGIN IMMEDIATE), and advance
the version with a conditional UPDATE, so two writers can never both apply to one version.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy import select as sql_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.documents import InvoiceDocument
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import VersionConflict
from invoicegraph.ledger.history import Change, InvoiceState, LineItemState
from invoicegraph.ledger.settlement import MoneyFlags, MoneyKey, sum_by_key
from invoicegraph.ledger.user_totals import expected_change
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.numbering import give_back_numbers, next_numbers
from invoicegraph.store.search import index_invoice, index_invoices
from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceTagRow,
    InvoiceVersionRow,
    LineItemRow,
)
from invoicegraph.store.upsert import insert_ignoring
from invoicegraph.store.user_balances import insert_user_nets
from invoicegraph.store.user_totals import move_expected_totals
from invoicegraph.store.versions import (
    change_to_json,
    current_state,
    line_item_to_json,
    tags_to_json,
)


async def get_invoice(
    session: AsyncSession,
    *,
    workspace_id: int,
    public_id: str | None = None,
    invoice_id: str | None = None,
    for_update: bool = False,
) -> InvoiceRow | None:
    """An invoice of this workspace by our id or the caller's invoiceId; None when not visible."""
    query = select(InvoiceRow).where(InvoiceRow.workspace_id == workspace_id)
    if public_id is not None:
        query = query.where(InvoiceRow.public_id == public_id)
    if invoice_id is not None:
        query = query.where(InvoiceRow.invoice_id == invoice_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def get_invoices_by_key(
    session: AsyncSession, *, workspace_id: int, keys: Sequence[str]
) -> dict[str, InvoiceRow]:
    """The invoices of this workspace with these invoiceIds, by invoiceId (one statement)."""
    if not keys:
        return {}
    rows = await session.exec(
        select(InvoiceRow).where(
            InvoiceRow.workspace_id == workspace_id, col(InvoiceRow.invoice_id).in_(set(keys))
        )
    )
    return {row.invoice_id: row for row in rows}


async def get_state(session: AsyncSession, *, invoice: InvoiceRow) -> InvoiceState:
    """The invoice as it stands: status, tags and line items."""
    tags = await session.exec(
        select(InvoiceTagRow)
        .where(InvoiceTagRow.invoice_id == invoice.id)
        .order_by(col(InvoiceTagRow.position))
    )
    items = await session.exec(
        select(LineItemRow)
        .where(LineItemRow.invoice_id == invoice.id)
        .order_by(col(LineItemRow.id))
    )
    return current_state(invoice.status, list(tags), list(items))


async def _write_line_items(
    session: AsyncSession, *, invoice: InvoiceRow, old: InvoiceState, new: InvoiceState
) -> None:
    assert invoice.id is not None
    connection = await session.connection()
    before = {item.line_item_id: item for item in old.line_items}
    after = {item.line_item_id: item for item in new.line_items}
    if gone := [key for key in before if key not in after]:
        await connection.execute(delete(LineItemRow).where(col(LineItemRow.public_id).in_(gone)))
    if added := [
        _line_item_values(invoice, item) for key, item in after.items() if key not in before
    ]:
        await connection.execute(insert(LineItemRow), added)
    for key, item in after.items():
        if key in before and before[key] != item:
            await connection.execute(
                update(LineItemRow)
                .where(col(LineItemRow.public_id) == key)
                .values(
                    description=item.description,
                    amount=item.price.amount,
                    unit_price=item.price.unit_price,
                    quantity=item.price.quantity,
                    tags=tags_to_json(item.tags),
                    discount=item.discount,
                    due=item.due,
                )
            )


def _line_item_values(invoice: InvoiceRow, item: LineItemState) -> dict[str, Any]:
    return {
        "public_id": item.line_item_id,
        "workspace_id": invoice.workspace_id,
        "invoice_id": invoice.id,
        "user_id": item.user_id,
        "description": item.description,
        "product_id": item.product_id,
        "type": item.type.value,
        "currency": item.currency,
        "amount": item.price.amount,
        "unit_price": item.price.unit_price,
        "quantity": item.price.quantity,
        "tags": tags_to_json(item.tags),
        "tax_rate": item.tax_rate,
        "discount": item.discount,
        "due": item.due,
        "period_start": None if item.period is None else item.period.start,
        "period_end": None if item.period is None else item.period.end,
    }


async def _replace_tags(session: AsyncSession, *, invoice: InvoiceRow, state: InvoiceState) -> None:
    """The invoice's tags as `state` has them, instead of the ones it had."""
    connection = await session.connection()
    await connection.execute(
        delete(InvoiceTagRow).where(col(InvoiceTagRow.invoice_id) == invoice.id)
    )
    if state.tags:
        await connection.execute(
            insert(InvoiceTagRow),
            [
                {
                    "invoice_id": invoice.id,
                    "workspace_id": invoice.workspace_id,
                    "key": tag.key,
                    "value": tag.value,
                    "position": position,
                }
                for position, tag in enumerate(state.tags)
            ],
        )


def _version_values(
    invoice: InvoiceRow, state: InvoiceState, changes: list[Change], now: datetime
) -> dict[str, Any]:
    return {
        "invoice_id": invoice.id,
        "version": invoice.version,
        "workspace_id": invoice.workspace_id,
        "modified": now,
        "status": state.status.value,
        "tags": tags_to_json(state.tags),
        "line_items": [line_item_to_json(item) for item in state.line_items],
        "changes": [change_to_json(change) for change in changes],
    }


async def _insert_version(
    session: AsyncSession,
    invoice: InvoiceRow,
    state: InvoiceState,
    changes: list[Change],
    now: datetime,
) -> None:
    connection = await session.connection()
    await connection.execute(
        insert(InvoiceVersionRow).values(**_version_values(invoice, state, changes, now))
    )


@dataclass(frozen=True, slots=True)
class NewInvoice:
    invoice_id: str
    state: InvoiceState
    flags: MoneyFlags
    fingerprint: str
    document: InvoiceDocument = field(default_factory=InvoiceDocument)
    recovered_from_id: int | None = None
    """The row id of the invoice `document.recovered_from` names, resolved by the caller."""
    stake_id: int | None = None
    """For a stake return: the stake's row id."""


def _document_values(new: NewInvoice) -> dict[str, Any]:
    document = new.document
    return {
        "kind": document.kind.value,
        "description": document.description,
        "footer": document.footer,
        "due_date": document.due_date,
        "period_start": None if document.period is None else document.period.start,
        "period_end": None if document.period is None else document.period.end,
        "subscription_id": document.subscription_id,
        "recovered_from_id": new.recovered_from_id,
        "stake_id": new.stake_id,
    }


async def assign_number(session: AsyncSession, *, invoice: InvoiceRow) -> str:
    """Give the invoice the workspace's next number, as it leaves DRAFT (updated in place)."""
    (number,) = await next_numbers(session, workspace_id=invoice.workspace_id, count=1)
    connection = await session.connection()
    await connection.execute(
        update(InvoiceRow).where(col(InvoiceRow.id) == invoice.id).values(number=number)
    )
    set_committed_value(invoice, "number", number)
    return number


async def insert_invoices(
    session: AsyncSession,
    *,
    workspace_id: int,
    invoices: Sequence[NewInvoice],
    now: datetime,
    external_ids: Mapping[int, str] | None = None,
) -> dict[str, InvoiceRow]:
    """Write new invoices with their tags, line items and version 1, in the caller's
    transaction: the rows written, by invoiceId. An invoiceId the workspace already has is
    left out and nothing of it is written (on PostgreSQL, after waiting for a concurrent writer
    of the same key to finish). `external_ids`: the users' externalIds the caller knows, by
    row id, for the search index (the others are read).

    Plain INSERTs on the session's connection, past the ORM's unit of work, one statement per
    table whatever the number of invoices: the writes are known in full, and the identity map
    would only cost time. The numbers of the invoices that leave DRAFT are claimed first and
    written with the rows; only when a key was taken are they closed up again (no gap). The
    rows returned are not in the session.
    """
    if not invoices:
        return {}
    numbered = [new for new in invoices if new.state.status is not InvoiceStatus.DRAFT]
    numbers = dict(
        zip(
            (new.invoice_id for new in numbered),
            await next_numbers(session, workspace_id=workspace_id, count=len(numbered)),
            strict=True,
        )
    )
    values: list[dict[str, Any]] = [
        {
            "public_id": new_public_id("inv"),
            "workspace_id": workspace_id,
            "invoice_id": new.invoice_id,
            "status": new.state.status.value,
            "version": 1,
            "created": now,
            "modified": now,
            "request_hash": new.fingerprint,
            "has_charge": new.flags.has_charge,
            "has_remaining": new.flags.has_remaining,
            "number": numbers.get(new.invoice_id),
            **_document_values(new),
        }
        for new in invoices
    ]
    connection = await session.connection()
    # rows as parameters, not `.values(rows)`: one compiled statement whatever their number
    # (SQLAlchemy's insertmanyvalues still sends them as one multi-row INSERT ... RETURNING)
    claimed = await connection.execute(
        insert_ignoring(connection.dialect.name, InvoiceRow)
        .on_conflict_do_nothing(index_elements=["workspace_id", "invoice_id"])
        .returning(col(InvoiceRow.id), col(InvoiceRow.invoice_id)),
        values,
    )
    row_ids = {invoice_id: row_id for row_id, invoice_id in claimed}
    rows = {
        value["invoice_id"]: InvoiceRow(id=row_ids[value["invoice_id"]], **value)
        for value in values
        if value["invoice_id"] in row_ids
    }
    written = [(rows[new.invoice_id], new.state) for new in invoices if new.invoice_id in rows]
    if len(rows) < len(invoices):
        kept = [rows[new.invoice_id] for new in numbered if new.invoice_id in rows]
        await _close_up_numbers(session, workspace_id, kept, list(numbers.values()))
    tags = [
        {
            "invoice_id": row.id,
            "workspace_id": row.workspace_id,
            "key": tag.key,
            "value": tag.value,
            "position": position,
        }
        for row, state in written
        for position, tag in enumerate(state.tags)
    ]
    if tags:
        await connection.execute(insert(InvoiceTagRow), tags)
    items = [_line_item_values(row, item) for row, state in written for item in state.line_items]
    if items:
        await connection.execute(insert(LineItemRow), items)
    await insert_user_nets(
        session,
        workspace_id=workspace_id,
        nets={
            row_id: new.flags.user_nets
            for new in invoices
            if (row_id := row_ids.get(new.invoice_id)) is not None
        },
    )
    if written:
        versions = [_version_values(row, state, [], now) for row, state in written]
        await connection.execute(insert(InvoiceVersionRow), versions)
    await move_expected_totals(
        session,
        workspace_id=workspace_id,
        changes=_summed(expected_change(None, state) for _, state in written),
    )
    await index_invoices(session, written, new=True, known=external_ids)
    return rows


def _summed(changes: Iterable[Mapping[MoneyKey, int]]) -> dict[MoneyKey, int]:
    return sum_by_key((key, amount) for change in changes for key, amount in change.items())


async def _close_up_numbers(
    session: AsyncSession, workspace_id: int, written: list[InvoiceRow], claimed: list[str]
) -> None:
    """Some invoices were not written (their key was taken): the ones written take the first
    of the numbers claimed, in order, and the rest go back to the sequence, so a taken key
    leaves no gap. Moving each number down in order never meets a number still held."""
    keep = claimed[: len(written)]
    moved = [(row, new) for row, new in zip(written, keep, strict=True) if row.number != new]
    connection = await session.connection()
    if moved:
        await connection.execute(
            update(InvoiceRow)
            .where(col(InvoiceRow.id) == bindparam("row_id"))
            .values(number=bindparam("row_number")),
            [{"row_id": row.id, "row_number": number} for row, number in moved],
        )
        for row, number in moved:
            row.number = number
    await give_back_numbers(session, workspace_id=workspace_id, count=len(claimed) - len(keep))


async def write_version(
    session: AsyncSession,
    *,
    invoice: InvoiceRow,
    expected_version: int,
    old: InvoiceState,
    new: InvoiceState,
    changes: list[Change],
    now: datetime,
) -> InvoiceRow:
    """Apply a change to the invoice as its next version, iff it is still at `expected_version`.

    `invoice` is updated in place (without a reload) to the new version, status and instant.
    """
    connection = await session.connection()
    bumped = await connection.execute(
        update(InvoiceRow)
        .where(col(InvoiceRow.id) == invoice.id, col(InvoiceRow.version) == expected_version)
        .values(version=expected_version + 1, modified=now, status=new.status.value)
    )
    if bumped.rowcount != 1:
        current = await connection.execute(
            sql_select(col(InvoiceRow.version)).where(col(InvoiceRow.id) == invoice.id)
        )
        raise VersionConflict(expected=expected_version, current=current.scalar_one())
    for name, value in (
        ("version", expected_version + 1),
        ("modified", now),
        ("status", new.status.value),
    ):
        set_committed_value(invoice, name, value)
    if new.tags != old.tags:
        await _replace_tags(session, invoice=invoice, state=new)
    await _write_line_items(session, invoice=invoice, old=old, new=new)
    await move_expected_totals(
        session, workspace_id=invoice.workspace_id, changes=expected_change(old, new)
    )
    await _insert_version(session, invoice, new, changes, now)
    if (new.tags, new.line_items) != (old.tags, old.line_items):
        await index_invoice(session, invoice=invoice, state=new)
    return invoice
