"""A faster executor for plain selections: objects whose selected fields are all attributes.

graphql-core completes every field the same general way: a resolve-info record, the resolver,
an awaitable check, then completion by the kind of the field's type. That costs about ten
microseconds a field, and a page of 100 invoices with their line items is some 6,000 fields.
Most of those are plain: strawberry fields without a resolver, read with `getattr`.

For such a selection this executor compiles, once per request and selection, a plan: per
response key the attribute to read and a completion for its type (a list comprehension, a
sub-plan, a leaf serializer with shortcuts for built-in scalars and a dictionary for enums).
Anything the plan does not expect (a None where the schema says non-null, a value a
serializer refuses, an unexpected type) abandons the plan for that object, and graphql-core
executes it again the standard way, which produces the same error as always. Fields with
resolvers, arguments, abstract types, deferred fragments or middleware never take the plan.
"""

from collections.abc import Callable
from functools import cache
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
from strawberry.types.field import StrawberryField

Complete = Callable[[Any], Any]
"""A value read from an attribute -> its JSON-ready form; raises Abandon when unsure."""

Plan = Callable[[Any], dict[str, Any]]
"""A source object -> the response map of its selection."""

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


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
            plan = self._object_plan(parent_type, grouped_field_set)
            if plan is not None:
                try:
                    return plan(source_value)
                except Abandon:
                    pass
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _object_plan(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        # Keyed like graphql-core's own subfield cache: by identity, with the set kept alive.
        key = (object_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        self._plans[key] = (grouped_field_set, None)  # a cycle in the selection is not plain
        steps: list[tuple[str, Callable[[Any], Any]]] = []
        for response_key, details in grouped_field_set.items():
            step = self._field_step(object_type, details)
            if step is None:
                return None
            steps.append((response_key, step))

        def plan(source: Any) -> dict[str, Any]:
            return {response_key: step(source) for response_key, step in steps}

        self._plans[key] = (grouped_field_set, plan)
        return plan

    def _field_step(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> Callable[[Any], Any] | None:
        if any(d.defer_usage or d.fragment_variable_values for d in details):
            return None
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            type_name = object_type.name
            return lambda _source: type_name
        field_def = object_type.fields.get(name)
        if field_def is None or field_def.args or node.arguments:
            return None
        if not getattr(field_def.resolve, "_is_default", False):
            return None  # a resolver of ours, or a field with extensions
        definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if (
            not isinstance(definition, StrawberryField)
            or definition.default_resolver is not getattr
        ):
            return None
        complete = self._completion(field_def.type, details)
        if complete is None:
            return None
        attribute = definition.python_name
        return lambda source: complete(getattr(source, attribute))

    def _completion(
        self, output_type: GraphQLOutputType, details: FieldDetailsList
    ) -> Complete | None:
        if isinstance(output_type, GraphQLNonNull):
            inner = self._present(output_type.of_type, details)
            if inner is None:
                return None

            def non_null(value: Any) -> Any:
                if value is None:
                    raise Abandon
                return inner(value)

            return non_null
        present = self._present(output_type, details)
        if present is None:
            return None
        return lambda value: None if value is None else present(value)

    def _present(
        self, output_type: GraphQLOutputType, details: FieldDetailsList
    ) -> Complete | None:
        """The completion of a value known not to be None."""
        if isinstance(output_type, GraphQLList):
            item = self._completion(output_type.of_type, details)
            if item is None:
                return None

            def each(value: Any) -> list[Any]:
                if not isinstance(value, list | tuple):
                    raise Abandon
                return [item(element) for element in value]

            return each
        if isinstance(output_type, GraphQLObjectType):
            return self._object_completion(output_type, details)
        if isinstance(output_type, GraphQLEnumType):
            return _enum_completion(output_type)
        if isinstance(output_type, GraphQLScalarType):
            return _scalar_completion(output_type)
        return None  # interfaces and unions resolve their type at run time

    def _object_completion(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> Complete | None:
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, details)
        if new_defer_usages:
            return None
        plan = self._object_plan(object_type, grouped_field_set)
        if plan is None:
            return None
        is_type_of = object_type.is_type_of
        if is_type_of is None:
            return plan

        def checked(value: Any) -> dict[str, Any]:
            # strawberry's is_type_of is an isinstance check that does not read the info.
            if is_type_of(value, None) is not True:  # type: ignore[arg-type]
                raise Abandon
            return plan(value)

        return checked


@cache
def _enum_completion(enum_type: GraphQLEnumType) -> Complete:
    """strawberry's enums answer a member by comparing it with every value in turn; a map of
    member to name answers the same in one lookup (CurrencyCode has some 180 members).
    Built once per enum type of the schema."""
    names: dict[Any, str] = {}
    wrapped = getattr(enum_type, "wrapped_cls", None)
    members = {} if wrapped is None else {member.value: member for member in wrapped}
    for name, definition in enum_type.values.items():
        names.setdefault(definition.value, name)
        member = members.get(definition.value)
        if member is not None:
            names.setdefault(member, name)

    def enum_name(value: Any) -> str:
        try:
            return names[value]
        except (KeyError, TypeError):
            raise Abandon from None

    return enum_name


@cache
def _scalar_completion(scalar_type: GraphQLScalarType) -> Complete:
    if scalar_type is GraphQLString or scalar_type is GraphQLID:
        exact: type = str
    elif scalar_type is GraphQLBoolean:
        exact = bool
    elif scalar_type is GraphQLInt:

        def int_value(value: Any) -> int:
            if type(value) is not int or not INT_MIN <= value <= INT_MAX:
                raise Abandon
            return value

        return int_value
    else:
        serialize = scalar_type.serialize

        def serialized(value: Any) -> Any:
            try:
                result = serialize(value)
            except Exception:
                raise Abandon from None
            if result is None or result is Undefined:
                raise Abandon
            return result

        return serialized

    def same(value: Any) -> Any:
        if type(value) is not exact:
            raise Abandon
        return value

    return same
