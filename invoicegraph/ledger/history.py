"""An invoice's state at one version and the changes between versions, as plain values.

`apply_changes` is how history is checked: replaying the changes recorded for a version onto
the previous snapshot must give that version's snapshot, exactly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.tags import Tag
from invoicegraph.ledger.totals import tax_of


@dataclass(frozen=True, slots=True)
class Period:
    """A billing period: start <= end."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class LineItemState:
    line_item_id: str
    description: str
    product_id: str
    type: FlowType
    currency: str
    price: Price
    user_id: int
    tags: tuple[Tag, ...]
    tax_rate: int = 0
    """Millionths of the taxable amount (ledger/totals.py)."""
    discount: int = 0
    """Minor units taken off price.amount, at most price.amount."""
    period: Period | None = None

    @property
    def amount(self) -> int:
        return self.price.amount

    @property
    def tax(self) -> int:
        return tax_of(self.price.amount - self.discount, self.tax_rate)

    @property
    def due(self) -> int:
        """What the line item expects: its amount, less its discount, plus its tax."""
        return self.price.amount - self.discount + self.tax


@dataclass(frozen=True, slots=True)
class InvoiceState:
    status: InvoiceStatus
    tags: tuple[Tag, ...]
    line_items: tuple[LineItemState, ...]

    def line_item(self, line_item_id: str) -> LineItemState | None:
        return next((item for item in self.line_items if item.line_item_id == line_item_id), None)


@dataclass(frozen=True, slots=True)
class LineItemAdded:
    line_item: LineItemState


@dataclass(frozen=True, slots=True)
class LineItemUpdated:
    line_item_id: str
    old_price: Price
    new_price: Price
    old_description: str
    new_description: str
    old_tags: tuple[Tag, ...]
    new_tags: tuple[Tag, ...]


@dataclass(frozen=True, slots=True)
class LineItemDeleted:
    line_item: LineItemState


@dataclass(frozen=True, slots=True)
class TagsChanged:
    old_tags: tuple[Tag, ...]
    new_tags: tuple[Tag, ...]


@dataclass(frozen=True, slots=True)
class StatusChanged:
    old: InvoiceStatus
    new: InvoiceStatus


@dataclass(frozen=True, slots=True)
class DiscountApplied:
    """A coupon (perhaps through a promotion code) taken off line items, in minor units."""

    discount_id: str
    coupon_id: str
    promotion_code: str | None
    amounts: tuple[tuple[str, int], ...]
    """(line item id, amount added to its discount)."""


Change = (
    LineItemAdded
    | LineItemUpdated
    | LineItemDeleted
    | TagsChanged
    | StatusChanged
    | DiscountApplied
)


def apply_change(state: InvoiceState, change: Change) -> InvoiceState:
    match change:
        case LineItemAdded(line_item=item):
            return replace(state, line_items=(*state.line_items, item))
        case LineItemUpdated():
            return replace(
                state,
                line_items=tuple(
                    replace(
                        item,
                        price=change.new_price,
                        description=change.new_description,
                        tags=change.new_tags,
                    )
                    if item.line_item_id == change.line_item_id
                    else item
                    for item in state.line_items
                ),
            )
        case LineItemDeleted(line_item=deleted):
            return replace(
                state,
                line_items=tuple(
                    item for item in state.line_items if item.line_item_id != deleted.line_item_id
                ),
            )
        case TagsChanged(new_tags=tags):
            return replace(state, tags=tags)
        case StatusChanged(new=status):
            return replace(state, status=status)
        case DiscountApplied(amounts=amounts):
            off = dict(amounts)
            return replace(
                state,
                line_items=tuple(
                    replace(item, discount=item.discount + off[item.line_item_id])
                    if item.line_item_id in off
                    else item
                    for item in state.line_items
                ),
            )


def apply_changes(state: InvoiceState, changes: Iterable[Change]) -> InvoiceState:
    for change in changes:
        state = apply_change(state, change)
    return state


def tags_after(
    tags: Sequence[Tag], *, set_tags: Sequence[Tag], remove: Sequence[str]
) -> tuple[Tag, ...]:
    """Overwrite by key in place, append new keys, then drop removed keys."""
    updated = {tag.key: tag for tag in set_tags}
    kept = [updated.pop(tag.key, tag) for tag in tags]
    removed = set(remove)
    return tuple(tag for tag in [*kept, *updated.values()] if tag.key not in removed)
