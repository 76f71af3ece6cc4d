"""The fields a selection asks for, merged by response key as GraphQL's CollectFields merges
them, for the documents these reads accept: fragments and inline fragments on the object's own
type, and no directives (@include and @skip are left to the standard executor)."""

from collections.abc import Iterable, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)

from invoicegraph.sqljson.statement import Unsupported

Fragments = Mapping[str, FragmentDefinitionNode]
Fields = dict[str, list[FieldNode]]
"""Response key -> the field nodes merged under it (validated: same field, same arguments)."""


def collect(selections: Iterable[SelectionNode], type_name: str, fragments: Fragments) -> Fields:
    fields: Fields = {}
    visited: set[str] = set()

    def walk(selections: Iterable[SelectionNode]) -> None:
        for selection in selections:
            if selection.directives:
                raise Unsupported("a directive")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                _on(condition.name.value if condition else None, type_name)
                walk(selection.selection_set.selections)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = fragments[name]
                _on(fragment.type_condition.name.value, type_name)
                walk(fragment.selection_set.selections)

    walk(selections)
    return fields


def _on(condition: str | None, type_name: str) -> None:
    if condition is not None and condition != type_name:
        raise Unsupported(f"a fragment on {condition} inside {type_name}")


def subfields(nodes: list[FieldNode], type_name: str, fragments: Fragments) -> Fields:
    """The merged selection below the nodes of one response key."""
    selections = [s for node in nodes if node.selection_set for s in node.selection_set.selections]
    if not selections:
        raise Unsupported(f"{type_name} without a selection")
    return collect(selections, type_name, fragments)


def plain(nodes: list[FieldNode]) -> str:
    """The field's name, for a field that takes no arguments here."""
    if any(node.arguments for node in nodes):
        raise Unsupported("arguments on a nested field")
    return nodes[0].name.value
