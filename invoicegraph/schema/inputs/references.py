"""How inputs name things: users, invoices and transactions by id or by the caller's key; tags."""

import strawberry

from invoicegraph.ledger.invoices import UserRef
from invoicegraph.ledger.payments import InvoiceRef, TransactionRef
from invoicegraph.ledger.tags import Tag
from invoicegraph.schema.arguments import given


@strawberry.input(
    one_of=True,
    description=(
        "Exactly one of id or externalId. A user named by an unknown externalId is created."
    ),
)
class UserMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET

    def to_ref(self) -> UserRef:
        """@oneOf guarantees exactly one member is given and not null."""
        if isinstance(self.id, str):
            return UserRef(id=self.id)
        assert isinstance(self.external_id, str)
        return UserRef(external_id=self.external_id)


@strawberry.input(one_of=True, description="Exactly one of id or invoiceId.")
class InvoiceMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    invoice_id: str | None = strawberry.UNSET


@strawberry.input(one_of=True, description="Exactly one of id or externalId.")
class TransactionMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET

    def to_ref(self) -> TransactionRef:
        if isinstance(self.id, str):
            return TransactionRef(id=self.id)
        assert isinstance(self.external_id, str)
        return TransactionRef(external_id=self.external_id)


@strawberry.input(one_of=True, description="Exactly one of id or externalId.")
class ExternalAccountMatchInput:
    id: strawberry.ID | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET

    def to_ref(self) -> TransactionRef:
        """An account is named as a transaction is: our id or the caller's externalId."""
        if isinstance(self.id, str):
            return TransactionRef(id=self.id)
        assert isinstance(self.external_id, str)
        return TransactionRef(external_id=self.external_id)


@strawberry.input(
    description="Key: 1-50 characters, value: 1-200 characters; neither may contain #, / or :."
)
class TagInput:
    key: str
    value: str


def to_tags(tags: list[TagInput] | None) -> tuple[Tag, ...]:
    return tuple(Tag(key=tag.key, value=tag.value) for tag in given(tags) or ())


def to_invoice_ref(match: InvoiceMatchInput) -> InvoiceRef:
    if isinstance(match.id, str):
        return InvoiceRef(id=match.id)
    assert isinstance(match.invoice_id, str)
    return InvoiceRef(invoice_id=match.invoice_id)
