"""Arguments and input fields left out: strawberry's UNSET, read as None."""

from typing import TypeVar

import strawberry

Value = TypeVar("Value")


def given(value: Value | None) -> Value | None:
    """None for an input field left out (UNSET) as for one given as null."""
    return None if value is strawberry.UNSET else value
