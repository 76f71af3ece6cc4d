"""The JSON form of versions: snapshots and changes, written once and never rewritten."""

from datetime import datetime
from typing import Any

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.history import (
    Change,
    DiscountApplied,
    InvoiceState,
    LineItemAdded,
    LineItemDeleted,
    LineItemState,
    LineItemUpdated,
    Period,
    StatusChanged,
    TagsChanged,
)
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.tags import Tag
from invoicegraph.store.tables import InvoiceTagRow, InvoiceVersionRow, LineItemRow

Json = dict[str, Any]


def tags_to_json(tags: tuple[Tag, ...]) -> list[list[str]]:
    return [[tag.key, tag.value] for tag in tags]


def tags_from_json(pairs: list[list[str]]) -> tuple[Tag, ...]:
    return tuple(Tag(key=key, value=value) for key, value in pairs)


def price_to_json(price: Price) -> Json:
    return {
        "amount": str(price.amount),
        "unitPrice": str(price.unit_price),
        "quantity": price.quantity,
    }


def price_from_json(data: Json) -> Price:
    return Price(
        amount=int(data["amount"]), unit_price=int(data["unitPrice"]), quantity=data["quantity"]
    )


def line_item_to_json(item: LineItemState) -> Json:
    return {
        "lineItemId": item.line_item_id,
        "description": item.description,
        "productId": item.product_id,
        "type": item.type.value,
        "currency": item.currency,
        **price_to_json(item.price),
        "userId": item.user_id,
        "tags": tags_to_json(item.tags),
        **_line_item_document(item),
    }


def _line_item_document(item: LineItemState) -> Json:
    """Tax rate, discount and period, only where set: snapshots written before they existed
    read back the same."""
    values: Json = {}
    if item.tax_rate:
        values["taxRate"] = item.tax_rate
    if item.discount:
        values["discount"] = str(item.discount)
    if item.period is not None:
        values["period"] = [item.period.start.isoformat(), item.period.end.isoformat()]
    return values


def _period_from_json(pair: list[str] | None) -> Period | None:
    if pair is None:
        return None
    return Period(start=datetime.fromisoformat(pair[0]), end=datetime.fromisoformat(pair[1]))


def period_of(start: datetime | None, end: datetime | None) -> Period | None:
    """A stored period (both columns set, or neither)."""
    return None if start is None or end is None else Period(start=start, end=end)


def line_item_from_json(data: Json) -> LineItemState:
    return LineItemState(
        line_item_id=data["lineItemId"],
        description=data["description"],
        product_id=data["productId"],
        type=FlowType(data["type"]),
        currency=data["currency"],
        price=price_from_json(data),
        user_id=data["userId"],
        tags=tags_from_json(data["tags"]),
        tax_rate=data.get("taxRate", 0),
        discount=int(data.get("discount", "0")),
        period=_period_from_json(data.get("period")),
    )


def change_to_json(change: Change) -> Json:
    match change:
        case LineItemAdded(line_item=item):
            return {"kind": "LineItemAdded", "lineItem": line_item_to_json(item)}
        case LineItemDeleted(line_item=item):
            return {"kind": "LineItemDeleted", "lineItem": line_item_to_json(item)}
        case LineItemUpdated():
            return {
                "kind": "LineItemUpdated",
                "lineItemId": change.line_item_id,
                "oldPrice": price_to_json(change.old_price),
                "newPrice": price_to_json(change.new_price),
                "oldDescription": change.old_description,
                "newDescription": change.new_description,
                "oldTags": tags_to_json(change.old_tags),
                "newTags": tags_to_json(change.new_tags),
            }
        case TagsChanged():
            return {
                "kind": "TagsChanged",
                "oldTags": tags_to_json(change.old_tags),
                "newTags": tags_to_json(change.new_tags),
            }
        case StatusChanged():
            return {"kind": "StatusChanged", "from": change.old.value, "to": change.new.value}
        case DiscountApplied():
            return {
                "kind": "DiscountApplied",
                "discountId": change.discount_id,
                "couponId": change.coupon_id,
                "promotionCode": change.promotion_code,
                "amounts": [[line_item_id, str(amount)] for line_item_id, amount in change.amounts],
            }


def change_from_json(data: Json) -> Change:
    match data["kind"]:
        case "LineItemAdded":
            return LineItemAdded(line_item_from_json(data["lineItem"]))
        case "LineItemDeleted":
            return LineItemDeleted(line_item_from_json(data["lineItem"]))
        case "LineItemUpdated":
            return LineItemUpdated(
                line_item_id=data["lineItemId"],
                old_price=price_from_json(data["oldPrice"]),
                new_price=price_from_json(data["newPrice"]),
                old_description=data["oldDescription"],
                new_description=data["newDescription"],
                old_tags=tags_from_json(data["oldTags"]),
                new_tags=tags_from_json(data["newTags"]),
            )
        case "TagsChanged":
            return TagsChanged(
                old_tags=tags_from_json(data["oldTags"]), new_tags=tags_from_json(data["newTags"])
            )
        case "StatusChanged":
            return StatusChanged(old=InvoiceStatus(data["from"]), new=InvoiceStatus(data["to"]))
        case "DiscountApplied":
            return DiscountApplied(
                discount_id=data["discountId"],
                coupon_id=data["couponId"],
                promotion_code=data["promotionCode"],
                amounts=tuple((key, int(amount)) for key, amount in data["amounts"]),
            )
    raise ValueError(f"unknown change kind {data['kind']!r}")


def line_item_state(row: LineItemRow) -> LineItemState:
    return LineItemState(
        line_item_id=row.public_id,
        description=row.description,
        product_id=row.product_id,
        type=FlowType(row.type),
        currency=row.currency,
        price=Price(amount=row.amount, unit_price=row.unit_price, quantity=row.quantity),
        user_id=row.user_id,
        tags=tags_from_json(row.tags),
        tax_rate=row.tax_rate,
        discount=row.discount,
        period=period_of(row.period_start, row.period_end),
    )


def current_state(
    status: str, tags: list[InvoiceTagRow], line_items: list[LineItemRow]
) -> InvoiceState:
    return InvoiceState(
        status=InvoiceStatus(status),
        tags=tuple(Tag(key=row.key, value=row.value) for row in tags),
        line_items=tuple(line_item_state(row) for row in line_items),
    )


def version_state(row: InvoiceVersionRow) -> InvoiceState:
    return InvoiceState(
        status=InvoiceStatus(row.status),
        tags=tags_from_json(row.tags),
        line_items=tuple(line_item_from_json(item) for item in row.line_items),
    )


def version_changes(row: InvoiceVersionRow) -> list[Change]:
    return [change_from_json(change) for change in row.changes]
