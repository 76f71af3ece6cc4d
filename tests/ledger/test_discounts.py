"""Discount amounts: never below zero, a fixed amount spread exactly, percentages half-even."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.discounts import CouponTerms, discount_amounts
from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest
from invoicegraph.ledger.history import DiscountApplied, InvoiceState, LineItemState, apply_change
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.totals import PPM, totals_of


def line(
    n: int, amount: int, *, discount: int = 0, rate: int = 0, flow: FlowType = FlowType.PAYIN
) -> LineItemState:
    return LineItemState(
        line_item_id=f"li_{n}",
        description="d",
        product_id="p",
        type=flow,
        currency="USD",
        price=Price(amount=amount, unit_price=amount, quantity=1),
        user_id=1,
        tags=(),
        tax_rate=rate,
        discount=discount,
    )


def state_of(items: list[LineItemState]) -> InvoiceState:
    return InvoiceState(status=InvoiceStatus.OPEN, tags=(), line_items=tuple(items))


amounts = st.integers(0, 10**24)
lines = st.lists(
    st.tuples(amounts, st.integers(0, 100), st.integers(0, PPM), st.sampled_from(list(FlowType))),
    min_size=1,
    max_size=20,
)


def build(drawn: list[tuple[int, int, int, FlowType]]) -> InvoiceState:
    return state_of(
        [
            line(n, amount, discount=amount * share // 100, rate=rate, flow=flow)
            for n, (amount, share, rate, flow) in enumerate(drawn)
        ]
    )


@given(lines, st.integers(1, 10**25))
def test_a_fixed_amount_is_spread_in_order_and_never_below_zero(
    drawn: list[tuple[int, int, int, FlowType]], amount_off: int
) -> None:
    state = build(drawn)
    coupon = CouponTerms(public_id="cpn_x", percent_off=None, amount_off=amount_off, currency="USD")
    try:
        off = discount_amounts(state, coupon, None)
    except BadRequest:
        assert all(item.type is FlowType.PAYOUT for item in state.line_items)
        return
    payins = [item for item in state.line_items if item.type is FlowType.PAYIN]
    left = sum(item.price.amount - item.discount for item in payins)
    assert sum(amount for _, amount in off) == min(amount_off, left)
    after = apply_change(state, DiscountApplied("disc_x", "cpn_x", None, off))
    for item in after.line_items:
        assert 0 <= item.discount <= item.price.amount
        assert item.due >= 0
    for entry in totals_of(after.line_items):
        assert entry.total == entry.subtotal - entry.discount_total + entry.tax_total


@given(lines, st.integers(1, PPM))
def test_a_percentage_is_half_even_of_what_is_left_of_each_line(
    drawn: list[tuple[int, int, int, FlowType]], percent: int
) -> None:
    state = build(drawn)
    coupon = CouponTerms(public_id="cpn_x", percent_off=percent, amount_off=None, currency=None)
    try:
        off = dict(discount_amounts(state, coupon, None))
    except BadRequest:
        return
    for item in state.line_items:
        if item.type is FlowType.PAYOUT:
            assert item.line_item_id not in off
            continue
        left = item.price.amount - item.discount
        exact = Fraction(left * percent, PPM)
        assert abs(off[item.line_item_id] - exact) <= Fraction(1, 2)
        assert 0 <= off[item.line_item_id] <= left


def test_a_payout_line_cannot_be_discounted() -> None:
    state = state_of([line(0, 100, flow=FlowType.PAYOUT)])
    coupon = CouponTerms(public_id="cpn_x", percent_off=PPM, amount_off=None, currency=None)
    with pytest.raises(BadRequest) as refused:
        discount_amounts(state, coupon, ["li_0"])
    assert refused.value.problems[0].path == ("lineItems", "0")
