"""Query limits: depth, aliases, tokens and cost, checked before any resolver runs, and the
objects of a response, counted while it is built.

Every response carries `extensions.cost`; a refused operation gets one top-level error with
`extensions.code = QUERY_TOO_COMPLEX` and executes nothing. The cost follows GitHub's and
Shopify's idea: a field that returns objects costs 1, times how many it may return (`first` or
`last` of a connection, default 20; the number of ids of `nodes`), times what each of those
costs in turn; a connection's `edges`, `node` and `nodes` add nothing of their own. So
`invoices(first: 200) { nodes { lineItems { user { id } } } }` costs 200 x (1 + 2) = 600, and
a 200 x 200 nest of connections (40,200) is refused. Introspection is free and unlimited in
cost, so GraphiQL and code generators always work.

A plain list (line items, payments, tags, balances) counts once in that estimate: it is as long
as the data makes it, and counting each at its largest (500 line items an invoice, payments
without a cap) would refuse every page of invoices with their line items. The executor
(schema/execution.py) counts the objects it builds instead, every list at its real length, and
stops at MAX_OBJECTS: the operation then answers one RESPONSE_TOO_LARGE error.

The walk measures each fragment once, however often it is spread, so its work is linear in the
size of the document (a document of 40 fragments that each spread the next twice would
otherwise be walked 2**40 times); counts stop growing at CEILING.
"""

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from graphql import (
    BREAK,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    value_from_ast_untyped,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from invoicegraph.metrics import QUERY_COST
from invoicegraph.resolvers.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_COST = 25_000
MAX_INTROSPECTIONS = 3
MAX_OBJECTS = MAX_COST
"""Objects one response (or one event of a subscription) may hold, counted as it is built:
the cost counted for real, with every plain list as long as it is (schema/execution.py)."""
TOO_COMPLEX = "QUERY_TOO_COMPLEX"
TOO_LARGE = "RESPONSE_TOO_LARGE"


class TooManyObjects(Exception):
    """Raised while building a response that has reached MAX_OBJECTS; the operation then
    answers one RESPONSE_TOO_LARGE error instead of the part built so far."""


BUILDING: ContextVar[list[int] | None] = ContextVar("building", default=None)
"""The objects the resolvers of the running operation may still build (set by its executor).
The executor counts the objects it completes; this counts the ones resolvers make before
that, in bulk (an invoice's line items for each of 500 line items that select their invoice
would be 250,000 before the first is completed)."""


def building(count: int) -> None:
    """Count `count` objects about to be built; raises TooManyObjects past MAX_OBJECTS."""
    left = BUILDING.get()
    if left is not None:
        if count > left[0]:
            raise TooManyObjects  # and nothing is built, so nothing is counted
        left[0] -= count


CEILING = 10**9
"""Counts stop growing here: far past every limit, so a refusal can still say by how much, and
the numbers of a document that multiplies stay small."""


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int
    aliases: int
    cost: int
    introspections: int = 0
    """`__schema` and `__type` selections: free, but not unlimited."""
    problem: str | None = None
    """Why the document could not be measured (fragments in a cycle, nesting past Python's
    recursion limit): refused as too complex. Validation refuses cycles first."""


NOTHING = Measure(depth=0, aliases=0, cost=0)

Counts = tuple[int, int, int, int]
"""(depth, aliases, cost, introspections): a Measure while walking (tuples are cheaper)."""
NO_COUNTS: Counts = (0, 0, 0, 0)


class FragmentCycle(Exception):
    """A fragment spreads itself, directly or through others."""


@cache
def connection_fields(schema: GraphQLSchema) -> frozenset[str]:
    """Names of the fields that return a connection (paged with first/last, default 20).

    Checked to be unambiguous: no other field of the schema has one of these names.
    """
    connections: set[str] = set()
    others: set[str] = set()
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for name, field in named.fields.items():
                returns = get_named_type(field.type)
                is_connection = returns is not None and returns.name.endswith("Connection")
                (connections if is_connection else others).add(name)
    assert not connections & others, connections & others
    return frozenset(connections)


class _Walker:
    """Measures a selection set bottom-up. Each fragment is measured once (`_measured`), so a
    document whose fragments spread each other many times costs work linear in its size;
    within one selection set a fragment counts once, as graphql-core collects it once. Sums
    stop growing at CEILING, so that the numbers stay small whatever the document."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        connections: frozenset[str],
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.connections = connections
        self._measured: dict[str, Counts] = {}
        self._measuring: set[str] = set()

    def argument(self, field: FieldNode, name: str) -> Any:
        for argument in field.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return self.variables.get(value.name.value)  # defaults are filled in already
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, ListValueNode):
                return list(value.values)
        return None

    def multiplier(self, field: FieldNode) -> int:
        size = self.argument(field, "first")
        if size is None:
            size = self.argument(field, "last")
        if size is None and field.name.value in self.connections:
            size = DEFAULT_PAGE
        if isinstance(size, int) and not isinstance(size, bool):
            # A page is never larger than MAX_PAGE: a bigger request is refused as
            # BAD_USER_INPUT when it runs, so cost it as the largest page it could be.
            return min(max(size, 0), MAX_PAGE)
        ids = self.argument(field, "ids")
        return len(ids) if isinstance(ids, list) else 1

    def measure(self, selection_set: SelectionSetNode) -> Counts:
        """(depth, aliases, cost, introspections) of a selection set."""
        depth = aliases = cost = introspections = 0
        pending: list[SelectionSetNode] = [selection_set]
        spread: set[str] = set()
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    found = self.field(selection)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                    continue
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in spread:
                        continue  # collected once per selection set, as graphql-core does
                    spread.add(name)
                    found = self.fragment(name)
                else:
                    continue
                if found[0] > depth:
                    depth = found[0]
                aliases += found[1]
                cost += found[2]
                introspections += found[3]
        return depth, min(aliases, CEILING), min(cost, CEILING), min(introspections, CEILING)

    def fragment(self, name: str) -> Counts:
        known = self._measured.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None:
            return NO_COUNTS  # validation refuses unknown fragments; nothing to count
        if name in self._measuring:
            raise FragmentCycle(name)  # validation refuses cycles too; never loop on one
        self._measuring.add(name)
        try:
            found = self.measure(definition.selection_set)
        finally:
            self._measuring.discard(name)
        self._measured[name] = found
        return found

    def field(self, field: FieldNode) -> Counts:
        aliases = 0 if field.alias is None else 1
        name = field.name.value
        if name.startswith("__"):
            return 0, aliases, 0, 1 if name in ("__schema", "__type") else 0
        if field.selection_set is None:
            return 1, aliases, 0, 0
        depth, inner_aliases, inner_cost, introspections = self.measure(field.selection_set)
        if self._is_connection_plumbing(field):
            cost = inner_cost
        else:
            cost = min(self.multiplier(field) * (1 + inner_cost), CEILING)
        return 1 + depth, aliases + inner_aliases, cost, introspections

    @staticmethod
    def _is_connection_plumbing(field: FieldNode) -> bool:
        """`edges`, `node` and `nodes` of a connection add no objects of their own."""
        return field.name.value in ("edges", "node", "nodes", "pageInfo") and not field.arguments


def measure(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    connections: frozenset[str] = frozenset(),
) -> Measure:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if o.name is not None and o.name.value == operation_name),
        operations[0] if operations else None,
    )
    if chosen is None:
        return Measure(depth=0, aliases=0, cost=0)
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in chosen.variable_definitions or ()
        if definition.default_value is not None
    }
    walker = _Walker(fragments, {**defaults, **variables}, connections)
    try:
        depth, aliases, cost, introspections = walker.measure(chosen.selection_set)
    except FragmentCycle as cycle:
        return replace(NOTHING, problem=f"The fragment {cycle} spreads itself.")
    except RecursionError:
        return replace(NOTHING, problem="The query nests too deeply to be measured.")
    return Measure(depth=depth, aliases=aliases, cost=cost, introspections=introspections)


def refusal(found: Measure) -> str | None:
    if found.problem is not None:
        return found.problem
    if found.depth > MAX_DEPTH:
        return f"The query is {found.depth} levels deep; at most {MAX_DEPTH} are allowed."
    if found.aliases > MAX_ALIASES:
        return f"The query uses {_count(found.aliases)} aliases; at most {MAX_ALIASES} are allowed."
    if found.cost > MAX_COST:
        return f"The query costs {_count(found.cost)}; at most {MAX_COST} is allowed."
    if found.introspections > MAX_INTROSPECTIONS:
        introspections = _count(found.introspections)
        return f"The query introspects {introspections} times; at most {MAX_INTROSPECTIONS}."
    return None


def _count(count: int) -> str:
    return str(count) if count < CEILING else f"at least {CEILING}"


class _NulFinder(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> object:
        if "\x00" in node.value:
            self.found = True
            return BREAK
        return None


def holds_nul(document: DocumentNode, text: str | None) -> bool:
    """A string literal of the document holds NUL (written \\u0000 in GraphQL), which no
    database stores the same way; variables are checked with the request body. A string holds
    NUL only if the text holds one raw or escaped, so most texts need no walk of the document."""
    if text is not None and "\x00" not in text and "\\u" not in text:
        return False
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


def over_websocket(context: ExecutionContext) -> bool:
    """A WebSocket's context holds its connection_init payload; an HTTP request's holds none."""
    return getattr(context.context, "connection_params", None) is not None


TOO_MANY_OBJECTS = (
    f"The response would hold more than {MAX_OBJECTS} objects (lists count every item); "
    "ask for fewer: smaller pages, fewer nested lists."
)


def stopped_if_too_large(result: object) -> None:
    """A result (graphql-core's or strawberry's) that stopped at MAX_OBJECTS answers one
    RESPONSE_TOO_LARGE error, and none of the data built before it stopped (a mutation's
    write is done all the same)."""
    errors = getattr(result, "errors", None)
    if not errors:
        return
    if any(isinstance(error.original_error, TooManyObjects) for error in errors):
        result.data = None  # type: ignore[attr-defined]
        result.errors = [GraphQLError(TOO_MANY_OBJECTS, extensions={"code": TOO_LARGE})]  # type: ignore[attr-defined]


class QueryLimits(SchemaExtension):
    """Refuses operations over the limits before execution, and reports every cost."""

    _cost: int | None = None

    def on_operation(self) -> Iterator[None]:
        self._cost = None
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        refused = self.refused(context)
        if refused is not None:
            if context.operation_type is OperationType.SUBSCRIPTION and over_websocket(context):
                # strawberry subscribes whatever the result set here; an error raised from
                # this hook is what it answers instead (one `next` with it, then `complete`).
                raise refused
            context.result = ExecutionResult(data=None, errors=[refused])
        yield
        stopped_if_too_large(context.result)  # a subscription's events: on_stream_result

    def on_stream_result(self, result: object) -> Iterator[None]:
        stopped_if_too_large(result)  # strawberry's ExecutionResult, not graphql-core's
        yield

    def refused(self, context: ExecutionContext) -> GraphQLError | None:
        """The one error that refuses the operation before it runs, if any."""
        assert context.graphql_document is not None
        variables = context.variables if isinstance(context.variables, dict) else {}
        connections = connection_fields(context.schema._schema)
        found = measure(context.graphql_document, context.operation_name, variables, connections)
        self._cost = found.cost
        QUERY_COST.observe(found.cost)
        if (reason := refusal(found)) is not None:
            return GraphQLError(reason, extensions={"code": TOO_COMPLEX})
        if holds_nul(context.graphql_document, context.query):
            message = "Strings must not contain NUL characters."
            return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
        if context.operation_type is OperationType.SUBSCRIPTION and not over_websocket(context):
            message = "Subscriptions run over WebSocket (graphql-transport-ws) on this path."
            return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
        return None

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self._cost, "limit": MAX_COST}}
