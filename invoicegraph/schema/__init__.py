"""The strawberry schema: types only; every field adapts a resolver call."""

import strawberry
from strawberry.schema.config import StrawberryConfig

from invoicegraph.schema.extensions import ErrorCodes
from invoicegraph.schema.invoice import Invoice, LineItem
from invoicegraph.schema.mutation import Mutation
from invoicegraph.schema.node import Workspace
from invoicegraph.schema.payment import Payment, Transaction
from invoicegraph.schema.query import Query
from invoicegraph.schema.scalars import SCALAR_MAP
from invoicegraph.schema.user import User

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Invoice, LineItem, User, Workspace, Transaction, Payment],
    extensions=[ErrorCodes],
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
)

__all__ = ["schema"]
