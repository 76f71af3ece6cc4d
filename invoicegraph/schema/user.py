"""The User type."""

import strawberry

from invoicegraph.schema.node import Node
from invoicegraph.store.tables import UserRow


@strawberry.type
class User(Node):
    external_id: str

    @classmethod
    def from_row(cls, row: UserRow) -> "User":
        return cls(id=strawberry.ID(row.public_id), external_id=row.external_id)
