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
"""

import keyword
from collections.abc import Callable
from functools import cache, lru_cache
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
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

Plan = Callable[[Any], dict[str, Any]]
"""A source object -> the response map of its selection; raises Abandon when unsure."""

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
EXACT_TYPES = {GraphQLString: "str", GraphQLID: "str", GraphQLBoolean: "bool"}


class Abandon(Exception):
    """The plan met a value it cannot complete the way graphql-core would."""


class PlainExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, Plan | None]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        middleware = self.middleware_manager
        if middleware is None or not middleware.middlewares:  # strawberry passes an empty one
            try:
                plan = self.plan_for(parent_type, grouped_field_set)
                if plan is not None:
                    return plan(source_value)
            except Exception:  # Abandon, or a value no plan expected
                pass  # graphql-core completes it, and reports any error where it always does
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def plan_for(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        # Keyed like graphql-core's own subfield cache: by identity, with the set kept alive.
        key = (object_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        self._plans[key] = (grouped_field_set, None)  # a cycle in the selection is not plain
        plan = _PlanWriter(self).object_plan(object_type, grouped_field_set)
        self._plans[key] = (grouped_field_set, plan)
        return plan


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
        for response_key, details in grouped_field_set.items():
            value = self.field(object_type, details)
            if value is None:
                return None
            entries.append(f"{response_key!r}: {value}")
        body = "\n".join(f"    {line}" for line in self.lines)
        source = f"def plan(source):\n{body}\n    return {{{', '.join(entries)}}}\n"
        exec(_compiled(source, object_type.name), self.names)
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
        if not getattr(field_def.resolve, "_is_default", False):
            return None  # a resolver of ours
        definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
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
                definition = output_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
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


@lru_cache(maxsize=1024)
def _compiled(source: str, type_name: str) -> CodeType:
    """Compiling costs far more than writing the source: the same selection, asked again by
    the next request, reuses its code (the constants it names are bound per request)."""
    return compile(source, f"<plan of {type_name}>", "exec")


@cache
def _enum_names(enum_type: GraphQLEnumType) -> dict[Any, str]:
    """strawberry's enums answer a member by comparing it with every value in turn; a map of
    member (or value) to name answers the same in one lookup (CurrencyCode has some 180
    members). Built once per enum type of the schema."""
    names: dict[Any, str] = {}
    wrapped = getattr(enum_type, "wrapped_cls", None)
    members = {} if wrapped is None else {member.value: member for member in wrapped}
    for name, definition in enum_type.values.items():
        names.setdefault(definition.value, name)
        member = members.get(definition.value)
        if member is not None:
            names.setdefault(member, name)
    return names
