"""The invoice aggregate: the invoice row, its tags, its line items and its versions.

Writers lock the invoice row first (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every write
transaction already holds the database's single write lock from BEGIN IMMEDIATE), and advance
the version with a conditional UPDATE, so two writers can never both apply to one version.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    exists,
    false,
    func,
    inspect,
    tuple_,
    union,
    update,
)
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import VersionConflict
from invoicegraph.ledger.history import Change, InvoiceState, LineItemState
from invoicegraph.ledger.invoices import UserRef, ValidInvoice
from invoicegraph.store.engine import dialect_of
from invoicegraph.store.filters import TagPattern, owners_matching, tags_condition
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.records import InvoiceRecord, fetch_records, select_of
from invoicegraph.store.search import index_invoice, matching_invoice_ids
from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceTagRow,
    InvoiceVersionRow,
    LineItemRow,
    PaymentRow,
)
from invoicegraph.store.versions import (
    change_to_json,
    current_state,
    line_item_to_json,
    tags_to_json,
)

EMPTY = InvoiceState(status=InvoiceStatus.DRAFT, tags=(), line_items=())


@dataclass(frozen=True, slots=True)
class InvoiceKey:
    """Where an invoice sits in an order: the order column's value, then its id."""

    value: datetime | str
    id: int


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
    before = {item.line_item_id: item for item in old.line_items}
    after = {item.line_item_id: item for item in new.line_items}
    if gone := [key for key in before if key not in after]:
        await session.exec(delete(LineItemRow).where(col(LineItemRow.public_id).in_(gone)))
    for key, item in after.items():
        if key not in before:
            session.add(_line_item_row(invoice, item))
        elif before[key] != item:
            await session.exec(
                update(LineItemRow)
                .where(col(LineItemRow.public_id) == key)
                .values(
                    description=item.description,
                    amount=item.price.amount,
                    unit_price=item.price.unit_price,
                    quantity=item.price.quantity,
                    tags=tags_to_json(item.tags),
                )
            )


def _line_item_row(invoice: InvoiceRow, item: LineItemState) -> LineItemRow:
    assert invoice.id is not None
    return LineItemRow(
        public_id=item.line_item_id,
        workspace_id=invoice.workspace_id,
        invoice_id=invoice.id,
        user_id=item.user_id,
        description=item.description,
        product_id=item.product_id,
        type=item.type.value,
        currency=item.currency,
        amount=item.price.amount,
        unit_price=item.price.unit_price,
        quantity=item.price.quantity,
        tags=tags_to_json(item.tags),
    )


async def _write_tags(session: AsyncSession, *, invoice: InvoiceRow, state: InvoiceState) -> None:
    assert invoice.id is not None
    await session.exec(delete(InvoiceTagRow).where(col(InvoiceTagRow.invoice_id) == invoice.id))
    session.add_all(
        InvoiceTagRow(
            invoice_id=invoice.id,
            workspace_id=invoice.workspace_id,
            key=tag.key,
            value=tag.value,
            position=position,
        )
        for position, tag in enumerate(state.tags)
    )


def _version_row(
    invoice: InvoiceRow, state: InvoiceState, changes: list[Change], now: datetime
) -> InvoiceVersionRow:
    assert invoice.id is not None
    return InvoiceVersionRow(
        invoice_id=invoice.id,
        version=invoice.version,
        workspace_id=invoice.workspace_id,
        modified=now,
        status=state.status.value,
        tags=tags_to_json(state.tags),
        line_items=[line_item_to_json(item) for item in state.line_items],
        changes=[change_to_json(change) for change in changes],
    )


async def insert_invoice(
    session: AsyncSession,
    *,
    workspace_id: int,
    invoice: ValidInvoice,
    user_ids: Mapping[UserRef, int],
    fingerprint: str,
    now: datetime,
) -> InvoiceRow:
    """Write a new invoice with its tags, line items and version 1, in the caller's transaction."""
    state = InvoiceState(
        status=InvoiceStatus.DRAFT if invoice.draft else InvoiceStatus.OPEN,
        tags=invoice.tags,
        line_items=tuple(
            spec.placed(line_item_id=new_public_id("li"), user_id=user_ids[spec.user])
            for spec in invoice.line_items
        ),
    )
    has_charge = any(item.price.amount > 0 for item in state.line_items)
    row = InvoiceRow(
        public_id=new_public_id("inv"),
        workspace_id=workspace_id,
        invoice_id=invoice.invoice_id,
        status=state.status.value,
        version=1,
        created=now,
        modified=now,
        request_hash=fingerprint,
        has_charge=has_charge,
        has_remaining=has_charge,  # nothing is paid yet, and amounts are never negative
    )
    session.add(row)
    await session.flush()
    await _write_tags(session, invoice=row, state=state)
    await _write_line_items(session, invoice=row, old=EMPTY, new=state)
    session.add(_version_row(row, state, [], now))
    await index_invoice(session, invoice=row, state=state)
    await session.flush()
    return row


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
    """Apply a change to the invoice as its next version, iff it is still at `expected_version`."""
    bumped = await session.exec(
        update(InvoiceRow)
        .where(col(InvoiceRow.id) == invoice.id, col(InvoiceRow.version) == expected_version)
        .values(version=expected_version + 1, modified=now, status=new.status.value)
    )
    if bumped.rowcount != 1:
        current = await session.exec(select(InvoiceRow.version).where(InvoiceRow.id == invoice.id))
        raise VersionConflict(expected=expected_version, current=current.one())
    await session.refresh(invoice)
    if new.tags != old.tags:
        await _write_tags(session, invoice=invoice, state=new)
    await _write_line_items(session, invoice=invoice, old=old, new=new)
    session.add(_version_row(invoice, new, changes, now))
    if (new.tags, new.line_items) != (old.tags, old.line_items):
        await index_invoice(session, invoice=invoice, state=new)
    await session.flush()
    return invoice


ORDER_COLUMNS = {
    "created": InvoiceRow.created,
    "modified": InvoiceRow.modified,
    "invoice_id": InvoiceRow.invoice_id,
}


@dataclass(frozen=True, slots=True)
class InvoiceOrder:
    """The order of a list: a column of `ORDER_COLUMNS`, then the row id as a tiebreaker."""

    field: str = "created"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    """Every given part must hold (AND)."""

    statuses: list[str] | None = None
    tags_all: list[TagPattern] = field(default_factory=list)
    tags_any: list[TagPattern] = field(default_factory=list)
    user_ids: tuple[int, ...] = ()
    """Each of these users has a line item or payment on the invoice."""
    currency: str | None = None
    product_ids: list[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    has_remaining: bool | None = None
    ignore_zero: bool = False
    search: list[str] | None = None
    """Words that must all appear; an empty list matches nothing."""
    id_sets: list[Select[int]] = field(default_factory=list)
    """Small sets of invoice ids the result must lie in (see `narrowed`)."""

    def conditions(self, workspace_id: int, dialect: str) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [col(InvoiceRow.workspace_id) == workspace_id]
        conditions += [col(InvoiceRow.id).in_(id_set) for id_set in self.id_sets]
        if self.statuses is not None:
            conditions.append(col(InvoiceRow.status).in_(self.statuses))
        tags = tags_condition(
            InvoiceTagRow,
            "invoice_id",
            inspect(InvoiceRow).local_table.c["id"],
            all_of=self.tags_all,
            any_of=self.tags_any,
        )
        if tags is not None:
            conditions.append(tags)
        for user_id in self.user_ids:
            conditions.append(
                col(InvoiceRow.id).in_(
                    union(
                        select(LineItemRow.invoice_id).where(LineItemRow.user_id == user_id),
                        select(PaymentRow.invoice_id).where(PaymentRow.user_id == user_id),
                    )
                )
            )
        if self.currency is not None:
            conditions.append(_has_line_item(col(LineItemRow.currency) == self.currency))
        if self.product_ids is not None:
            conditions.append(_has_line_item(col(LineItemRow.product_id).in_(self.product_ids)))
        for column, after, before in (
            (col(InvoiceRow.created), self.created_after, self.created_before),
            (col(InvoiceRow.modified), self.modified_after, self.modified_before),
        ):
            if after is not None:
                conditions.append(column > after)
            if before is not None:
                conditions.append(column < before)
        if self.has_remaining is not None:
            conditions.append(col(InvoiceRow.has_remaining).is_(self.has_remaining))
        if self.ignore_zero:
            conditions.append(col(InvoiceRow.has_charge).is_(True))
        if self.search is not None:
            conditions.append(
                matching_invoice_ids(dialect, self.search) if self.search else false()
            )
        return conditions


SELECTIVE = 2_000
"""Below this many matching rows, a filter part drives the query instead of being checked."""


async def narrowed(
    session: AsyncSession, filter: InvoiceFilter, workspace_id: int
) -> InvoiceFilter:
    """Turn the selective tag and productId parts of a filter into sets of invoice ids.

    A part checked row by row (EXISTS) is fast while it matches often: the newest invoices
    soon fill the page. A rare one would make the database walk the whole index to fill it.
    So each such part is first counted, up to SELECTIVE rows, in one indexed statement; a
    rare part becomes `id IN (...)`, which the database reads first and then sorts.
    """
    candidates: list[tuple[Select[int], str, int]] = [
        (
            owners_matching(InvoiceTagRow, "invoice_id", workspace_id=workspace_id, pattern=p),
            "tag",
            i,
        )
        for i, p in enumerate(filter.tags_all)
    ]
    if filter.product_ids is not None:
        products = sql_select(col(LineItemRow.invoice_id)).where(
            col(LineItemRow.workspace_id) == workspace_id,
            col(LineItemRow.product_id).in_(filter.product_ids),
        )
        candidates.append((products, "product", 0))
    id_sets, driven_tags, products_driven = list(filter.id_sets), set(), False
    for id_set, kind, index in candidates:
        probe = select(func.count()).select_from(id_set.limit(SELECTIVE + 1).subquery())
        if (await session.exec(probe)).one() <= SELECTIVE:
            id_sets.append(id_set)
            if kind == "tag":
                driven_tags.add(index)
            else:
                products_driven = True
    return replace(
        filter,
        id_sets=id_sets,
        tags_all=[p for i, p in enumerate(filter.tags_all) if i not in driven_tags],
        product_ids=None if products_driven else filter.product_ids,
    )


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
    filter = await narrowed(session, filter, workspace_id)
    query = select_of(InvoiceRecord).where(*filter.conditions(workspace_id, dialect_of(session)))
    if after is not None:
        bound = tuple_(after.value, after.id)
        query = query.where(key < bound if order.descending else key > bound)
    if before is not None:
        bound = tuple_(before.value, before.id)
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
    filter = await narrowed(session, filter or InvoiceFilter(), workspace_id)
    conditions = filter.conditions(workspace_id, dialect_of(session))
    query = select(func.count()).select_from(InvoiceRow).where(*conditions)
    return (await session.exec(query)).one()
