"""DataLoaders, built fresh for every request: one batched statement per relation per tick."""

from collections.abc import Hashable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from strawberry.dataloader import DataLoader

from invoicegraph.auth.principal import Principal
from invoicegraph.store.batch import all_each, live_rows_of_users, newest_versions, one_each
from invoicegraph.store.records import (
    AnyRecord,
    InvoiceTagRecord,
    LineItemRecord,
    PaymentRecord,
    UserRecord,
)
from invoicegraph.store.tables import (
    InvoiceRow,
    InvoiceVersionRow,
    TransactionRow,
    TransactionTagRow,
)

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from invoicegraph.resolvers.context import Reader

Row = TypeVar("Row", bound="SQLModel | AnyRecord")
Key = TypeVar("Key", bound=Hashable)
Flowing = TypeVar("Flowing", LineItemRecord, PaymentRecord)

VersionPageKey = tuple[int, int, int | None]
"""(invoice row id, how many versions, only versions below this one)."""


class Loaders:
    """Named `<things>_by_<key>`; each batch function answers in key order. Line items,
    payments, users and invoice tags come as records (store/records.py), the rest as rows."""

    def __init__(self, reader: "Reader", principal: Principal) -> None:
        self._reader = reader
        self._workspace_id = principal.workspace_id

    # Each loader is made on first use: a request uses a few of them.
    @cached_property
    def invoices_by_id(self) -> DataLoader[int, InvoiceRow | None]:
        return self._one(InvoiceRow, "id", int)

    @cached_property
    def invoices_by_public_id(self) -> DataLoader[str, InvoiceRow | None]:
        return self._one(InvoiceRow, "public_id", str)

    @cached_property
    def invoices_by_invoice_id(self) -> DataLoader[str, InvoiceRow | None]:
        return self._one(InvoiceRow, "invoice_id", str)

    @cached_property
    def line_items_by_invoice_id(self) -> DataLoader[int, list[LineItemRecord]]:
        return self._all(LineItemRecord, "invoice_id", int)

    @cached_property
    def line_items_by_public_id(self) -> DataLoader[str, LineItemRecord | None]:
        return self._one(LineItemRecord, "public_id", str)

    @cached_property
    def tags_by_invoice_id(self) -> DataLoader[int, list[InvoiceTagRecord]]:
        return self._all(InvoiceTagRecord, "invoice_id", int)

    @cached_property
    def users_by_id(self) -> DataLoader[int, UserRecord | None]:
        return self._one(UserRecord, "id", int)

    @cached_property
    def users_by_public_id(self) -> DataLoader[str, UserRecord | None]:
        return self._one(UserRecord, "public_id", str)

    @cached_property
    def users_by_external_id(self) -> DataLoader[str, UserRecord | None]:
        return self._one(UserRecord, "external_id", str)

    @cached_property
    def payments_by_invoice_id(self) -> DataLoader[int, list[PaymentRecord]]:
        return self._all(PaymentRecord, "invoice_id", int)

    @cached_property
    def payments_by_transaction_id(self) -> DataLoader[int, list[PaymentRecord]]:
        return self._all(PaymentRecord, "transaction_id", int)

    @cached_property
    def payments_by_public_id(self) -> DataLoader[str, PaymentRecord | None]:
        return self._one(PaymentRecord, "public_id", str)

    @cached_property
    def transactions_by_id(self) -> DataLoader[int, TransactionRow | None]:
        return self._one(TransactionRow, "id", int)

    @cached_property
    def transactions_by_public_id(self) -> DataLoader[str, TransactionRow | None]:
        return self._one(TransactionRow, "public_id", str)

    @cached_property
    def transactions_by_external_id(self) -> DataLoader[str, TransactionRow | None]:
        return self._one(TransactionRow, "external_id", str)

    @cached_property
    def tags_by_transaction_id(self) -> DataLoader[int, list[TransactionTagRow]]:
        return self._all(TransactionTagRow, "transaction_id", int)

    @cached_property
    def live_line_items_by_user_id(self) -> DataLoader[int, list[LineItemRecord]]:
        return self._live(LineItemRecord)

    @cached_property
    def live_payments_by_user_id(self) -> DataLoader[int, list[PaymentRecord]]:
        return self._live(PaymentRecord)

    @cached_property
    def versions_by_invoice_page(self) -> DataLoader[VersionPageKey, list[InvoiceVersionRow]]:
        return DataLoader(load_fn=self._versions)

    async def _versions(self, keys: Sequence[VersionPageKey]) -> list[list[InvoiceVersionRow]]:
        """One statement per distinct page shape, however many invoices ask for it."""
        shapes: dict[tuple[int, int | None], list[int]] = {}
        for invoice_id, limit, before in keys:
            shapes.setdefault((limit, before), []).append(invoice_id)
        found: dict[VersionPageKey, list[InvoiceVersionRow]] = {}
        async with self._reader.session() as session:
            for (limit, before), invoice_ids in shapes.items():
                pages = await newest_versions(
                    session,
                    workspace_id=self._workspace_id,
                    invoice_ids=invoice_ids,
                    limit=limit,
                    before_version=before,
                )
                for invoice_id, page in zip(invoice_ids, pages, strict=True):
                    found[(invoice_id, limit, before)] = page
        return [found[key] for key in keys]

    def _one(self, model: type[Row], column: str, _key: type[Key]) -> DataLoader[Key, Row | None]:
        async def load(keys: Sequence[Key]) -> list[Row | None]:
            async with self._reader.session() as session:
                return await one_each(
                    session, model, column, workspace_id=self._workspace_id, keys=keys
                )

        return DataLoader(load_fn=load)

    def _live(self, model: type[Flowing]) -> DataLoader[int, list[Flowing]]:
        async def load(keys: Sequence[int]) -> list[list[Flowing]]:
            async with self._reader.session() as session:
                return await live_rows_of_users(
                    session, model, workspace_id=self._workspace_id, keys=keys
                )

        return DataLoader(load_fn=load)

    def _all(self, model: type[Row], column: str, _key: type[Key]) -> DataLoader[Key, list[Row]]:
        async def load(keys: Sequence[Key]) -> list[list[Row]]:
            async with self._reader.session() as session:
                return await all_each(
                    session, model, column, workspace_id=self._workspace_id, keys=keys
                )

        return DataLoader(load_fn=load)
