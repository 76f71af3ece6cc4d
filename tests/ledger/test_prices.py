"""Price rules: amount alone, unitPrice with quantity, or all three when they agree."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.prices import Price, PriceSpec, resolve_price

PATH: Path = ("lineItems", "3", "price")
INT32_MAX = 2**31 - 1
"""quantity is a GraphQL Int."""


def problems_of(spec: PriceSpec) -> list[FieldProblem]:
    result = resolve_price(spec, PATH)
    assert isinstance(result, list), f"expected problems, got {result}"
    return result


def paths_of(spec: PriceSpec) -> list[Path]:
    return [problem.path for problem in problems_of(spec)]


def test_amount_alone_means_quantity_one_at_that_unit_price() -> None:
    assert resolve_price(PriceSpec(amount=1000), PATH) == Price(
        amount=1000, unit_price=1000, quantity=1
    )


def test_zero_amount_alone_is_a_price() -> None:
    assert resolve_price(PriceSpec(amount=0), PATH) == Price(amount=0, unit_price=0, quantity=1)


def test_unit_price_and_quantity_give_their_product_as_amount() -> None:
    assert resolve_price(PriceSpec(unit_price=1500, quantity=3), PATH) == Price(
        amount=4500, unit_price=1500, quantity=3
    )


def test_all_three_are_accepted_when_they_agree() -> None:
    assert resolve_price(PriceSpec(amount=4500, unit_price=1500, quantity=3), PATH) == Price(
        amount=4500, unit_price=1500, quantity=3
    )


def test_all_three_that_disagree_are_a_problem_at_amount() -> None:
    [problem] = problems_of(PriceSpec(amount=4501, unit_price=1500, quantity=3))
    assert problem.path == (*PATH, "amount")
    assert "4500" in problem.message


def test_the_largest_product_below_the_limit_is_a_price() -> None:
    unit = (INT96_LIMIT - 1) // INT32_MAX
    price = resolve_price(PriceSpec(unit_price=unit, quantity=INT32_MAX), PATH)
    assert price == Price(amount=unit * INT32_MAX, unit_price=unit, quantity=INT32_MAX)


def test_a_product_reaching_two_to_the_96_is_a_problem_at_amount() -> None:
    unit = INT96_LIMIT // 2
    assert paths_of(PriceSpec(unit_price=unit, quantity=2)) == [(*PATH, "amount")]
    assert paths_of(PriceSpec(amount=INT96_LIMIT - 2, unit_price=unit, quantity=2)) == [
        (*PATH, "amount")
    ]


@pytest.mark.parametrize("quantity", [0, -1, -INT32_MAX])
def test_quantity_below_one_is_a_problem_at_quantity(quantity: int) -> None:
    assert paths_of(PriceSpec(unit_price=10, quantity=quantity)) == [(*PATH, "quantity")]
    assert paths_of(PriceSpec(amount=0, unit_price=10, quantity=quantity)) == [(*PATH, "quantity")]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (PriceSpec(amount=-1), "amount"),
        (PriceSpec(amount=-1, unit_price=1, quantity=1), "amount"),
        (PriceSpec(unit_price=-5, quantity=2), "unitPrice"),
        (PriceSpec(amount=-10, unit_price=-5, quantity=2), "unitPrice"),
    ],
)
def test_negative_amounts_are_problems_at_their_field(spec: PriceSpec, field: str) -> None:
    assert (*PATH, field) in paths_of(spec)


def test_every_sign_and_quantity_problem_is_listed_at_once() -> None:
    paths = paths_of(PriceSpec(amount=-1, unit_price=-1, quantity=0))
    assert sorted(paths) == sorted([(*PATH, "amount"), (*PATH, "unitPrice"), (*PATH, "quantity")])


def test_nothing_given_is_a_problem_at_the_price() -> None:
    assert paths_of(PriceSpec()) == [PATH]


@pytest.mark.parametrize(
    ("spec", "missing"),
    [
        (PriceSpec(unit_price=100), "quantity"),
        (PriceSpec(amount=100, unit_price=100), "quantity"),
        (PriceSpec(quantity=2), "unitPrice"),
        (PriceSpec(amount=200, quantity=2), "unitPrice"),
    ],
)
def test_unit_price_and_quantity_go_together(spec: PriceSpec, missing: str) -> None:
    assert paths_of(spec) == [(*PATH, missing)]


int96s = st.integers(min_value=-INT96_LIMIT + 1, max_value=INT96_LIMIT - 1)
small_amounts = st.integers(min_value=-3, max_value=10_000)
amounts = st.none() | small_amounts | int96s
quantities = (
    st.none() | st.integers(min_value=-3, max_value=50) | st.integers(-INT32_MAX, INT32_MAX)
)


@st.composite
def price_specs(draw: st.DrawFn) -> PriceSpec:
    """Any mix of parts, often a consistent all-three so that agreement is exercised too."""
    unit_price = draw(amounts)
    quantity = draw(quantities)
    if unit_price is not None and quantity is not None and draw(st.booleans()):
        return PriceSpec(amount=unit_price * quantity, unit_price=unit_price, quantity=quantity)
    return PriceSpec(amount=draw(amounts), unit_price=unit_price, quantity=quantity)


paths = st.lists(st.text(max_size=5), max_size=4).map(tuple)


@given(price_specs(), paths)
def test_a_price_is_always_consistent_and_a_problem_always_sits_under_the_path(
    spec: PriceSpec, path: Path
) -> None:
    # when
    result = resolve_price(spec, path)
    # then
    if isinstance(result, Price):
        assert result.amount == result.unit_price * result.quantity
        assert 0 <= result.amount < INT96_LIMIT
        assert 0 <= result.unit_price < INT96_LIMIT
        assert result.quantity >= 1
        for given_part, resolved in [
            (spec.amount, result.amount),
            (spec.unit_price, result.unit_price),
            (spec.quantity, result.quantity),
        ]:
            assert given_part is None or given_part == resolved
    else:
        assert result, "a refusal names at least one problem"
        for problem in result:
            assert problem.path[: len(path)] == path
            assert problem.message


@given(
    st.integers(min_value=0, max_value=INT96_LIMIT - 1),
    st.integers(min_value=1, max_value=INT32_MAX),
)
def test_every_non_negative_unit_price_and_positive_quantity_resolve_iff_the_product_fits(
    unit_price: int, quantity: int
) -> None:
    result = resolve_price(PriceSpec(unit_price=unit_price, quantity=quantity), PATH)
    if unit_price * quantity < INT96_LIMIT:
        assert result == Price(
            amount=unit_price * quantity, unit_price=unit_price, quantity=quantity
        )
    else:
        assert isinstance(result, list)
        assert [problem.path for problem in result] == [(*PATH, "amount")]
