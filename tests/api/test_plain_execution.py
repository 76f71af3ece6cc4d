"""The plain executor answers exactly what graphql-core's own executor answers.

Each document runs on a small strawberry schema twice, once with strawberry's execution
context and once with PlainExecutionContext, and the two results (data and errors, paths
included) must be equal: plain selections, aliases, fragments, __typename, enums, nulls where
the schema allows them and where it does not, lists with a bad element, resolver fields
mixed in. Then what surrounds the plans: a plan that cannot be written is counted and logged
once per selection (one that abandons at run time is not), a traceback through a plan quotes
its generated lines, and build_schema's switch picks the execution context.
"""

import datetime
import enum
import inspect
import linecache
import logging
import re
import traceback
from typing import Any, ClassVar

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from invoicegraph.schema import build_schema
from invoicegraph.schema.execution import (
    PLAN_WRITER_FAILURES,
    CountingExecutionContext,
    PlainExecutionContext,
    Plan,
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Hidden(BasePermission):
    message = "hidden"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Leaf:
    name: str
    count: int
    colour: Colour
    maybe: str | None
    flag: bool
    when: datetime.datetime = EPOCH
    secret: str = strawberry.field(default="s", permission_classes=[Hidden])


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Twig(Named):
    """Implements an interface, so strawberry checks each value's class (is_type_of)."""

    length: int


@strawberry.type
class Branch:
    label: str
    leaves: list[Leaf]
    first: Leaf
    optional: Leaf | None
    tags: list[str | None]
    twigs: list[Twig]

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()

    @strawberry.field
    async def later(self) -> Leaf:
        return self.first


def leaf(name: str, **changes: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": name,
        "count": 1,
        "colour": Colour.GREEN,
        "maybe": None,
        "flag": True,
    }
    values.update(changes)
    return Leaf(**values)


GOOD = [
    Branch(
        label="a",
        leaves=[leaf("x"), leaf("yy", colour=Colour.RED, maybe="m")],
        first=leaf("f"),
        optional=None,
        tags=["t", None],
        twigs=[Twig(name="t1", length=1), Twig(name="t2", length=2)],
    ),
    Branch(label="b", leaves=[], first=leaf("g"), optional=leaf("o"), tags=[], twigs=[]),
]
# Values the types promise not to hold, as a buggy resolver could return them.
BROKEN = [
    Branch(
        label="c",
        leaves=[leaf("ok"), leaf(None), leaf("big", count=2**40)],  # type: ignore[arg-type]
        first=leaf("h", colour="purple", when="yesterday"),
        optional=Twig(name="not a leaf", length=3),  # type: ignore[arg-type]
        tags=["t"],
        twigs=[Twig(name="ok", length=1), leaf("not a twig")],  # type: ignore[list-item]
    ),
    Branch(
        label=None,  # type: ignore[arg-type]
        leaves=[leaf("p", flag="yes")],
        first=None,  # type: ignore[arg-type]
        optional=None,
        tags=None,  # type: ignore[arg-type]
        twigs=[],
    ),
]


def schema_with(context: type, branches: list[Branch]) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def branches(self) -> list[Branch]:
            return branches

        @strawberry.field
        def nullable_branches(self) -> list[Branch | None] | None:
            return list(branches)

    return strawberry.Schema(query=Query, execution_context_class=context)


DOCUMENTS = [
    "{ branches { label leaves { name count colour maybe flag } } }",
    "{ branches { l: label a: leaves { n: name } b: leaves { count } } }",
    "{ branches { __typename first { __typename name } optional { name } tags } }",
    "{ branches { ...B } } fragment B on Branch { label leaves { ...L } } "
    "fragment L on Leaf { name colour }",
    "{ branches { label ... on Branch { first { name } } } }",
    "{ branches { label shout later { name } leaves { name } } }",
    "{ nullableBranches { label first { name colour } optional { flag } leaves { count } } }",
    "{ nullableBranches { label leaves { name } tags } }",
    "{ branches { first { name } first { count } } }",
    "{ branches { label twigs { name length __typename } } }",
    "{ nullableBranches { twigs { ... on Named { name } } } }",
    "{ nullableBranches { first { name when } optional { name count } } }",
    "{ branches { first { name secret } } }",
    "{ branches { label @include(if: false) leaves @skip(if: true) { name }"
    " first @include(if: true) { name } optional @skip(if: false) { flag } } }",
]


async def run(context: type, branches: list[Branch], document: str) -> dict[str, Any]:
    result = await schema_with(context, branches).execute(document)
    return {
        "data": result.data,
        "errors": sorted(
            (error.message, tuple(error.path or ())) for error in (result.errors or [])
        ),
    }


@pytest.mark.parametrize("branches", [GOOD, BROKEN], ids=["good", "broken"])
@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_plain_executor_answers_as_graphql_core_does(
    document: str, branches: list[Branch]
) -> None:
    expected = await run(StrawberryGraphQLCoreExecutionContext, branches, document)
    assert await run(PlainExecutionContext, branches, document) == expected


class CountingContext(PlainExecutionContext):
    """Counts the objects graphql-core completed field by field (the plans' fallbacks)."""

    standard = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingContext.standard += 1
        return super().execute_field(*args, **kwargs)


async def test_plain_selections_take_no_field_by_field_step() -> None:
    CountingContext.standard = 0
    many = GOOD * 50
    result = await schema_with(CountingContext, many).execute(DOCUMENTS[0])
    assert result.errors is None
    assert len(result.data["branches"]) == 100  # type: ignore[index]
    # the root field only: every Branch and Leaf came from a plan
    assert CountingContext.standard == 1


# -- a plan the writer cannot write ---------------------------------------------------------


@strawberry.enum
class Corner(enum.Enum):
    """Values that are lists: graphql-core scans for them, the plan writer's map of enum values
    cannot hold them (unhashable), so writing a plan for a selection of this enum fails."""

    TOP_LEFT = [0, 0]  # noqa: RUF012
    BOTTOM_RIGHT = [1, 1]  # noqa: RUF012


@strawberry.type
class Tile:
    name: str
    corner: Corner


def tile_schema(context: type) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def tiles(self) -> list[Tile]:
            return [
                Tile(name="a", corner=Corner.TOP_LEFT),
                Tile(name="b", corner=Corner.BOTTOM_RIGHT),
            ]

    return strawberry.Schema(query=Query, execution_context_class=context)


async def test_a_plan_that_cannot_be_written_is_counted_and_logged_once(
    log_records: list[logging.LogRecord],
) -> None:
    # given
    plain, standard = (
        tile_schema(PlainExecutionContext),
        tile_schema(StrawberryGraphQLCoreExecutionContext),
    )
    document = "{ tiles { name corner } }"
    expected = await standard.execute(document)
    assert expected.errors is None
    before = PLAN_WRITER_FAILURES.count
    # when: three requests of one selection, then one of another
    for _ in range(3):
        result = await plain.execute(document)
        assert (result.data, result.errors) == (expected.data, None)  # graphql-core answered
    await plain.execute("{ tiles { corner } }")
    # then: each request counts, each distinct selection logs one line, with the exception
    assert PLAN_WRITER_FAILURES.count - before == 4
    assert [record.getMessage() for record in log_records] == [
        "No plan could be written for Tile { name corner }; graphql-core executes it instead",
        "No plan could be written for Tile { corner }; graphql-core executes it instead",
    ]
    assert all(record.levelno == logging.ERROR for record in log_records)
    exc_info = log_records[0].exc_info
    assert exc_info is not None
    assert exc_info[0] is TypeError
    assert "unhashable" in str(exc_info[1])


async def test_a_plan_abandoned_at_run_time_is_neither_counted_nor_logged(
    log_records: list[logging.LogRecord],
) -> None:
    before = PLAN_WRITER_FAILURES.count
    for document in DOCUMENTS:
        await schema_with(PlainExecutionContext, BROKEN).execute(document)
    assert PLAN_WRITER_FAILURES.count == before
    assert log_records == []


# -- generated source in tracebacks ---------------------------------------------------------


class RecordingContext(PlainExecutionContext):
    """Keeps the plans it wrote, by type name."""

    plans: ClassVar[dict[str, Plan]] = {}

    def plan_for(self, object_type: GraphQLObjectType, grouped_field_set: Any) -> Plan | None:
        plan = super().plan_for(object_type, grouped_field_set)
        if plan is not None:
            RecordingContext.plans[object_type.name] = plan
        return plan


class Exploding:
    """A Leaf whose name cannot be read."""

    @property
    def name(self) -> str:
        raise RuntimeError("no name today")


async def test_a_traceback_through_a_plan_shows_its_generated_lines() -> None:
    # given
    result = await schema_with(RecordingContext, GOOD).execute(DOCUMENTS[0])
    assert result.errors is None
    plan = RecordingContext.plans["Leaf"]
    filename = plan.__code__.co_filename
    # then: the code is named after its type, and its source can be read back
    assert re.fullmatch(r"<plan Leaf#\d+>", filename)
    # (its first two lines count the object toward MAX_OBJECTS)
    source = inspect.getsource(plan)
    assert re.match(
        r"def plan\(source\):\n    (c\d+)\[0\] -= 1\n    if \1\[0\] < 0: raise c\d+\n", source
    )
    assert linecache.getline(filename, 4) == "    v0 = source.name\n"
    # when: a plan meets an exception
    with pytest.raises(RuntimeError) as raised:
        plan(Exploding())
    # then: its traceback quotes the generated line
    text = "".join(traceback.format_exception(raised.value))
    assert f'File "{filename}", line 4, in plan\n    v0 = source.name\n' in text


# -- the switch -----------------------------------------------------------------------------


def test_the_switch_chooses_the_execution_context() -> None:
    assert build_schema().execution_context_class is PlainExecutionContext
    standard = build_schema(plain_execution=False)
    # graphql-core's way for every field, counting objects as the plain one does
    assert standard.execution_context_class is CountingExecutionContext
    assert issubclass(CountingExecutionContext, StrawberryGraphQLCoreExecutionContext)
    assert not issubclass(CountingExecutionContext, PlainExecutionContext)
