"""Int96 money: the contract's decimal-string form, parsed strictly and formatted canonically."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.money import INT96_LIMIT, format_int96, parse_int96

int96s = st.integers(min_value=-INT96_LIMIT + 1, max_value=INT96_LIMIT - 1)
CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)")


def test_the_limit_is_two_to_the_96() -> None:
    assert INT96_LIMIT == 2**96 == 79228162514264337593543950336


@given(int96s)
def test_every_int96_round_trips_through_its_string(value: int) -> None:
    # when
    text = format_int96(value)
    # then
    assert parse_int96(text) == value
    assert CANONICAL.fullmatch(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("7", 7),
        ("-7", -7),
        ("1050", 1050),
        ("-300", -300),
        (str(INT96_LIMIT - 1), INT96_LIMIT - 1),
        (str(-INT96_LIMIT + 1), -INT96_LIMIT + 1),
    ],
)
def test_canonical_strings_are_accepted(text: str, value: int) -> None:
    assert parse_int96(text) == value
    assert format_int96(value) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "--1",
        "+1",
        "+0",
        " 1",
        "1 ",
        "\t1",
        "1\n",
        "1.0",
        "1.",
        ".5",
        "1e3",
        "1E3",
        "0x10",
        "1_000",
        "1,000",
        "01",
        "00",
        "-01",
        "-00",
        "٣",  # ARABIC-INDIC DIGIT THREE: int() would take it
        "١٢",
        "１",  # FULLWIDTH DIGIT ONE
        "²",  # SUPERSCRIPT TWO: str.isdigit() says True
        "𝟗",  # MATHEMATICAL BOLD DIGIT NINE
        "one",
        "NaN",
        "-Infinity",
        str(INT96_LIMIT),
        str(-INT96_LIMIT),
        str(INT96_LIMIT + 1),
        "9" * 29,
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Int96"):
        parse_int96(text)


def test_a_huge_digit_string_is_refused_as_any_other_bad_amount() -> None:
    # Python's int() refuses more than 4300 digits on its own; either way it is a ValueError.
    with pytest.raises(ValueError):  # noqa: PT011
        parse_int96("1" * 5000)


def test_minus_zero_is_refused() -> None:
    """Zero has one form, "0", as every other amount has one form (leading zeros are refused).

    The contract allows "a sign only where signed", and the Int96 scalar feeds every amount
    field, signed or not, through parse_int96; the price rules only refuse values below 0, so
    "-0" would reach an unsigned field such as price.amount with a sign.
    """
    with pytest.raises(ValueError, match="Int96"):
        parse_int96("-0")


@given(st.text(alphabet="-+0123456789 ._e٣²"))
def test_whatever_is_accepted_is_a_plain_decimal_integer_in_range(text: str) -> None:
    # when
    try:
        value = parse_int96(text)
    except ValueError:
        return
    # then
    assert CANONICAL.fullmatch(text)
    assert value == int(text)
    assert -INT96_LIMIT < value < INT96_LIMIT


@given(st.integers(min_value=INT96_LIMIT, max_value=INT96_LIMIT**2))
def test_values_out_of_range_are_refused_both_ways(magnitude: int) -> None:
    for value in (magnitude, -magnitude):
        with pytest.raises(ValueError, match="2\\^96"):
            format_int96(value)
        with pytest.raises(ValueError, match="2\\^96"):
            parse_int96(str(value))
