"""FRAGMENT's tag operations: create refuses an existing key, update a missing one, set is
either, delete and remove drop a key (a missing one is no refusal); each key in one operation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.errors import BadRequest
from invoicegraph.ledger.tag_operations import (
    TagOperations,
    apply_tag_operations,
    tag_operation_problems,
)
from invoicegraph.ledger.tags import MAX_TAGS, Tag

KEYS = ["a", "b", "c", "d", "e", "f"]
values = st.sampled_from(["1", "2", "3"])
stored = st.lists(st.builds(Tag, st.sampled_from(KEYS), values), unique_by=lambda t: t.key)


@st.composite
def operations(draw: st.DrawFn) -> TagOperations:
    """Operations naming each key at most once, as tag_operation_problems requires."""
    keys = draw(st.permutations(KEYS))
    kinds = draw(
        st.lists(
            st.sampled_from(["set", "create", "update", "delete", "remove", None]),
            min_size=len(KEYS),
            max_size=len(KEYS),
        )
    )
    lists: dict[str, list[object]] = {"set": [], "create": [], "update": [], "delete": []}
    lists["remove"] = []
    for key, kind in zip(keys, kinds, strict=True):
        if kind in ("delete", "remove"):
            lists[kind].append(key)
        elif kind is not None:
            lists[kind].append(Tag(key, draw(values)))
    return TagOperations(**{name: tuple(entries) for name, entries in lists.items()})  # type: ignore[arg-type]


def as_dict(tags: tuple[Tag, ...] | list[Tag]) -> dict[str, str]:
    return {tag.key: tag.value for tag in tags}


@given(tags=stored, ops=operations())
def test_operations_follow_the_model_or_refuse(tags: list[Tag], ops: TagOperations) -> None:
    assert tag_operation_problems(ops, ("tags",)) == []
    present = {tag.key for tag in tags}
    bad_creates = [t.key for t in ops.create if t.key in present]
    bad_updates = [t.key for t in ops.update if t.key not in present]
    if bad_creates or bad_updates:
        with pytest.raises(BadRequest) as refused:
            apply_tag_operations(tags, ops, path=("tags",))
        named = [p.path for p in refused.value.problems]
        assert named == [
            ("tags", "create", str(i), "key") for i, t in enumerate(ops.create) if t.key in present
        ] + [
            ("tags", "update", str(i), "key")
            for i, t in enumerate(ops.update)
            if t.key not in present
        ]
        return
    result = apply_tag_operations(tags, ops, path=("tags",))
    model = as_dict(tags)
    model |= as_dict([*ops.set, *ops.create, *ops.update])
    for key in (*ops.delete, *ops.remove):
        model.pop(key, None)
    assert as_dict(result) == model
    assert len({tag.key for tag in result}) == len(result)
    kept = [t.key for t in tags if t.key in model]
    assert [t.key for t in result][: len(kept)] == kept  # existing keys keep their place


@given(tags=stored, ops=operations())
def test_applying_is_pure_and_deterministic(tags: list[Tag], ops: TagOperations) -> None:
    before = list(tags)
    try:
        first = apply_tag_operations(tags, ops, path=())
    except BadRequest:
        assert tags == before
        return
    assert apply_tag_operations(tags, ops, path=()) == first
    assert tags == before


@given(tags=stored)
def test_no_operations_change_nothing(tags: list[Tag]) -> None:
    assert apply_tag_operations(tags, TagOperations(), path=()) == tuple(tags)


@given(tags=stored, key=st.sampled_from(KEYS))
def test_delete_of_a_missing_key_is_no_refusal(tags: list[Tag], key: str) -> None:
    rest = [t for t in tags if t.key != key]
    assert apply_tag_operations(rest, TagOperations(delete=(key,)), path=()) == tuple(rest)


@given(
    first=st.sampled_from(["set", "create", "update", "delete", "remove"]),
    second=st.sampled_from(["set", "create", "update", "delete", "remove"]),
)
def test_a_key_in_two_operations_is_refused(first: str, second: str) -> None:
    def entry(kind: str) -> object:
        return "k" if kind in ("delete", "remove") else Tag("k", "v")

    lists: dict[str, list[object]] = {}
    lists.setdefault(first, []).append(entry(first))
    lists.setdefault(second, []).append(entry(second))
    ops = TagOperations(**{k: tuple(v) for k, v in lists.items()})  # type: ignore[arg-type]
    problems = tag_operation_problems(ops, ("tags",))
    if first == second == "remove":
        assert problems == []  # as before FRAGMENT's operations: remove may repeat a key
    else:
        assert len(problems) == 1


def test_problems_name_their_paths() -> None:
    ops = TagOperations(
        create=(Tag("a#", "v"),),
        update=(Tag("b", ""),),
        delete=("",),
        set=(Tag("c", "v"),),
        remove=("c",),
    )
    problems = tag_operation_problems(ops, ("lineItems", "0", "update", "tagOperations"))
    assert [(p.path, p.message) for p in problems] == [
        (
            ("lineItems", "0", "update", "tagOperations", "create", "0", "key"),
            "must not contain #, / or :",
        ),
        (
            ("lineItems", "0", "update", "tagOperations", "update", "0", "value"),
            "must be 1-200 characters",
        ),
        (("lineItems", "0", "update", "tagOperations", "delete", "0"), "must be 1-50 characters"),
        (
            ("lineItems", "0", "update", "tagOperations", "remove"),
            "the key 'c' is both set and removed",
        ),
    ]


def test_create_past_the_cap_is_refused_and_full_tags_stay_readable() -> None:
    full = tuple(Tag(f"k{i}", "v") for i in range(MAX_TAGS))
    with pytest.raises(BadRequest) as refused:
        apply_tag_operations(
            full, TagOperations(create=(Tag("new", "v"),)), path=("tags",), holder="a transaction"
        )
    assert [(p.path, p.message) for p in refused.value.problems] == [
        (("tags", "create"), f"a transaction holds at most {MAX_TAGS} tags")
    ]
    assert apply_tag_operations(full, TagOperations(update=(Tag("k0", "w"),)), path=())[0] == Tag(
        "k0", "w"
    )
