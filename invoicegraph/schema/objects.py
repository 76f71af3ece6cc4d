"""Products and external accounts, the users list, and the inputs and results that make them."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from invoicegraph.ledger.objects import CreateExternalAccount, CreateProduct, CreateUser
from invoicegraph.ledger.tag_operations import TagOperations
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.objects import ExternalAccountView, ObjectPage, ProductView
from invoicegraph.resolvers.views import UserView
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
from invoicegraph.schema.pages import PageInfo
from invoicegraph.schema.user import User

if TYPE_CHECKING:
    from invoicegraph.schema.connections import InvoiceConnection
    from invoicegraph.schema.inputs.filters import InvoiceOrderInput, InvoicesFilterInput


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

    @strawberry.field
    async def invoices(
        self,
        info: Info,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        filter: Annotated[
            "InvoicesFilterInput", strawberry.lazy("invoicegraph.schema.inputs.filters")
        ]
        | None = strawberry.UNSET,
        order_by: Annotated[
            "InvoiceOrderInput", strawberry.lazy("invoicegraph.schema.inputs.filters")
        ]
        | None = strawberry.UNSET,
    ) -> Annotated["InvoiceConnection", strawberry.lazy("invoicegraph.schema.connections")]:
        """The invoices with a line item whose productId is this product's code."""
        from invoicegraph.schema.connections import invoice_connection

        return await invoice_connection(
            info, first, after, last, before, filter, order_by, product_code=self.code
        )


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
class UserEdge:
    cursor: str
    node: User


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    nodes: list[User]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: ObjectPage[UserView]) -> "UserConnection":
        nodes = [User.from_view(row) for row in page.rows]
        return cls(
            edges=[UserEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo.from_data(page.info),
        )


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    nodes: list[Product]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: ObjectPage[ProductView]) -> "ProductConnection":
        nodes = [Product.from_view(row) for row in page.rows]
        return cls(
            edges=[ProductEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo.from_data(page.info),
        )


@strawberry.type
class ExternalAccountEdge:
    cursor: str
    node: ExternalAccount


@strawberry.type
class ExternalAccountConnection:
    edges: list[ExternalAccountEdge]
    nodes: list[ExternalAccount]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: ObjectPage[ExternalAccountView]) -> "ExternalAccountConnection":
        nodes = [ExternalAccount.from_view(row) for row in page.rows]
        return cls(
            edges=[
                ExternalAccountEdge(cursor=c, node=n)
                for c, n in zip(page.cursors, nodes, strict=True)
            ],
            nodes=nodes,
            page_info=PageInfo.from_data(page.info),
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
