"""The contract's scalars and enums: Int96 as decimal strings, DateTime in UTC with milliseconds."""

from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from invoicegraph.ledger.enums import CURRENCY_CODES, FlowType, InvoiceStatus
from invoicegraph.ledger.money import INT96_LIMIT, format_int96, parse_int96

Int96 = NewType("Int96", int)


def _parse_int96(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('Int96 takes a base-10 string such as "1050"; numbers are refused')
    return parse_int96(value)


def _serialize_int96(value: object) -> str:
    # A page of invoices serializes thousands of amounts: the common case in one test.
    if type(value) is int and -INT96_LIMIT < value < INT96_LIMIT:
        return str(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Int96 serializes ints, not {type(value).__name__}")
    return format_int96(value)


def format_datetime(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _serialize_datetime(value: object) -> str:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError("DateTime serializes timezone-aware datetimes")
    return format_datetime(value)


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime takes an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"DateTime takes an ISO 8601 string, got {value!r}") from error
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs a timezone, e.g. 2026-01-13T00:00:00.000Z")
    return parsed.astimezone(UTC)


INT96_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Int96",
    description=(
        "A signed integer amount in a currency's smallest unit (cents for USD),\n"
        'serialized as a base-10 string such as "1050" or "-300". Magnitude below 2^96.\n'
        "Never a float. Inputs accept the same string form only."
    ),
    serialize=_serialize_int96,
    parse_value=_parse_int96,
)

DATETIME_SCALAR: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=(
        'An ISO 8601 instant, serialized in UTC with milliseconds: "2026-01-13T00:00:00.000Z".'
    ),
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {Int96: INT96_SCALAR, datetime: DATETIME_SCALAR}

strawberry.enum(
    FlowType,
    description=(
        "PAYIN: money the user owes the workspace. PAYOUT: money the workspace owes the user."
    ),
)
strawberry.enum(InvoiceStatus)

if TYPE_CHECKING:
    CurrencyCode = Enum
else:
    CurrencyCode = strawberry.enum(
        Enum("CurrencyCode", {code: code for code in CURRENCY_CODES}),
        description=(
            "ISO 4217 or crypto currency code, as in the seed documents, plus LOGICAL and CUSTOM."
        ),
    )


CURRENCY_MEMBERS: dict[str, CurrencyCode] = {member.name: member for member in CurrencyCode}


def currency_code(code: str) -> CurrencyCode:
    """The enum member of a stored currency code."""
    return CURRENCY_MEMBERS[code]
