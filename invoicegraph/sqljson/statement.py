"""A SQL statement being written: its text and its numbered parameters ($1, $2, ...)."""

from collections.abc import Callable
from typing import Any

MAX_KEYS = 50
"""json_build_object takes at most 100 arguments: 50 keys with their values."""


class Unsupported(Exception):
    """The document is not one these reads answer: the standard executor answers it."""


Bound = dict[str, dict[str, Any]]
"""Per root response key, the request's values its SQL reads (workspace under "")."""
Getter = Callable[[Bound], Any]


class Statement:
    """Written once per document; its parameters are read from each request's `Bound`."""

    def __init__(self) -> None:
        self.getters: list[Getter] = []
        self._aliases = 0

    def param(self, getter: Getter, sql_type: str) -> str:
        self.getters.append(getter)
        return f"${len(self.getters)}::{sql_type}"

    def values(self, bound: Bound) -> tuple[Any, ...]:
        return tuple(getter(bound) for getter in self.getters)

    def alias(self, prefix: str) -> str:
        """A table alias of its own for each subquery, so nested ones never shadow."""
        self._aliases += 1
        return f"{prefix}{self._aliases}"


def json_object(pairs: list[tuple[str, str]]) -> str:
    """json_build_object of (response key, SQL value) pairs, in the selection's order. Keys
    are GraphQL names (letters, digits, underscores), so they are safe as SQL literals."""
    if len(pairs) > MAX_KEYS:
        raise Unsupported(f"more than {MAX_KEYS} fields in one object")
    return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def json_list(element: str, source: str, order: str) -> str:
    """A JSON array of `element` over the rows of `source` (FROM ... WHERE ...), never null."""
    return f"(SELECT coalesce(json_agg({element} ORDER BY {order}), '[]'::json) FROM {source})"


def text_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
