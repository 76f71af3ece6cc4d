"""Connection arguments and opaque keyset cursors."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from invoicegraph.store.ids import is_public_id

DEFAULT_PAGE = 20
MAX_PAGE = 200


class BadUserInput(Exception):
    """An argument out of range or malformed: a top-level error with code BAD_USER_INPUT."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: str | None
    before: str | None
    from_end: bool
    """True for `last`: the page that ends at `before` (or at the end)."""


def page_request(
    *, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    if first is not None and last is not None:
        raise BadUserInput("give first or last, not both")
    size = first if first is not None else last
    if size is None:
        size = DEFAULT_PAGE
    if not 0 <= size <= MAX_PAGE:
        name = "first" if first is not None else "last"
        raise BadUserInput(f"{name} must be between 0 and {MAX_PAGE}")
    return PageRequest(limit=size, after=after, before=before, from_end=last is not None)


def encode_cursor(kind: str, *values: Any) -> str:
    """A cursor names the position of a row in its order; clients must treat it as opaque.

    It holds the row's order value and public id, never a row id: row ids are global, so they
    would tell one workspace how much all the others write.
    """
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 1_000
"""Longer than any cursor the server makes (an invoiceId of 128 characters included)."""


def decode_cursor(kind: str, cursor: str, arity: int) -> list[Any]:
    """The values of a cursor of this kind; BadUserInput for anything the server did not make
    (too long, not base64 of JSON, nested, another kind, text that is not UTF-8)."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadUserInput("the cursor is not valid")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError, RecursionError) as error:
        raise BadUserInput("the cursor is not valid") from error
    if not isinstance(decoded, list) or len(decoded) != arity + 1 or decoded[0] != kind:
        raise BadUserInput("the cursor is not valid for this list")
    if not all(_is_scalar(value) for value in decoded):
        raise BadUserInput("the cursor is not valid for this list")
    return decoded[1:]


def _is_scalar(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate: no database takes it
            return False
        return True
    return value is None or isinstance(value, bool | int)


def cursor_public_id(value: object, prefix: str) -> str:
    """A public id read from a cursor: of the list's type and shape, or BadUserInput."""
    if not isinstance(value, str) or not is_public_id(value, prefix):
        raise BadUserInput("the cursor is not valid for this list")
    return value


def cursor_int(value: object, *, low: int, high: int) -> int:
    """A whole number read from a cursor, within what the column holds, or BadUserInput."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadUserInput("the cursor is not valid for this list")
    return value


@dataclass(frozen=True, slots=True)
class PageInfoData:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    """An instant as whole microseconds since the epoch: exact, unlike a float timestamp."""
    return (instant - EPOCH) // MICROSECOND


def decode_keyset(kind: str, cursor: str | None, prefix: str) -> tuple[datetime, str] | None:
    """The (instant, public id) a keyset cursor of this kind holds; BadUserInput if malformed."""
    if cursor is None:
        return None
    instant_us, public_id = decode_cursor(kind, cursor, 2)
    return instant_from_micros(instant_us), cursor_public_id(public_id, prefix)


def instant_from_micros(value: object) -> datetime:
    """The inverse of `micros`, for a value read from a cursor (so: BadUserInput if bad)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadUserInput("the cursor is not valid for this list")
    try:
        return EPOCH + value * MICROSECOND
    except OverflowError as error:
        raise BadUserInput("the cursor is not valid for this list") from error


def page_info(rows: list[Any], request: PageRequest, cursor: Any) -> tuple[list[Any], PageInfoData]:
    """Trim the one extra row a page query fetched, and say what lies beyond the page."""
    more = len(rows) > request.limit
    if more:
        rows = rows[1:] if request.from_end else rows[:-1]
    return rows, PageInfoData(
        has_next_page=more if not request.from_end else request.before is not None,
        has_previous_page=more if request.from_end else request.after is not None,
        start_cursor=cursor(rows[0]) if rows else None,
        end_cursor=cursor(rows[-1]) if rows else None,
    )
