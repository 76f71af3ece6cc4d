"""Loaders (resolvers/batch_loader.py), built fresh for every request: one batched statement
per relation per tick."""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from invoicegraph.auth.principal import Principal
from invoicegraph.resolvers.batch_loader import BatchLoader
from invoicegraph.resolvers.reader import Reader
from invoicegraph.store.batch import (
    VersionRow,
    all_each,
    first_transaction_versions,
    live_rows_of_users,
    newest_versions,
    one_each,
)
from invoicegraph.store.records import (
    AnyRecord,
    InvoiceRecord,
    InvoiceTagRecord,
    LineItemRecord,
    PaymentRecord,
    TransactionRecord,
    TransactionTagRecord,
    UserRecord,
)
from invoicegraph.store.tables import (
    CouponRow,
    ExternalAccountRow,
    InvoiceDiscountRow,
    InvoiceVersionRow,
    PromotionCodeRow,
    TransactionVersionRow,
    UserTagRow,
)

if TYPE_CHECKING:
    from sqlmodel import SQLModel
    from sqlmodel.ext.asyncio.session import AsyncSession


Row = TypeVar("Row", bound="SQLModel | AnyRecord")
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
Flowing = TypeVar("Flowing", LineItemRecord, PaymentRecord)

VersionPageKey = tuple[int, int, int | None]
"""(invoice or transaction row id, how many versions, only versions below this one)."""

Batch = Callable[["AsyncSession", int, Sequence[Key]], Awaitable[list[Value]]]
"""(session, workspace row id, keys) -> one value per key, in key order."""


class _Loader(Generic[Key, Value]):
    """A loader made on first use in each request (a request uses a few of them)."""

    def __init__(self, batch: "Batch[Key, Value]") -> None:
        self.batch = batch

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loaders: "Loaders", owner: type) -> BatchLoader[Key, Value]:
        async def load(keys: Sequence[Key]) -> list[Value]:
            async with loaders.reader.session() as session:
                return await self.batch(session, loaders.workspace_id, keys)

        loader = BatchLoader(load)
        loaders.__dict__[self.name] = loader  # found there from now on, before this descriptor
        return loader


def _one(model: type[Row], column: str, _key: type[Key]) -> _Loader[Key, Row | None]:
    async def batch(
        session: "AsyncSession", workspace_id: int, keys: Sequence[Key]
    ) -> list[Row | None]:
        return await one_each(session, model, column, workspace_id=workspace_id, keys=keys)

    return _Loader(batch)


def _all(model: type[Row], column: str, _key: type[Key]) -> _Loader[Key, list[Row]]:
    async def batch(
        session: "AsyncSession", workspace_id: int, keys: Sequence[Key]
    ) -> list[list[Row]]:
        return await all_each(session, model, column, workspace_id=workspace_id, keys=keys)

    return _Loader(batch)


def _live(model: type[Flowing]) -> _Loader[int, list[Flowing]]:
    async def batch(
        session: "AsyncSession", workspace_id: int, keys: Sequence[int]
    ) -> list[list[Flowing]]:
        return await live_rows_of_users(session, model, workspace_id=workspace_id, keys=keys)

    return _Loader(batch)


def _versions(model: type[VersionRow], owner: str) -> _Loader[VersionPageKey, list[VersionRow]]:
    async def batch(
        session: "AsyncSession", workspace_id: int, keys: Sequence[VersionPageKey]
    ) -> list[list[VersionRow]]:
        """One statement per distinct page shape, however many owners ask for it."""
        shapes: dict[tuple[int, int | None], list[int]] = {}
        for owner_id, limit, before in keys:
            shapes.setdefault((limit, before), []).append(owner_id)
        found: dict[VersionPageKey, list[VersionRow]] = {}
        for (limit, before), owner_ids in shapes.items():
            pages = await newest_versions(
                session,
                workspace_id=workspace_id,
                invoice_ids=owner_ids,
                limit=limit,
                before_version=before,
                model=model,
                owner=owner,
            )
            for owner_id, page in zip(owner_ids, pages, strict=True):
                found[(owner_id, limit, before)] = page
        return [found[key] for key in keys]

    return _Loader(batch)


class Loaders:
    """Named `<things>_by_<key>`; each batch function answers in key order. Invoices, line
    items, payments, users, transactions and tags come as records (store/records.py), versions
    as rows."""

    def __init__(self, reader: Reader, principal: Principal) -> None:
        self.reader = reader
        self.workspace_id = principal.workspace_id

    invoices_by_id = _one(InvoiceRecord, "id", int)
    invoices_by_public_id = _one(InvoiceRecord, "public_id", str)
    invoices_by_invoice_id = _one(InvoiceRecord, "invoice_id", str)
    line_items_by_invoice_id = _all(LineItemRecord, "invoice_id", int)
    line_items_by_public_id = _one(LineItemRecord, "public_id", str)
    tags_by_invoice_id = _all(InvoiceTagRecord, "invoice_id", int)
    users_by_id = _one(UserRecord, "id", int)
    users_by_public_id = _one(UserRecord, "public_id", str)
    users_by_external_id = _one(UserRecord, "external_id", str)
    payments_by_invoice_id = _all(PaymentRecord, "invoice_id", int)
    payments_by_transaction_id = _all(PaymentRecord, "transaction_id", int)
    payments_by_public_id = _one(PaymentRecord, "public_id", str)
    transactions_by_id = _one(TransactionRecord, "id", int)
    transactions_by_public_id = _one(TransactionRecord, "public_id", str)
    transactions_by_external_id = _one(TransactionRecord, "external_id", str)
    tags_by_transaction_id = _all(TransactionTagRecord, "transaction_id", int)
    live_line_items_by_user_id = _live(LineItemRecord)
    live_payments_by_user_id = _live(PaymentRecord)
    versions_by_invoice_page = _versions(InvoiceVersionRow, "invoice_id")
    versions_by_transaction_page = _versions(TransactionVersionRow, "transaction_id")
    first_versions_by_transaction_id = _Loader(first_transaction_versions)
    discounts_by_invoice_id = _all(InvoiceDiscountRow, "invoice_id", int)
    stake_returns_by_stake_id = _all(InvoiceRecord, "stake_id", int)
    coupons_by_id = _one(CouponRow, "id", int)
    promotion_codes_by_id = _one(PromotionCodeRow, "id", int)
    tags_by_user_id = _all(UserTagRow, "user_id", int)
    accounts_by_id = _one(ExternalAccountRow, "id", int)
