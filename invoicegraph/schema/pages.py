"""PageInfo and the edge type, shared by every connection."""

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

import strawberry

from invoicegraph.resolvers.pagination import PageInfoData


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_data(cls, data: PageInfoData) -> "PageInfo":
        return cls(
            has_next_page=data.has_next_page,
            has_previous_page=data.has_previous_page,
            start_cursor=data.start_cursor,
            end_cursor=data.end_cursor,
        )


NodeType = TypeVar("NodeType")


@strawberry.type
class Edge(Generic[NodeType]):
    # strawberry names each use after its node: InvoiceEdge, UserEdge, ...
    cursor: str
    node: NodeType


def edges_of(cursors: Iterable[str], nodes: Sequence[NodeType]) -> list[Edge[NodeType]]:
    """A connection's edges: each node with its cursor, in page order."""
    return [Edge(cursor=cursor, node=node) for cursor, node in zip(cursors, nodes, strict=True)]
