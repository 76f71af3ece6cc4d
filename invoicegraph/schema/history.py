"""Versions of an invoice: snapshots and the changes between them. Nothing here is a Node."""

from datetime import datetime
from typing import Annotated

import strawberry

from invoicegraph.ledger import history
from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.prices import Price as LedgerPrice
from invoicegraph.ledger.tags import Tag as LedgerTag
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.history import VersionPage, version_cursor
from invoicegraph.resolvers.users import user_by_id
from invoicegraph.resolvers.views import VersionView
from invoicegraph.schema.limits import building
from invoicegraph.schema.money import Price, Tag
from invoicegraph.schema.pages import Edge, PageInfo, edges_of
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code
from invoicegraph.schema.user import User


def to_price(price: LedgerPrice) -> Price:
    return Price(
        amount=Int96(price.amount), quantity=price.quantity, unit_price=Int96(price.unit_price)
    )


def to_tags(tags: tuple[LedgerTag, ...]) -> list[Tag]:
    return [Tag(key=tag.key, value=tag.value) for tag in tags]


@strawberry.type(
    description=(
        "A line item as it stood in one version. "
        "Deliberately not a Node: versions of one line item share lineItemId."
    )
)
class LineItemSnapshot:
    line_item_id: strawberry.ID
    description: str
    product_id: str
    type: FlowType
    currency: CurrencyCode
    price: Price
    tags: list[Tag]
    user_db_id: strawberry.Private[int]

    @classmethod
    def from_state(cls, item: history.LineItemState) -> "LineItemSnapshot":
        return cls(
            line_item_id=strawberry.ID(item.line_item_id),
            description=item.description,
            product_id=item.product_id,
            type=item.type,
            currency=currency_code(item.currency),
            price=to_price(item.price),
            tags=to_tags(item.tags),
            user_db_id=item.user_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User:
        return User.from_view(await user_by_id(info.context, self.user_db_id))


@strawberry.type
class LineItemAdded:
    line_item: LineItemSnapshot


@strawberry.type
class LineItemUpdated:
    line_item_id: strawberry.ID
    old_price: Price
    new_price: Price
    old_description: str
    new_description: str
    old_tags: list[Tag]
    new_tags: list[Tag]


@strawberry.type
class LineItemDeleted:
    line_item: LineItemSnapshot


@strawberry.type
class TagsChanged:
    old_tags: list[Tag]
    new_tags: list[Tag]


@strawberry.type
class StatusChanged:
    from_: InvoiceStatus = strawberry.field(name="from")
    to: InvoiceStatus


@strawberry.type(description="A coupon taken off line items (see Invoice.discounts).")
class DiscountApplied:
    discount_id: strawberry.ID
    coupon_id: strawberry.ID
    promotion_code: str | None
    amounts: list["LineItemAmount"]


@strawberry.type
class LineItemAmount:
    line_item_id: strawberry.ID
    amount: Int96


InvoiceChange = Annotated[
    LineItemAdded
    | LineItemUpdated
    | LineItemDeleted
    | TagsChanged
    | StatusChanged
    | DiscountApplied,
    strawberry.union("InvoiceChange"),
]


def to_change(change: history.Change) -> InvoiceChange:
    match change:
        case history.LineItemAdded(line_item=item):
            return LineItemAdded(line_item=LineItemSnapshot.from_state(item))
        case history.LineItemDeleted(line_item=item):
            return LineItemDeleted(line_item=LineItemSnapshot.from_state(item))
        case history.LineItemUpdated():
            return LineItemUpdated(
                line_item_id=strawberry.ID(change.line_item_id),
                old_price=to_price(change.old_price),
                new_price=to_price(change.new_price),
                old_description=change.old_description,
                new_description=change.new_description,
                old_tags=to_tags(change.old_tags),
                new_tags=to_tags(change.new_tags),
            )
        case history.TagsChanged():
            return TagsChanged(old_tags=to_tags(change.old_tags), new_tags=to_tags(change.new_tags))
        case history.StatusChanged():
            return StatusChanged(from_=change.old, to=change.new)
        case history.DiscountApplied():
            return DiscountApplied(
                discount_id=strawberry.ID(change.discount_id),
                coupon_id=strawberry.ID(change.coupon_id),
                promotion_code=change.promotion_code,
                amounts=[
                    LineItemAmount(line_item_id=strawberry.ID(key), amount=Int96(amount))
                    for key, amount in change.amounts
                ],
            )


@strawberry.type
class InvoiceVersion:
    version: int
    modified: datetime = strawberry.field(description="When this version was written.")
    status: InvoiceStatus
    tags: list[Tag]
    line_items: list[LineItemSnapshot]
    changes: list[InvoiceChange] = strawberry.field(
        description="What changed from the previous version; empty for version 1."
    )

    @classmethod
    def from_view(cls, view: VersionView) -> "InvoiceVersion":
        state = view.state
        return cls(
            version=view.version,
            modified=view.modified,
            status=state.status,
            tags=to_tags(state.tags),
            line_items=[LineItemSnapshot.from_state(item) for item in state.line_items],
            changes=[to_change(change) for change in view.changes],
        )


@strawberry.type
class InvoiceVersionConnection:
    edges: list[Edge[InvoiceVersion]]
    nodes: list[InvoiceVersion]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description="Versions run from 1 to the invoice's current version, so this needs no query."
    )

    @classmethod
    def from_page(cls, page: VersionPage, *, total_count: int) -> "InvoiceVersionConnection":
        versions = page.versions
        building(sum(1 + len(v.state.line_items) + len(v.changes) for v in versions))
        nodes = [InvoiceVersion.from_view(version) for version in versions]
        return cls(
            edges=edges_of((version_cursor(version) for version in page.versions), nodes),
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            total_count=total_count,
        )
