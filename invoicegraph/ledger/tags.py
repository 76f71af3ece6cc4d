"""Tag rules: short keys and values without the separators FRAGMENT reserves."""

from collections.abc import Sequence
from dataclasses import dataclass

from invoicegraph.ledger.errors import FieldProblem, Path

RESERVED_CHARACTERS = frozenset("#/:")
KEY_MAX = 50
VALUE_MAX = 200
MAX_TAGS = 50
"""Tags one invoice, line item or transaction holds (as many as Stripe's metadata keys)."""


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str


def _text_problem(text: str, *, maximum: int) -> str | None:
    if not 1 <= len(text) <= maximum:
        return f"must be 1-{maximum} characters"
    if RESERVED_CHARACTERS.intersection(text):
        return "must not contain #, / or :"
    return None


def tag_problems(tags: Sequence[Tag], path: Path) -> list[FieldProblem]:
    """Everything wrong with a list of tags: lengths, reserved characters, repeated keys."""
    problems: list[FieldProblem] = []
    if len(tags) > MAX_TAGS:
        problems.append(FieldProblem(path, f"at most {MAX_TAGS} tags"))
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        where = (*path, str(index))
        if (message := _text_problem(tag.key, maximum=KEY_MAX)) is not None:
            problems.append(FieldProblem((*where, "key"), message))
        if (message := _text_problem(tag.value, maximum=VALUE_MAX)) is not None:
            problems.append(FieldProblem((*where, "value"), message))
        if tag.key in seen:
            problems.append(FieldProblem((*where, "key"), f"repeats the key {tag.key!r}"))
        seen.add(tag.key)
    return problems
