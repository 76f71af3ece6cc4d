"""Coupons, promotion codes, and discounts applied to an invoice's line items.

A coupon takes a percentage (exact, as ledger/totals.py parses it) or a fixed amount in one
currency off. Applied to an invoice while it is DRAFT or OPEN, to chosen PAYIN line items or to
all of them, it becomes a discount in minor units on each line: a percentage of what is left
of the line after earlier discounts, rounded half-even per line; a fixed amount spread over the
lines in their order, each taking at most what is left of it. No line ever goes below zero,
and the amounts are fixed when applied (a later price change does not recompute them; a price
below a line's discount is refused).
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, InvalidState
from invoicegraph.ledger.history import InvoiceState, LineItemState
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.totals import PPM, parse_percent, round_half_even

KEY_MAX = 128
NAME_MAX = 200
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DISCOUNTABLE = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.OPEN})


class CouponDuration(Enum):
    """How long a coupon lasts on a subscription (kept for the caller; invoices take a
    discount once each)."""

    ONCE = "ONCE"
    REPEATING = "REPEATING"
    FOREVER = "FOREVER"


@dataclass(frozen=True, slots=True)
class CreateCoupon:
    coupon_id: str
    """The caller's key: a repeat with the same input answers the stored coupon."""
    name: str
    percent_off: str | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration: CouponDuration = CouponDuration.ONCE
    duration_in_months: int | None = None
    max_redemptions: int | None = None


@dataclass(frozen=True, slots=True)
class ValidCoupon:
    coupon_id: str
    name: str
    percent_off: int | None
    """Millionths."""
    amount_off: int | None
    currency: str | None
    duration: CouponDuration
    duration_in_months: int | None
    max_redemptions: int | None

    def fingerprint(self) -> str:
        canonical = [
            self.coupon_id,
            self.name,
            self.percent_off,
            None if self.amount_off is None else str(self.amount_off),
            self.currency,
            self.duration.value,
            self.duration_in_months,
            self.max_redemptions,
        ]
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def _text(text: str, field: str, maximum: int) -> list[FieldProblem]:
    if 1 <= len(text) <= maximum:
        return []
    return [FieldProblem((field,), f"must be 1-{maximum} characters")]


def validate_coupon(command: CreateCoupon) -> ValidCoupon:
    """Every rule of a new coupon; BadRequest listing every problem."""
    problems = _text(command.coupon_id, "couponId", KEY_MAX) + _text(command.name, "name", NAME_MAX)
    percent: int | None = None
    if (command.percent_off is None) == (command.amount_off is None):
        problems.append(
            FieldProblem(("percentOff",), "give exactly one of percentOff or amountOff")
        )
    if command.percent_off is not None:
        percent = parse_percent(command.percent_off)
        if percent is None or percent == 0:
            problems.append(
                FieldProblem(
                    ("percentOff",), "must be a percentage above 0, at most 100, with 4 decimals"
                )
            )
    if command.amount_off is not None:
        if not 0 < command.amount_off < INT96_LIMIT:
            problems.append(FieldProblem(("amountOff",), "must be above 0 and below 2^96"))
        if command.currency is None:
            problems.append(FieldProblem(("currency",), "a fixed amount needs its currency"))
    elif command.currency is not None:
        problems.append(FieldProblem(("currency",), "only a fixed amount has a currency"))
    repeating = command.duration is CouponDuration.REPEATING
    if repeating and (command.duration_in_months or 0) < 1:
        problems.append(FieldProblem(("durationInMonths",), "REPEATING needs 1 month or more"))
    if not repeating and command.duration_in_months is not None:
        problems.append(FieldProblem(("durationInMonths",), "only REPEATING coupons take months"))
    if command.max_redemptions is not None and command.max_redemptions < 1:
        problems.append(FieldProblem(("maxRedemptions",), "must be at least 1"))
    if problems:
        raise BadRequest(problems)
    return ValidCoupon(
        coupon_id=command.coupon_id,
        name=command.name,
        percent_off=percent,
        amount_off=command.amount_off,
        currency=command.currency,
        duration=command.duration,
        duration_in_months=command.duration_in_months,
        max_redemptions=command.max_redemptions,
    )


@dataclass(frozen=True, slots=True)
class CreatePromotionCode:
    code: str
    """What customers type; unique in the workspace, the idempotency key."""
    coupon_id: str
    """Our id of the coupon (cpn_...)."""
    max_redemptions: int | None = None

    def problems(self) -> list[FieldProblem]:
        found = []
        if not CODE.match(self.code):
            found.append(FieldProblem(("code",), "must be 1-64 letters, digits, _ or -"))
        if self.max_redemptions is not None and self.max_redemptions < 1:
            found.append(FieldProblem(("maxRedemptions",), "must be at least 1"))
        return found

    def fingerprint(self) -> str:
        canonical = [self.code, self.coupon_id, self.max_redemptions]
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CouponTerms:
    """What a coupon takes off, as the store keeps it."""

    public_id: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class ApplyDiscount:
    invoice_id: str
    expected_version: int
    coupon_id: str | None = None
    promotion_code: str | None = None
    line_item_ids: tuple[str, ...] | None = None
    """None: every PAYIN line item (in the coupon's currency, for a fixed amount)."""


def ensure_discountable(status: InvoiceStatus) -> None:
    if status not in DISCOUNTABLE:
        raise InvalidState(status=status, action="apply a discount to")


def _targets(
    state: InvoiceState, coupon: CouponTerms, line_item_ids: Sequence[str] | None
) -> list[LineItemState]:
    if line_item_ids is None:
        chosen = [item for item in state.line_items if item.type is FlowType.PAYIN]
        if coupon.currency is not None:
            chosen = [item for item in chosen if item.currency == coupon.currency]
        if not chosen:
            raise BadRequest([FieldProblem(("lineItems",), "no PAYIN line item to discount")])
        return chosen
    problems: list[FieldProblem] = []
    chosen = []
    for index, line_item_id in enumerate(line_item_ids):
        item = state.line_item(line_item_id)
        path = ("lineItems", str(index))
        if item is None:
            problems.append(FieldProblem(path, "the invoice has no such line item"))
        elif item.type is not FlowType.PAYIN:
            problems.append(FieldProblem(path, "discounts apply to PAYIN line items only"))
        elif coupon.currency is not None and item.currency != coupon.currency:
            problems.append(FieldProblem(path, f"the coupon takes {coupon.currency} off"))
        elif item in chosen:
            problems.append(FieldProblem(path, "named twice"))
        else:
            chosen.append(item)
    if problems:
        raise BadRequest(problems)
    return chosen


def discount_amounts(
    state: InvoiceState, coupon: CouponTerms, line_item_ids: Sequence[str] | None
) -> tuple[tuple[str, int], ...]:
    """(line item id, minor units off) for each target line: never more than is left of it."""
    amounts: list[tuple[str, int]] = []
    remaining = coupon.amount_off
    for item in _targets(state, coupon, line_item_ids):
        left = item.price.amount - item.discount
        if coupon.percent_off is not None:
            off = round_half_even(left * coupon.percent_off, PPM)
        else:
            assert remaining is not None
            off = min(remaining, left)
            remaining -= off
        amounts.append((item.line_item_id, off))
    return tuple(amounts)
