"""Query limits: depth, aliases, tokens and cost, checked before any resolver runs.

Every response carries `extensions.cost`; a refused operation gets one top-level error with
`extensions.code = QUERY_TOO_COMPLEX` and executes nothing. The cost follows GitHub's and
Shopify's idea: a field that returns objects costs 1, times how many it may return (`first` or
`last` of a connection, default 20; the number of ids of `nodes`), times what each of those
costs in turn; a connection's `edges`, `node` and `nodes` add nothing of their own. So
`invoices(first: 200) { nodes { lineItems { user { id } } } }` costs 200 x (1 + 2) = 600, and
a 200 x 200 nest of connections (40,200) is refused. Introspection is free and unlimited,
so GraphiQL and code generators always work.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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

from invoicegraph.resolvers.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_COST = 25_000
MAX_INTROSPECTIONS = 3
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int
    aliases: int
    cost: int
    introspections: int = 0
    """`__schema` and `__type` selections: free, but not unlimited."""


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
    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        connections: frozenset[str],
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.connections = connections
        self.aliases = 0
        self.introspections = 0

    def fields(self, selection_set: SelectionSetNode) -> Iterator[FieldNode]:
        """The fields of a selection set, with fragments expanded in place."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self.fields(fragment.selection_set)

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

    def measure(self, selection_set: SelectionSetNode) -> tuple[int, int]:
        """(depth, cost) of a selection set; counts aliases on the way."""
        depth = cost = 0
        for field in self.fields(selection_set):
            if field.alias is not None:
                self.aliases += 1
            if field.name.value in ("__schema", "__type"):
                self.introspections += 1
            if field.name.value.startswith("__"):
                continue
            if field.selection_set is None:
                depth = max(depth, 1)
                continue
            child_depth, child_cost = self.measure(field.selection_set)
            depth = max(depth, 1 + child_depth)
            if self._is_connection_plumbing(field):
                cost += child_cost
            else:
                cost += self.multiplier(field) * (1 + child_cost)
        return depth, cost

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
    depth, cost = walker.measure(chosen.selection_set)
    return Measure(
        depth=depth, aliases=walker.aliases, cost=cost, introspections=walker.introspections
    )


def refusal(found: Measure) -> str | None:
    if found.depth > MAX_DEPTH:
        return f"The query is {found.depth} levels deep; at most {MAX_DEPTH} are allowed."
    if found.aliases > MAX_ALIASES:
        return f"The query uses {found.aliases} aliases; at most {MAX_ALIASES} are allowed."
    if found.cost > MAX_COST:
        return f"The query costs {found.cost}; at most {MAX_COST} is allowed."
    if found.introspections > MAX_INTROSPECTIONS:
        return f"The query introspects {found.introspections} times; at most {MAX_INTROSPECTIONS}."
    return None


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


class QueryLimits(SchemaExtension):
    """Refuses operations over the limits before execution, and reports every cost."""

    _cost: int | None = None

    def on_operation(self) -> Iterator[None]:
        self._cost = None
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        variables = context.variables if isinstance(context.variables, dict) else {}
        connections = connection_fields(context.schema._schema)
        found = measure(context.graphql_document, context.operation_name, variables, connections)
        self._cost = found.cost
        if (reason := refusal(found)) is not None:
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(reason, extensions={"code": TOO_COMPLEX})]
            )
        elif holds_nul(context.graphql_document, context.query):
            message = "Strings must not contain NUL characters."
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})]
            )
        elif context.operation_type is OperationType.SUBSCRIPTION and not over_websocket(context):
            message = "Subscriptions run over WebSocket (graphql-transport-ws) on this path."
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})]
            )
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self._cost, "limit": MAX_COST}}
