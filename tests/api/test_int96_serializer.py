"""The Int96 scalar writes every amount the contract allows as its decimal string, and refuses
anything else (a bug of ours, never the caller's input) instead of sending it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.schema.scalars import _serialize_int96


@given(st.integers(min_value=-INT96_LIMIT + 1, max_value=INT96_LIMIT - 1))
def test_every_int96_is_written_as_its_decimal_string(value: int) -> None:
    assert _serialize_int96(value) == str(value)


@pytest.mark.parametrize("value", [INT96_LIMIT, -INT96_LIMIT, INT96_LIMIT * 10])
def test_amounts_beyond_int96_are_refused(value: int) -> None:
    with pytest.raises(ValueError, match="2\\^96"):
        _serialize_int96(value)


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None])
def test_values_that_are_not_ints_are_refused(value: object) -> None:
    with pytest.raises(TypeError, match="serializes ints"):
        _serialize_int96(value)
