"""Tag operations with FRAGMENT's semantics, for any tagged object (invoice, line item,
transaction, user): `create` (the key must be new), `update` (the key must exist), `set`
(either), `delete` and our older `remove` (drop the key; a missing key is no refusal: FRAGMENT
documents refusals for create and update only).

A key may appear in one operation only, so the order they are applied in cannot matter:
existing keys keep their place, new keys are appended (set before create, in input order).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.tags import KEY_MAX, MAX_TAGS, Tag, tag_problems


@dataclass(frozen=True, slots=True)
class TagOperations:
    set: tuple[Tag, ...] = ()
    create: tuple[Tag, ...] = ()
    update: tuple[Tag, ...] = ()
    delete: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    """Ours before FRAGMENT's `delete`: the same, and repeating a key in it is allowed."""

    def __bool__(self) -> bool:
        return bool(self.set or self.create or self.update or self.delete or self.remove)


NO_TAG_OPERATIONS = TagOperations()

_NAMES = ("set", "create", "update", "delete", "remove")


def _keys(operations: TagOperations) -> list[tuple[str, int, str]]:
    """(operation name, index, key) for every key named, in the order of _NAMES."""
    named: list[tuple[str, int, str]] = []
    for name in _NAMES:
        for index, entry in enumerate(getattr(operations, name)):
            named.append((name, index, entry.key if isinstance(entry, Tag) else entry))
    return named


def tag_operation_problems(operations: TagOperations, path: Path) -> list[FieldProblem]:
    """Everything wrong with the operations that needs no stored tags: the tag rules, the
    caps, and a key named twice (in one list or in two)."""
    problems: list[FieldProblem] = []
    for name in ("set", "create", "update"):
        problems += tag_problems(getattr(operations, name), (*path, name))
    for name in ("delete", "remove"):
        keys: tuple[str, ...] = getattr(operations, name)
        if len(keys) > MAX_TAGS:
            problems.append(FieldProblem((*path, name), f"at most {MAX_TAGS} keys"))
        for index, key in enumerate(keys):
            if not 1 <= len(key) <= KEY_MAX:
                problems.append(
                    FieldProblem((*path, name, str(index)), f"must be 1-{KEY_MAX} characters")
                )
    first: dict[str, str] = {}
    for name, index, key in _keys(operations):
        earlier = first.setdefault(key, name)
        if earlier == name and (name != "delete" or operations.delete.index(key) == index):
            continue  # remove may repeat a key; set, create and update repeats are told above
        where = (*path, name) if name == "remove" else (*path, name, str(index), "key")
        if earlier == name:
            message = f"repeats the key {key!r}"
        elif {earlier, name} == {"set", "remove"}:
            message = f"the key {key!r} is both set and removed"
        else:
            message = f"the key {key!r} is also in {earlier}: one operation a key"
        problems.append(FieldProblem(where, message))
    return problems


def apply_tag_operations(
    tags: Sequence[Tag], operations: TagOperations, *, path: Path, holder: str = "an object"
) -> tuple[Tag, ...]:
    """The tags after the operations (checked by tag_operation_problems); raise BadRequest
    naming each create of an existing key, each update of a missing key, and a result over
    MAX_TAGS (unless the tags are left as they were: tags kept as they were stay readable)."""
    current = {tag.key for tag in tags}
    problems = [
        FieldProblem((*path, "create", str(index), "key"), f"the key {tag.key!r} already exists")
        for index, tag in enumerate(operations.create)
        if tag.key in current
    ] + [
        FieldProblem((*path, "update", str(index), "key"), f"there is no tag {tag.key!r}")
        for index, tag in enumerate(operations.update)
        if tag.key not in current
    ]
    if problems:
        raise BadRequest(problems)
    replaced = {tag.key: tag for tag in (*operations.set, *operations.update)}
    dropped = {*operations.delete, *operations.remove}
    kept = [replaced.pop(tag.key, tag) for tag in tags if tag.key not in dropped]
    added = [tag for tag in (*replaced.values(), *operations.create) if tag.key not in current]
    result = (*kept, *added)
    if len(result) > MAX_TAGS and result != tuple(tags):
        grown = "create" if operations.create and not operations.set else "set"
        raise BadRequest([FieldProblem((*path, grown), f"{holder} holds at most {MAX_TAGS} tags")])
    return result
