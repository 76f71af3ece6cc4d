"""Tax rates, half-even rounding and invoice totals: exact integers that add up."""

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.history import LineItemState
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.totals import (
    PPM,
    format_percent,
    parse_percent,
    round_half_even,
    tax_of,
    totals_of,
)


@pytest.mark.parametrize(
    ("text", "millionths"),
    [("0", 0), ("8.875", 88750), ("20", 200_000), ("100", PPM), ("0.0001", 1), ("7.5", 75_000)],
)
def test_percentages_parse_exactly(text: str, millionths: int) -> None:
    assert parse_percent(text) == millionths
    assert parse_percent(format_percent(millionths)) == millionths


@pytest.mark.parametrize(
    "text", ["", "-1", "+5", "100.0001", "101", "1e2", "8.", ".5", "1.23456", " 5", "٣", "1,5"]
)
def test_anything_else_is_not_a_percentage(text: str) -> None:
    assert parse_percent(text) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [(5, 10, 0), (15, 10, 2), (25, 10, 2), (26, 10, 3), (24, 10, 2), (0, 7, 0), (7, 7, 1)],
)
def test_ties_round_to_the_even_neighbour(numerator: int, denominator: int, rounded: int) -> None:
    assert round_half_even(numerator, denominator) == rounded


@given(st.integers(0, INT96_LIMIT * PPM), st.integers(1, 10**12))
def test_half_even_agrees_with_decimal(numerator: int, denominator: int) -> None:
    with localcontext() as context:
        context.prec = 80
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
    assert round_half_even(numerator, denominator) == int(expected)


@given(st.integers(0, INT96_LIMIT - 1), st.integers(0, PPM))
def test_a_tax_is_within_half_a_minor_unit_of_the_exact_one(amount: int, rate: int) -> None:
    exact = Fraction(amount * rate, PPM)
    assert abs(tax_of(amount, rate) - exact) <= Fraction(1, 2)
    assert 0 <= tax_of(amount, rate) <= amount


lines = st.builds(
    lambda amount, discount_share, rate, currency, flow: LineItemState(
        line_item_id="li",
        description="d",
        product_id="p",
        type=flow,
        currency=currency,
        price=Price(amount=amount, unit_price=amount, quantity=1),
        user_id=1,
        tags=(),
        tax_rate=rate,
        discount=amount * discount_share // 100,
    ),
    st.integers(0, 10**30),
    st.integers(0, 100),
    st.integers(0, PPM),
    st.sampled_from(["USD", "EUR", "JPY"]),
    st.sampled_from(list(FlowType)),
)


@given(st.lists(lines, max_size=40))
def test_totals_add_up_exactly_for_any_mix_of_lines(items: list[LineItemState]) -> None:
    totals = totals_of(items)
    # one entry per (currency, type) present, in a stable order
    keys = [(entry.currency, entry.type) for entry in totals]
    assert keys == sorted(set(keys), key=lambda key: (key[0], key[1].value))
    for entry in totals:
        mine = [
            item for item in items if (item.currency, item.type) == (entry.currency, entry.type)
        ]
        assert entry.subtotal == sum(item.price.amount for item in mine)
        assert entry.discount_total == sum(item.discount for item in mine)
        assert entry.tax_total == sum(item.tax for item in mine)
        assert entry.total == entry.subtotal - entry.discount_total + entry.tax_total
        # what the balances expect is the sum of the lines' due, the same integer
        assert entry.total == sum(item.due for item in mine)
        assert entry.total >= 0


def test_line_tax_rounds_each_line_half_even() -> None:
    # 8.875% of 100 = 8.875 -> 9; of 4 = 0.355 -> 0; of 200 = 17.75 -> 18; 5% of 10 = 0.5 -> 0
    def line(amount: int, rate: int) -> LineItemState:
        return LineItemState(
            line_item_id="li",
            description="d",
            product_id="p",
            type=FlowType.PAYIN,
            currency="USD",
            price=Price(amount=amount, unit_price=amount, quantity=1),
            user_id=1,
            tags=(),
            tax_rate=rate,
        )

    assert [line(a, 88750).tax for a in (100, 4, 200)] == [9, 0, 18]
    assert line(10, 50_000).tax == 0
    assert line(30, 50_000).tax == 2
    [usd] = totals_of([line(100, 88750), line(4, 88750), line(200, 88750)])
    assert (usd.subtotal, usd.tax_total, usd.total) == (304, 27, 331)
