"""Documents -> plans: which queries these reads answer, compiled once per document.

A plan is written for a document that parses and validates, whose chosen operation is a query
made of `invoice(invoice: {invoiceId})`, `invoices(first, after)` and `__typename` at the
root, with fields invoices.py knows below them. Per request it coerces the variables as
graphql-core does, measures the operation against the limits (schema/limits.py) and checks
every argument as the resolvers would; where any of that is not plainly fine, the request goes
the standard way, which answers its error as it always has.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    parse,
    validate,
    visit,
)
from graphql.execution.values import get_argument_values, get_variable_values

from invoicegraph.ledger.filters import InvoiceOrder
from invoicegraph.resolvers.invoices import invoice_start
from invoicegraph.resolvers.pagination import DEFAULT_PAGE, MAX_PAGE, BadUserInput
from invoicegraph.schema.limits import MAX_TOKENS, connection_fields, holds_nul, measure, refusal
from invoicegraph.sqljson.invoices import invoice_by_key, invoice_page
from invoicegraph.sqljson.selections import Fields, Fragments, collect, plain
from invoicegraph.sqljson.statement import Bound, Statement, Unsupported, json_object

CAPACITY = 256
"""Documents remembered (plans and refusals alike), least recently used leave first."""
COSTS_KEPT = 128
"""Costs a plan remembers (one per page size asked for), forgotten all at once past that."""
SIZES = frozenset({"first", "last"})

Prepare = Callable[[dict[str, Any]], dict[str, Any]]
"""A root field's coerced arguments -> the values its SQL reads; Unsupported when unsure."""


@dataclass(frozen=True, slots=True)
class Plan:
    document: DocumentNode
    operation: OperationDefinitionNode
    sql: str
    statement: Statement
    roots: tuple[tuple[str, Any, Any, Prepare], ...]
    """(response key, field definition, field node, prepare) per root field with arguments."""
    sized_by: tuple[str, ...]
    """The variables given as a page size (`first`, `last`), the only ones the cost reads."""
    costs: dict[tuple[Any, ...], int | None] = field(default_factory=dict)
    """Costs measured, by the values of `sized_by`."""

    def bind(
        self, schema: GraphQLSchema, variables: dict[str, Any] | None, workspace_id: int
    ) -> tuple[tuple[Any, ...], int] | None:
        """The statement's parameters and the operation's cost; None: the standard way."""
        coerced = get_variable_values(
            schema, self.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None
        cost = self._cost(schema, variables or {})
        if cost is None:
            return None
        bound: Bound = {"": {"workspace": workspace_id}}
        try:
            for key, definition, node, prepare in self.roots:
                bound[key] = prepare(get_argument_values(definition, node, coerced))
        except (Unsupported, GraphQLError):
            return None
        return self.statement.values(bound), cost

    def _cost(self, schema: GraphQLSchema, variables: dict[str, Any]) -> int | None:
        """The operation's cost by the limits (None: refused), measured once per value of the
        variables it depends on: the page sizes (schema/limits.py reads no other)."""
        key = tuple(variables.get(name) for name in self.sized_by)
        if key in self.costs:
            return self.costs[key]
        found = measure(self.document, _name(self.operation), variables, _connections(schema))
        cost = None if refusal(found) is not None else found.cost
        if all(value is None or type(value) is int for value in key):  # a few hashable values
            if len(self.costs) >= COSTS_KEPT:
                self.costs.clear()
            self.costs[key] = cost
        return cost


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name else None


@cache
def _connections(schema: GraphQLSchema) -> frozenset[str]:
    return connection_fields(schema)


def _invoice_key(arguments: dict[str, Any]) -> dict[str, Any]:
    match = arguments.get("invoice")
    if not isinstance(match, dict) or set(match) != {"invoiceId"}:
        raise Unsupported("invoice by id")
    if not isinstance(match["invoiceId"], str):
        raise Unsupported("invoiceId")
    return {"invoice_id": match["invoiceId"]}


def _page(arguments: dict[str, Any]) -> dict[str, Any]:
    if any(arguments.get(name) is not None for name in ("last", "before", "filter", "orderBy")):
        raise Unsupported("a filter, an order or a page from the end")
    first = arguments.get("first")
    first = DEFAULT_PAGE if first is None else first
    if not 0 <= first <= MAX_PAGE:
        raise Unsupported("first out of range")
    after = arguments.get("after")
    try:
        start = None if after is None else invoice_start(after, InvoiceOrder())
    except BadUserInput as error:
        raise Unsupported("a cursor") from error
    return {
        "first": first,
        "after_created": None if start is None else start.value,
        "after_public_id": None if start is None else start.public_id,
        "has_previous": after is not None,
    }


def compile_plan(schema: GraphQLSchema, query: str, operation_name: str | None) -> Plan:
    """The plan of the document's operation; Unsupported for anything else."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        raise Unsupported("syntax") from error
    if validate(schema, document) or holds_nul(document, query):
        raise Unsupported("invalid")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or _name(o) == operation_name]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        raise Unsupported("not one query")
    operation = chosen[0]
    fragments: Fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    query_type = schema.query_type
    assert query_type is not None
    statement = Statement()
    workspace = statement.param(lambda bound: bound[""]["workspace"], "bigint")
    pairs: list[tuple[str, str]] = []
    roots: list[tuple[str, Any, Any, Prepare]] = []
    fields: Fields = collect(operation.selection_set.selections, "Query", fragments)
    for key, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            plain(nodes)
            pairs.append((key, "'Query'"))
            continue
        if len(nodes) != 1 or name not in ("invoice", "invoices"):
            raise Unsupported(f"Query.{name}")
        below = collect(
            nodes[0].selection_set.selections if nodes[0].selection_set else (),
            "Invoice" if name == "invoice" else "InvoiceConnection",
            fragments,
        )
        values = _values_of(key)
        if name == "invoice":
            sql = invoice_by_key(
                statement,
                below,
                fragments,
                workspace,
                _invoice_id_of(values),
            )
            prepare: Prepare = _invoice_key
        else:
            sql = invoice_page(statement, below, fragments, workspace, values)
            prepare = _page
        pairs.append((key, sql))
        roots.append((key, query_type.fields[name], nodes[0], prepare))
    if not roots:  # `{ __typename }`: nothing to read, and no use of the workspace parameter
        raise Unsupported("nothing to read")
    return Plan(
        document=document,
        operation=operation,
        sql=f"SELECT {json_object(pairs)}::text",
        statement=statement,
        roots=tuple(roots),
        sized_by=_sized_by(document),
    )


def _sized_by(document: DocumentNode) -> tuple[str, ...]:
    """Variables given as `first` or `last` anywhere in the document, in a stable order. A
    variable given as `ids` (whose cost is its length) would have to be in it too; no field
    SQL reads answer takes `ids`, and compile_plan refuses every other field."""
    names: set[str] = set()

    class Sizes(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if node.name.value in SIZES and isinstance(node.value, VariableNode):
                names.add(node.value.name.value)

    visit(document, Sizes())
    return tuple(sorted(names))


def _values_of(key: str) -> Callable[[Bound], dict[str, Any]]:
    return lambda bound: bound[key]


def _invoice_id_of(values: Callable[[Bound], dict[str, Any]]) -> Callable[[Bound], Any]:
    return lambda bound: values(bound)["invoice_id"]


class Plans:
    """Plans by (document, operation name), with the documents that have none."""

    def __init__(self, schema: GraphQLSchema, capacity: int = CAPACITY) -> None:
        self.schema = schema
        self._capacity = capacity
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        key = (query, operation_name)
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        try:
            found: Plan | None = compile_plan(self.schema, query, operation_name)
        except Unsupported:
            found = None
        self._plans[key] = found
        if len(self._plans) > self._capacity:
            self._plans.popitem(last=False)
        return found
