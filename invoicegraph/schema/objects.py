"""Products and external accounts, the users list, and the inputs and results that make them."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Generic, TypeVar

import strawberry

from invoicegraph.ledger.objects import CreateExternalAccount, CreateProduct, CreateUser
from invoicegraph.ledger.tag_operations import TagOperations
from invoicegraph.resolvers.objects import ExternalAccountView, ObjectPage, ProductView
from invoicegraph.schema.arguments import given
from invoicegraph.schema.errors import (
    BadRequestError,
    IkConflictError,
    InternalError,
    NotFoundError,
)
from invoicegraph.schema.inputs.filters import TagsFilterInput
from invoicegraph.schema.inputs.references import TagInput, UserMatchInput, to_tags
from invoicegraph.schema.inputs.tags import UpdateTagsInput
from invoicegraph.schema.pages import Edge, NodeType, PageInfo, edges_of
from invoicegraph.schema.scoped_invoices import InvoiceScope, scoped_invoices
from invoicegraph.schema.user import User

Row = TypeVar("Row")


@strawberry.type(
    description=(
        "A product line items can name by its code. A line item's productId stays free text: "
        "it may name no product."
    )
)
class Product:
    id: strawberry.ID
    code: str
    description: str | None
    created: datetime

    @classmethod
    def from_view(cls, view: ProductView) -> "Product":
        return cls(
            id=strawberry.ID(view.public_id),
            code=view.code,
            description=view.description,
            created=view.created,
        )

    invoices = strawberry.field(resolver=scoped_invoices)

    def invoice_scope(self) -> InvoiceScope:
        return InvoiceScope(product_code=self.code)


@strawberry.type(description="An account outside invoicegraph that transactions post on.")
class ExternalAccount:
    id: strawberry.ID
    external_id: str
    name: str
    created: datetime

    @classmethod
    def from_view(cls, view: ExternalAccountView) -> "ExternalAccount":
        return cls(
            id=strawberry.ID(view.public_id),
            external_id=view.external_id,
            name=view.name,
            created=view.created,
        )


@strawberry.type
class Connection(Generic[NodeType]):
    # strawberry names each use after its node: UserConnection, ProductConnection, ...
    edges: list[Edge[NodeType]]
    nodes: list[NodeType]
    page_info: PageInfo


def object_connection(
    page: ObjectPage[Row], build: Callable[[Row], NodeType]
) -> Connection[NodeType]:
    """A page of users, products or accounts, each row built into its node."""
    nodes = [build(row) for row in page.rows]
    return Connection(
        edges=edges_of(page.cursors, nodes), nodes=nodes, page_info=PageInfo.from_data(page.info)
    )


@strawberry.input(name="UsersFilter")
class UsersFilterInput:
    tags: TagsFilterInput | None = strawberry.UNSET


@strawberry.input
class CreateUserInput:
    external_id: str = strawberry.field(
        description="The caller's key: createUser is idempotent on it."
    )
    tags: list[TagInput] | None = strawberry.UNSET

    def to_command(self) -> CreateUser:
        return CreateUser(external_id=self.external_id, tags=to_tags(self.tags))


@strawberry.input
class UpdateUserInput:
    user: UserMatchInput = strawberry.field(
        description="By id or externalId; an unknown user is NotFoundError (never created)."
    )
    tags: UpdateTagsInput

    def to_operations(self) -> TagOperations:
        return self.tags.to_operations()


@strawberry.input
class CreateProductInput:
    code: str = strawberry.field(
        description="1-128 characters without #, / or :; createProduct is idempotent on it."
    )
    description: str | None = strawberry.UNSET

    def to_command(self) -> CreateProduct:
        return CreateProduct(code=self.code, description=given(self.description))


@strawberry.input
class CreateExternalAccountInput:
    external_id: str = strawberry.field(
        description="1-128 characters without #, / or :; createExternalAccount is idempotent on it."
    )
    name: str

    def to_command(self) -> CreateExternalAccount:
        return CreateExternalAccount(external_id=self.external_id, name=self.name)


@strawberry.type
class CreateUserResult:
    user: User
    is_ik_replay: bool


@strawberry.type
class UpdateUserResult:
    user: User


@strawberry.type
class CreateProductResult:
    product: Product
    is_ik_replay: bool


@strawberry.type
class CreateExternalAccountResult:
    account: ExternalAccount
    is_ik_replay: bool


CreateUserResponse = Annotated[
    CreateUserResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreateUserResponse"),
]
UpdateUserResponse = Annotated[
    UpdateUserResult | BadRequestError | NotFoundError | InternalError,
    strawberry.union("UpdateUserResponse"),
]
CreateProductResponse = Annotated[
    CreateProductResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreateProductResponse"),
]
CreateExternalAccountResponse = Annotated[
    CreateExternalAccountResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreateExternalAccountResponse"),
]
