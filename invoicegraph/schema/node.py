"""The Node interface and the Workspace type."""

import strawberry

from invoicegraph.resolvers.views import WorkspaceView


@strawberry.interface(
    description=(
        "An object with a globally unique, opaque, prefixed ID "
        "(inv_..., li_..., usr_..., txn_..., pay_...)."
    )
)
class Node:
    id: strawberry.ID


@strawberry.type
class Workspace(Node):
    name: str

    @classmethod
    def from_view(cls, row: WorkspaceView) -> "Workspace":
        return cls(id=strawberry.ID(row.public_id), name=row.name)
