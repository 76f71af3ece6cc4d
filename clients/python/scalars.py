"""Custom scalars of the invoicegraph API, for the generated client.

ariadne-codegen copies this file into the generated package (`files_to_include` in
pyproject.toml): edit clients/python/scalars.py and regenerate, never the copy. The generated
models use `Int96` and `UtcDateTime` as field types, `parse_*` as pydantic BeforeValidators on
results and `serialize_*` as PlainSerializers on inputs.

- Int96: an integer in a currency's smallest unit. On the wire it is a base-10 string such as
  "1050" or "-300", magnitude below 2**96; in Python it is an int. A float is never accepted
  nor produced: results must be strings, inputs must be ints (strict, so 10.0 or "10" is
  refused when the input model is built).
- DateTime: an ISO 8601 instant. On the wire "2026-01-13T00:00:00.000Z" (UTC, milliseconds);
  in Python a timezone-aware datetime in UTC. Naive datetimes are refused.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Strict

INT96_LIMIT = 2**96
_INT96_PATTERN = re.compile(r"-?[0-9]+")


def _within_int96(value: int) -> int:
    if abs(value) >= INT96_LIMIT:
        raise ValueError(f"Int96 magnitude must be below 2**96, got {value}")
    return value


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("DateTime needs a timezone-aware datetime, e.g. tzinfo=UTC")
    return value.astimezone(UTC)


Int96 = Annotated[int, Strict(), AfterValidator(_within_int96)]
"""An int for an Int96 field: strict (no str, float or bool) and below 2**96 in magnitude."""

UtcDateTime = Annotated[datetime, Strict(), AfterValidator(_as_utc)]
"""A timezone-aware datetime for a DateTime field, converted to UTC."""


def parse_int96(value: object) -> int:
    """The int of the decimal string the server sends for an Int96."""
    if not isinstance(value, str) or not _INT96_PATTERN.fullmatch(value):
        raise ValueError(f"Int96 must arrive as a base-10 integer string, got {value!r}")
    return int(value)


def serialize_int96(value: int) -> str:
    """The decimal string the API takes for an Int96 input."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Int96 serializes ints only, not {type(value).__name__}")
    return str(_within_int96(value))


def parse_datetime(value: object) -> datetime:
    """A timezone-aware UTC datetime from the server's ISO 8601 string."""
    if not isinstance(value, str):
        raise ValueError(f"DateTime must arrive as an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"DateTime must be an ISO 8601 string, got {value!r}") from error
    return _as_utc(parsed)


def serialize_datetime(value: datetime) -> str:
    """The API's form of an instant: UTC with milliseconds, e.g. 2026-01-13T00:00:00.000Z."""
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime serializes datetimes only, not {type(value).__name__}")
    utc = _as_utc(value)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
