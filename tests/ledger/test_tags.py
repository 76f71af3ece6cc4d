"""Tag rules: keys 1-50 characters, values 1-200, no '#', '/' or ':', keys unique per list."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.errors import Path
from invoicegraph.ledger.tags import Tag, tag_problems

PATH: Path = ("tags",)


def paths(*tags: Tag, path: Path = PATH) -> list[Path]:
    return [problem.path for problem in tag_problems(tags, path)]


def test_no_tags_have_no_problems() -> None:
    assert tag_problems([], PATH) == []


def test_good_tags_have_no_problems() -> None:
    assert paths(Tag("region", "us-east"), Tag("team", "billing ops"), Tag("é", "ünïcode")) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("k", "v"),
        ("k" * 50, "v"),
        ("k", "v" * 200),
        ("😀" * 50, "😀" * 200),  # lengths count characters, not bytes
        ("a-b_c.d e", "x=y;z|w?*"),
    ],
)
def test_lengths_at_the_limits_are_accepted(key: str, value: str) -> None:
    assert paths(Tag(key, value)) == []


@pytest.mark.parametrize("key", ["", "k" * 51, "k" * 1000])
def test_a_key_outside_1_to_50_characters_is_a_problem_at_key(key: str) -> None:
    [problem] = tag_problems([Tag(key, "v")], PATH)
    assert problem.path == ("tags", "0", "key")
    assert "1-50" in problem.message


@pytest.mark.parametrize("value", ["", "v" * 201])
def test_a_value_outside_1_to_200_characters_is_a_problem_at_value(value: str) -> None:
    [problem] = tag_problems([Tag("k", value)], PATH)
    assert problem.path == ("tags", "0", "value")
    assert "1-200" in problem.message


@pytest.mark.parametrize("character", ["#", "/", ":"])
def test_reserved_characters_are_refused_in_keys_and_values(character: str) -> None:
    assert paths(Tag(f"a{character}b", "v")) == [("tags", "0", "key")]
    assert paths(Tag("k", f"{character}")) == [("tags", "0", "value")]
    assert paths(Tag(character, f"x{character}")) == [("tags", "0", "key"), ("tags", "0", "value")]


def test_a_repeated_key_is_a_problem_at_each_repeat() -> None:
    problems = tag_problems(
        [Tag("a", "1"), Tag("b", "2"), Tag("a", "3"), Tag("a", "1")], ("lineItems", "4", "tags")
    )
    assert [problem.path for problem in problems] == [
        ("lineItems", "4", "tags", "2", "key"),
        ("lineItems", "4", "tags", "3", "key"),
    ]
    assert all("'a'" in problem.message for problem in problems)


def test_keys_differing_only_in_case_are_different_keys() -> None:
    assert paths(Tag("Region", "1"), Tag("region", "2")) == []


def test_every_problem_of_every_tag_is_listed_at_once() -> None:
    # given
    tags = [Tag("ok", "fine"), Tag("", "x" * 201), Tag("a:b", "c"), Tag("ok", "v#1")]
    # when
    found = paths(*tags)
    # then
    assert found == [
        ("tags", "1", "key"),
        ("tags", "1", "value"),
        ("tags", "2", "key"),
        ("tags", "3", "value"),
        ("tags", "3", "key"),
    ]


texts = st.text(alphabet=st.sampled_from("ab#/:é"), max_size=3) | st.text(min_size=45, max_size=205)


@given(st.lists(st.builds(Tag, key=texts, value=texts), max_size=6))
def test_problems_are_exactly_the_broken_rules(tags: list[Tag]) -> None:
    # when
    found = sorted(paths(*tags))

    # then: an independent reading of the contract finds the same places
    def bad(text: str, maximum: int) -> bool:
        return not 1 <= len(text) <= maximum or any(c in text for c in "#/:")

    expected: list[Path] = []
    for index, tag in enumerate(tags):
        if bad(tag.key, 50):
            expected.append(("tags", str(index), "key"))
        if bad(tag.value, 200):
            expected.append(("tags", str(index), "value"))
        if tag.key in {earlier.key for earlier in tags[:index]}:
            expected.append(("tags", str(index), "key"))
    assert found == sorted(expected)
