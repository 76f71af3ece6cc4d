"""What a field's selection reads below it, so that objects can be built with their parts.

A page of invoices is built with the line items, payments, users and tags its selection asks
for, loaded in a few batched statements before the page is returned; the fields that serve
them are then plain attributes, which the plain executor (schema/execution.py) completes
without a resolver call per object.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.pyutils import Path

from invoicegraph.resolvers.context import Info

MAX_CACHED_PATHS = 1024


def selected_names(info: Info) -> frozenset[str]:
    """Every field name anywhere below the current field, fragments included whatever their
    type condition: a superset of what will be read, never less. Cached per operation and path
    (list indices left out, parent types kept: `nodes` may hold a LineItem and a Payment whose
    `invoice` fields select different things), since a field inside a list asks once per
    element."""
    key = _path_key(info)
    cache = info.context.selections
    cached = cache.get(key)
    # A WebSocket's context outlives its operations: the entry must be this operation's.
    if cached is not None and cached[0] is info.operation:
        return cached[1]
    # Not public: strawberry's Info shows the field's nodes and the document's fragments only
    # through `selected_fields`, which copies every fragment wherever it is spread (2**40
    # copies for 40 fragments that each spread the next twice: the server would freeze).
    names = names_below(info._raw_info)
    if len(cache) >= MAX_CACHED_PATHS:  # a long-lived WebSocket sending ever new documents
        cache.clear()
    cache[key] = (info.operation, names)
    return names


def _path_key(info: Info) -> str:
    keys: list[str] = []
    path: Path | None = info.path
    while path is not None:
        if isinstance(path.key, str):
            keys.append(f"{path.typename}.{path.key}")
        path = path.prev
    return ".".join(reversed(keys))


def names_below(info: GraphQLResolveInfo[Any]) -> frozenset[str]:
    """The field's own name and every field name below it. Each fragment is read once,
    however often it is spread: the work is linear in the document's size."""
    found: set[str] = set()
    pending: list[SelectionSetNode] = []
    for node in info.field_nodes:
        found.add(node.name.value)
        if node.selection_set is not None:
            pending.append(node.selection_set)
    spread: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                found.add(selection.name.value)
                if selection.selection_set is not None:
                    pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = info.fragments.get(name)
                if fragment is not None and name not in spread:
                    spread.add(name)
                    pending.append(fragment.selection_set)
    return frozenset(found)


class _NotLoaded:
    """Stands for a relation the selection did not ask for. Never read while selected_names
    is a superset of the selection; if it ever were, completing it fails loudly (an internal
    error) where an empty list would have answered wrong data."""

    def __repr__(self) -> str:
        return "<not loaded: the selection did not ask for it>"


NOT_LOADED: Any = _NotLoaded()
