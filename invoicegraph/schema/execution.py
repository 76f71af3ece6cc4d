"""A faster executor for plain selections: objects whose selected fields are all attributes.

graphql-core completes every field the same general way: a resolve-info record, the resolver,
an awaitable check, then completion by the kind of the field's type. That costs several
microseconds a field, and a page of 100 invoices with their line items is some 6,000 fields.
Most of those are plain: strawberry fields without a resolver, read with `getattr`.

For such a selection this executor writes, once per request and selection, a plan: a Python
function generated for the object type and its collected fields (compiled once per distinct
source, so a repeated query pays only for writing it), which reads each attribute,
checks and serializes it inline (the built-in scalars by type, enums through a dictionary,
other scalars through their serializer), loops over lists and calls the plans of nested
objects, and returns the response map. Anything the plan does not expect (a None where the
schema says non-null, a value a serializer refuses, an unexpected type) abandons the plan for
that object, and graphql-core executes it again the standard way, which produces the same
error as always; so does any other exception a plan meets. Fields with resolvers, arguments,
extensions (permissions among them), abstract types, deferred fragments or middleware never
take a plan.

Two kinds of trouble are kept apart. A plan that abandons at run time met a value it does not
expect: that is its design, and graphql-core answers silently. A plan that cannot be *written*
(an exception while generating or compiling it) is a bug of the writer that would cost every
such request the slow path unnoticed: it counts in PLAN_WRITER_FAILURES and logs one line, with
the exception, per distinct type and selection. Each generated source is registered with
`linecache` under its synthetic file name (`<plan Invoice#3>`), so tracebacks show its lines.

strawberry and graphql-core offer no public API for this kind of executor; what is used that is
not documented as public (none of it `_`-prefixed) is marked "Not public:" below.
"""

import keyword
import linecache
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from enum import Enum
from functools import cache
from itertools import count
from types import CodeType
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    print_ast,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.resolvers import is_default_resolver

# Not public: strawberry exports its execution context class from no package namespace
# (`strawberry.schema` exports Schema only); subclassing it keeps what it adds to graphql-core's.
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Public but undocumented: DEFINITION_BACKREF is the key under which strawberry puts its own
# definition into every graphql-core type's, field's and enum's `extensions`. The only
# public alternative, Schema.get_field_for_type(name, type_name), scans a type's fields by name
# and needs the strawberry Schema, which a graphql-core executor reaches through the same key.
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField

from invoicegraph.schema.limits import BUILDING, MAX_OBJECTS, TooManyObjects

Plan = Callable[[Any], dict[str, Any]]
"""A source object -> the response map of its selection; raises Abandon when unsure."""

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
EXACT_TYPES = {GraphQLString: "str", GraphQLID: "str", GraphQLBoolean: "bool"}
BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF

log = logging.getLogger("invoicegraph.execution")


class Abandon(Exception):
    """The plan met a value it cannot complete the way graphql-core would."""


class PlanWriterFailures:
    """Plans that could not be written: a bug of the writer, not of the data. `count` grows
    by one per request and selection that met it (a rate for metrics); the log gets one line
    per distinct type and selection, so that a hot query does not flood it."""

    MAX_LOGGED = 1024
    """Distinct failures logged; past that only `count` grows (a client sending ever new
    documents cannot grow this set without bound)."""

    def __init__(self) -> None:
        self.count = 0
        self.logged: set[tuple[str, str]] = set()

    def record(
        self,
        object_type: GraphQLObjectType,
        grouped_field_set: GroupedFieldSet,
        error: Exception,
        request_id: object,
    ) -> None:
        self.count += 1
        key = (object_type.name, _selection_text(grouped_field_set))
        if key in self.logged or len(self.logged) >= self.MAX_LOGGED:
            return
        self.logged.add(key)
        log.error(
            "No plan could be written for %s { %s }; graphql-core executes it instead",
            *key,
            exc_info=error,
            extra={"request_id": request_id} if request_id is not None else None,
        )


PLAN_WRITER_FAILURES = PlanWriterFailures()


def counted(object_type: GraphQLObjectType) -> bool:
    """Whether an object of this type counts toward MAX_OBJECTS: what the cost counts, so the
    root, connections, edges and page info do not."""
    name = object_type.name
    return not (name in UNCOUNTED or name.endswith(("Connection", "Edge")))


UNCOUNTED = frozenset({"Query", "Mutation", "Subscription", "PageInfo"})


class CountingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, counting the objects of the response as it builds them: plain
    lists (line items, payments, tags, balances) are as long as the data makes them, which no
    estimate before execution knows without counting every one at its largest. Past
    MAX_OBJECTS it raises TooManyObjects, at once for every object still to build."""

    hide_every_suggestion = False
    """True (introspection off): no "Did you mean ...?" in errors of variables either."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        if cls.hide_every_suggestion:
            kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = [MAX_OBJECTS]
        """Objects still allowed; a list, so that plans decrement the same number."""
        self.building = [MAX_OBJECTS]
        """Objects the resolvers may still build (limits.building), through a context
        variable: resolvers see their operation's, and not the executor."""
        BUILDING.set(self.building)

    def build_per_event_executor(self, payload: Any) -> Any:
        """Each event of a subscription is a response of its own, with the whole budget
        (events of one subscription are built one after another)."""
        executor = super().build_per_event_executor(payload)
        self.budget[0] = MAX_OBJECTS
        self.building[0] = MAX_OBJECTS
        return executor

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if counted(parent_type):
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise TooManyObjects
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )


class PlainExecutionContext(CountingExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, Plan | None]] = {}
        # Middleware wraps every resolver call, which a plan would skip: none, no plans.
        # strawberry passes an empty manager when the schema has no middleware.
        middleware = self.middleware_manager
        self._plain = middleware is None or not middleware.middlewares

    # Not public: graphql-core marks execute_fields and collect_subfields ":meta private:",
    # yet subclassing its executor (`execution_context_class`) is the extension point it
    # documents, and no hook completes an object's fields other than these methods.
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self._plain:
            plan = self.plan_for(parent_type, grouped_field_set)
            if plan is not None:
                try:
                    return plan(source_value)
                except TooManyObjects:
                    raise
                except Exception:  # Abandon, or a value no plan expected: by design, silent
                    pass  # graphql-core completes it, and reports any error where it always does
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def plan_for(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        """The plan of this selection, written on first use in this request; None when the
        selection is not plain, or when writing failed (counted and logged, then the same)."""
        # Keyed like graphql-core's own subfield cache: by identity, with the set kept alive.
        key = (object_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        self._plans[key] = (grouped_field_set, None)  # a cycle in the selection is not plain
        try:
            plan = _PlanWriter(self).object_plan(object_type, grouped_field_set)
        except Exception as error:  # a bug of the writer: graphql-core answers, we notice
            request_id = getattr(self.context_value, "request_id", None)
            PLAN_WRITER_FAILURES.record(object_type, grouped_field_set, error, request_id)
            return None
        self._plans[key] = (grouped_field_set, plan)
        return plan


class QuietCountingExecutionContext(CountingExecutionContext):
    hide_every_suggestion = True


class QuietPlainExecutionContext(PlainExecutionContext):
    hide_every_suggestion = True


class _PlanWriter:
    """Writes the source of one object plan; nested objects get plans of their own."""

    def __init__(self, context: PlainExecutionContext) -> None:
        self.context = context
        self.names: dict[str, Any] = {"Abandon": Abandon, "Undefined": Undefined}
        self.lines: list[str] = []
        self.variables = count()

    def object_plan(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        entries: list[str] = []
        if counted(object_type):
            budget = self.constant(self.context.budget)
            self.lines.append(f"{budget}[0] -= 1")
            self.lines.append(f"if {budget}[0] < 0: raise {self.constant(TooManyObjects)}")
        for response_key, details in grouped_field_set.items():
            value = self.field(object_type, details)
            if value is None:
                return None
            entries.append(f"{response_key!r}: {value}")
        body = "\n".join(f"    {line}" for line in self.lines)
        source = f"def plan(source):\n{body}\n    return {{{', '.join(entries)}}}\n"
        exec(PLAN_CODE.compiled(source, object_type.name), self.names)
        plan: Plan = self.names["plan"]
        return plan

    def field(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> str | None:
        """Emits the lines that compute one field; answers the expression of its value."""
        if any(d.defer_usage or d.fragment_variable_values for d in details):
            return None
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            return repr(object_type.name)
        field_def = object_type.fields.get(name)
        if field_def is None or field_def.args or node.arguments:
            return None
        resolve = field_def.resolve
        if resolve is None or not is_default_resolver(resolve):
            return None  # a resolver of ours
        definition = field_def.extensions.get(BACKREF)
        if (
            not isinstance(definition, StrawberryField)
            or not definition.is_basic_field  # extensions (permissions among them) run
            or definition.default_resolver is not getattr
        ):
            return None
        attribute = definition.python_name
        if not attribute.isidentifier() or keyword.iskeyword(attribute):
            return None
        value = self.variable()
        self.lines.append(f"{value} = source.{attribute}")
        if not self.complete(value, field_def.type, details, indent=""):
            return None
        return value

    def complete(
        self, value: str, output_type: GraphQLOutputType, details: FieldDetailsList, indent: str
    ) -> bool:
        """Emits the lines that turn `value` into its response form, in place."""
        if isinstance(output_type, GraphQLNonNull):
            self.lines.append(f"{indent}if {value} is None: raise Abandon")
            return self.present(value, output_type.of_type, details, indent)
        self.lines.append(f"{indent}if {value} is not None:")
        return self.present(value, output_type, details, indent + "    ")

    def present(
        self, value: str, output_type: GraphQLOutputType, details: FieldDetailsList, indent: str
    ) -> bool:
        """As `complete`, for a value known not to be None."""
        add = self.lines.append
        if isinstance(output_type, GraphQLList):
            items, item = self.variable(), self.variable()
            add(f"{indent}if not isinstance({value}, (list, tuple)): raise Abandon")
            add(f"{indent}{items} = []")
            add(f"{indent}for {item} in {value}:")
            if not self.complete(item, output_type.of_type, details, indent + "    "):
                return False
            add(f"{indent}    {items}.append({item})")
            add(f"{indent}{value} = {items}")
            return True
        if isinstance(output_type, GraphQLObjectType):
            grouped_field_set, new_defer_usages, _ = self.context.collect_subfields(
                output_type, details
            )
            plan = (
                None if new_defer_usages else self.context.plan_for(output_type, grouped_field_set)
            )
            if plan is None:
                return False
            plan_name = self.constant(plan)
            if output_type.is_type_of is not None:
                # strawberry's generated is_type_of is an isinstance check that does not read
                # the info: an instance of the type's own class needs no call (this schema
                # does not use strawberry.cast). A type's own is_type_of is always called.
                check = self.constant(output_type.is_type_of)
                definition = output_type.extensions.get(BACKREF)
                exact = ""
                if isinstance(definition, StrawberryObjectDefinition) and not definition.is_type_of:
                    exact = f"type({value}) is not {self.constant(definition.origin)} and "
                add(f"{indent}if {exact}{check}({value}, None) is not True: raise Abandon")
            add(f"{indent}{value} = {plan_name}({value})")
            return True
        if isinstance(output_type, GraphQLEnumType):
            names = self.constant(_enum_names(output_type))
            add(f"{indent}try: {value} = {names}[{value}]")
            add(f"{indent}except (KeyError, TypeError): raise Abandon from None")
            return True
        if isinstance(output_type, GraphQLScalarType):
            self.scalar(value, output_type, indent)
            return True
        return False  # interfaces and unions resolve their type at run time

    def scalar(self, value: str, scalar_type: GraphQLScalarType, indent: str) -> None:
        add = self.lines.append
        exact = EXACT_TYPES.get(scalar_type)
        if exact is not None:
            add(f"{indent}if type({value}) is not {exact}: raise Abandon")
        elif scalar_type is GraphQLInt:
            add(
                f"{indent}if type({value}) is not int or not "
                f"{INT_MIN} <= {value} <= {INT_MAX}: raise Abandon"
            )
        else:
            serialize = self.constant(scalar_type.serialize)
            add(f"{indent}try: {value} = {serialize}({value})")
            add(f"{indent}except Exception: raise Abandon from None")
            add(f"{indent}if {value} is None or {value} is Undefined: raise Abandon")

    def variable(self) -> str:
        return f"v{next(self.variables)}"

    def constant(self, value: object) -> str:
        name = f"c{len(self.names)}"
        self.names[name] = value
        return name


class PlanCode:
    """Compiling costs far more than writing the source: the same selection, asked again by
    the next request, reuses its code (the constants it names are bound per request). Each
    source gets a file name of its own, `<plan Invoice#3>`, and its lines are put into
    `linecache` under that name, so that tracebacks and `inspect.getsource` show them; they
    leave it with the code, when the least recently used goes."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.codes: OrderedDict[tuple[str, str], CodeType] = OrderedDict()
        self.numbers = count(1)

    def compiled(self, source: str, type_name: str) -> CodeType:
        key = (source, type_name)
        code = self.codes.get(key)
        if code is not None:
            self.codes.move_to_end(key)
            return code
        filename = f"<plan {type_name}#{next(self.numbers)}>"
        code = compile(source, filename, "exec")
        # Not public: linecache documents no way to add a source; lazycache() refuses names in
        # <brackets>. An entry whose mtime is None is kept by checkcache(), as for attrs' and
        # the REPL's generated code.
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        self.codes[key] = code
        if len(self.codes) > self.maxsize:
            _, evicted = self.codes.popitem(last=False)
            linecache.cache.pop(evicted.co_filename, None)
        return code


PLAN_CODE = PlanCode(maxsize=1024)


def _selection_text(grouped_field_set: GroupedFieldSet) -> str:
    """A selection as the document wrote it (fragments spread), to tell failures apart."""
    return " ".join(
        print_ast(details.node)
        for details_list in grouped_field_set.values()
        for details in details_list
    )


@cache
def _enum_names(enum_type: GraphQLEnumType) -> dict[Any, str]:
    """strawberry's enums answer a member by comparing it with every value in turn; a map of
    member (or value) to name answers the same in one lookup (CurrencyCode has some 180
    members). Built once per enum type of the schema."""
    names: dict[Any, str] = {}
    members: dict[Any, Enum] = {}
    strawberry_enum = enum_type.extensions.get(BACKREF)
    if isinstance(strawberry_enum, StrawberryEnumDefinition):
        wrapped: Iterable[Enum] = strawberry_enum.wrapped_cls
        members = {member.value: member for member in wrapped}
    for name, definition in enum_type.values.items():
        names.setdefault(definition.value, name)
        member = members.get(definition.value)
        if member is not None:
            names.setdefault(member, name)
    return names
