"""Users, products and external accounts as objects: create (idempotent on the caller's key),
update a user's tags, look up, list in keyset pages."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.errors import BadRequest, IkConflict, NotFound
from invoicegraph.ledger.filters import TagPattern
from invoicegraph.ledger.invoices import UserRef
from invoicegraph.ledger.objects import CreateExternalAccount, CreateProduct, CreateUser
from invoicegraph.ledger.payments import TransactionRef
from invoicegraph.ledger.tag_operations import (
    TagOperations,
    apply_tag_operations,
    tag_operation_problems,
)
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    BadUserInput,
    PageInfoData,
    cursor_public_id,
    decode_cursor,
    encode_cursor,
    page_info,
    page_request,
)
from invoicegraph.resolvers.unit_of_work import (
    IdempotencyKey,
    UnitOfWork,
    Written,
    unit_of_work,
    write_once,
)
from invoicegraph.resolvers.users import NO_USER, user_filter_id
from invoicegraph.resolvers.views import TagView, UserView
from invoicegraph.store import objects as store
from invoicegraph.store.records import UserRecord, record_of
from invoicegraph.store.tables import ExternalAccountRow, ProductRow, UserRow

View = TypeVar("View")
Keyed = TypeVar("Keyed", UserRow, ProductRow, ExternalAccountRow)
Coded = TypeVar("Coded", ProductRow, ExternalAccountRow)
"""What createProduct and createExternalAccount write once under their key."""


@dataclass(frozen=True, slots=True)
class ProductView:
    id: int
    public_id: str
    code: str
    description: str | None
    created: datetime


@dataclass(frozen=True, slots=True)
class ExternalAccountView:
    id: int
    public_id: str
    external_id: str
    name: str
    created: datetime


@dataclass(frozen=True, slots=True)
class ObjectPage(Generic[View]):
    rows: list[View]
    info: PageInfoData
    cursors: list[str]
    """One per row: the cursor `after` takes to continue past it."""


def product_view(row: ProductRow) -> ProductView:
    assert row.id is not None
    return ProductView(row.id, row.public_id, row.code, row.description, row.created)


def account_view(row: ExternalAccountRow) -> ExternalAccountView:
    assert row.id is not None
    return ExternalAccountView(row.id, row.public_id, row.external_id, row.name, row.created)


def user_view(row: UserRow) -> UserView:
    return record_of(UserRecord, row)


# ---------------------------------------------------------------------------------- users


async def create_user(context: Context, command: CreateUser) -> Written[UserView]:
    """A user under the caller's externalId, with its tags. The same input again is a
    replay; another input under that externalId IkConflict. A user a line item created (by
    its externalId) is taken over by the first createUser of it, which gives it its tags."""
    user = command.validated()
    fingerprint = user.fingerprint()
    async with unit_of_work(context) as work:
        row = await store.insert_keyed(
            work.session,
            UserRow,
            workspace_id=work.workspace_id,
            values={"external_id": user.external_id, "request_hash": fingerprint},
        )
        if row is None:
            row = await store.adopt_user(
                work.session,
                workspace_id=work.workspace_id,
                external_id=user.external_id,
                fingerprint=fingerprint,
            )
        if row is not None:
            assert row.id is not None
            await store.replace_user_tags(
                work.session, workspace_id=work.workspace_id, user_id=row.id, tags=user.tags
            )
            return Written(user_view(row), is_replay=False)
        existing = await store.get_keyed(
            work.session, UserRow, workspace_id=work.workspace_id, key=user.external_id
        )
        assert existing is not None, "a taken externalId has its user"
        if existing.request_hash != fingerprint:
            raise IkConflict(key_name="externalId", key=user.external_id)
        return Written(user_view(existing), is_replay=True)


async def _user_row(session: AsyncSession, workspace_id: int, ref: UserRef) -> UserRow:
    row = await store.get_keyed(
        session, UserRow, workspace_id=workspace_id, public_id=ref.id, key=ref.external_id
    )
    if row is None or row.id is None:
        raise NotFound(f"No user is named {ref.id or ref.external_id!r}.")
    return row


async def update_user(context: Context, ref: UserRef, operations: TagOperations) -> UserView:
    """The user's tags changed as updateInvoice changes an invoice's (ledger/tag_operations.py);
    an unknown user (by id or externalId: updateUser never creates one) is NotFound."""
    if problems := tag_operation_problems(operations, ("tags",)):
        raise BadRequest(problems)  # every problem of the input itself, before reading anything
    async with unit_of_work(context) as work:
        row = await _user_row(work.session, work.workspace_id, ref)
        assert row.id is not None
        await store.lock_user(work.session, user_id=row.id)
        old = await store.user_tags(work.session, user_id=row.id)
        new = apply_tag_operations(old, operations, path=("tags",), holder="a user")
        if tuple(new) != tuple(old):
            await store.replace_user_tags(
                work.session, workspace_id=work.workspace_id, user_id=row.id, tags=new
            )
        return user_view(row)


async def user_page(
    context: Context,
    *,
    first: int | None,
    after: str | None,
    tags_all: list[TagPattern],
    tags_any: list[TagPattern],
) -> ObjectPage[UserView]:
    async with context.reader.session() as session:
        conditions = store.user_tag_conditions(session, all_of=tags_all, any_of=tags_any)
        page = await _page(context, session, UserRow, "usr", first, after, conditions)
    return ObjectPage([user_view(row) for row in page.rows], page.info, page.cursors)


async def tags_of_user(context: Context, user_id: int) -> Sequence[TagView]:
    return await context.loaders.tags_by_user_id.load(user_id)


# ------------------------------------------------------------------------------- products


async def create_product(context: Context, command: CreateProduct) -> Written[ProductView]:
    product = command.validated()
    key = IdempotencyKey("code", product.code, product.fingerprint())
    values = {"code": product.code, "description": product.description}
    written = await _create_keyed(context, ProductRow, key, values)
    return Written(product_view(written.value), is_replay=written.is_replay)


async def _create_keyed(
    context: Context, model: type[Coded], key: IdempotencyKey, values: Mapping[str, object]
) -> Written[Coded]:
    """A product or an account: written once under its key, or the stored one answered (a
    replay), or IkConflict for another input under the same key."""

    async def find(session: AsyncSession) -> Coded | None:
        return await store.get_keyed(
            session, model, workspace_id=context.workspace_id, key=key.value
        )

    async def write(work: UnitOfWork) -> Coded | None:
        return await store.insert_keyed(
            work.session,
            model,
            workspace_id=work.workspace_id,
            values={**values, "created": now(), "request_hash": key.fingerprint},
        )

    return await write_once(context, key, find=find, write=write)


async def find_product(context: Context, code: str) -> ProductView | None:
    async with context.reader.session() as session:
        row = await store.get_keyed(
            session, ProductRow, workspace_id=context.workspace_id, key=code
        )
    return None if row is None else product_view(row)


async def product_page(
    context: Context, *, first: int | None, after: str | None
) -> ObjectPage[ProductView]:
    async with context.reader.session() as session:
        page = await _page(context, session, ProductRow, "prd", first, after, ())
    return ObjectPage([product_view(row) for row in page.rows], page.info, page.cursors)


# ------------------------------------------------------------------------ external accounts


async def create_account(
    context: Context, command: CreateExternalAccount
) -> Written[ExternalAccountView]:
    account = command.validated()
    key = IdempotencyKey("externalId", account.external_id, account.fingerprint())
    values = {"external_id": account.external_id, "name": account.name}
    written = await _create_keyed(context, ExternalAccountRow, key, values)
    return Written(account_view(written.value), is_replay=written.is_replay)


async def find_account(context: Context, ref: TransactionRef) -> ExternalAccountView | None:
    """By id or externalId (the same shape of reference as a transaction's)."""
    async with context.reader.session() as session:
        row = await account_row(session, context.workspace_id, ref)
    return None if row is None else account_view(row)


async def account_row(
    session: AsyncSession, workspace_id: int, ref: TransactionRef
) -> ExternalAccountRow | None:
    return await store.get_keyed(
        session,
        ExternalAccountRow,
        workspace_id=workspace_id,
        public_id=ref.id,
        key=ref.external_id,
    )


async def account_by_db_id(context: Context, account_id: int) -> ExternalAccountView:
    """The account of a transaction (always in the caller's workspace)."""
    row = await context.loaders.accounts_by_id.load(account_id)
    assert row is not None, "a transaction's account is in its workspace"
    return account_view(row)


async def account_page(
    context: Context, *, first: int | None, after: str | None
) -> ObjectPage[ExternalAccountView]:
    async with context.reader.session() as session:
        page = await _page(context, session, ExternalAccountRow, "eac", first, after, ())
    return ObjectPage([account_view(row) for row in page.rows], page.info, page.cursors)


# ------------------------------------------------------------------------ list filters


@dataclass(frozen=True, slots=True)
class FilterIds:
    """The row ids of what a list filter names (users.all, users.any, account)."""

    users_all: tuple[int, ...] = ()
    users_any: tuple[int, ...] | None = None
    account_ids: tuple[int, ...] | None = None


MAX_FILTER_USERS = 20
"""Users in `users.all` and in `users.any`, each."""


async def filter_ids(
    context: Context,
    *,
    users_all: Sequence[UserRef] = (),
    users_any: Sequence[UserRef] | None = None,
    account: TransactionRef | None = None,
) -> FilterIds:
    """Unknown users and accounts (another workspace's included) name no row: an unknown user
    of `all` or account matches no invoice, one of `any` is left out. Users come from the
    loaders (batched); the account is one statement."""
    for refs, field in ((users_all, "users.all"), (users_any or (), "users.any")):
        if len(refs) > MAX_FILTER_USERS:
            raise BadUserInput(f"filter.{field} takes at most {MAX_FILTER_USERS} users")
    found = await asyncio.gather(
        *(user_filter_id(context, ref) for ref in [*users_all, *(users_any or ())])
    )
    every, rest = found[: len(users_all)], found[len(users_all) :]
    some = None
    if users_any is not None:
        some = tuple(user_id for user_id in rest if user_id != NO_USER)
    accounts = None
    if account is not None:
        async with context.reader.session() as session:
            row = await account_row(session, context.workspace_id, account)
        accounts = () if row is None or row.id is None else (row.id,)
    return FilterIds(users_all=tuple(every), users_any=some, account_ids=accounts)


# ---------------------------------------------------------------------------------- pages


async def _page(
    context: Context,
    session: AsyncSession,
    model: type[Keyed],
    prefix: str,
    first: int | None,
    after: str | None,
    conditions: Sequence[ColumnElement[bool]],
) -> ObjectPage[Keyed]:
    request = page_request(first=first, after=after, last=None, before=None)
    after_id = None
    if after is not None:
        (value,) = decode_cursor(prefix, after, 1)
        after_id = cursor_public_id(value, prefix)
    rows = await store.list_keyed(
        session,
        model,
        workspace_id=context.workspace_id,
        limit=request.limit + 1,
        after=after_id,
        conditions=conditions,
    )
    trimmed, info = page_info(rows, request, lambda row: encode_cursor(prefix, row.public_id))
    return ObjectPage(trimmed, info, [encode_cursor(prefix, row.public_id) for row in trimmed])
