"""Tenancy at every entry point, table-driven.

Workspace A gets one of everything: an invoice with line items and a user, a second version of
it, a transaction with a payment, tags. Workspace B then names A's IDs and keys at every root
field of Query, Mutation and Subscription, and must see them exactly as unknown:

* the answer is what the contract gives for an unknown ID (null, empty lists, NotFoundError,
  BadRequestError, a refused subscription, or a new object of B's own for an idempotency key);
* the answer is identical to B's answer for never-existing IDs and keys of the same shape
  (the same prefix for IDs), apart from the ID or key itself, so nothing leaks through
  messages, error kinds or versions;
* no public ID of A's appears anywhere in B's answers (except echoed inside an error message,
  when B itself sent it);
* A's objects, re-read by A afterwards, equal the snapshot taken before.

A meta-test checks that the table covers every root field the served schema has (subscriptions
included), so a new entry point without an isolation case fails this suite.

Comparing "identical apart from the ID itself": both answers have the probe's IDs and keys (and
B's own fresh objects' IDs and keys) replaced by their names; IDs the server made during the
probe, instants, request ids and cursors (which encode B's own ids and instants) are masked.

The app, its database and A are made once for the module (as tests/conftest.py makes `app` and
`api`, on the same migrated template) to keep some sixty cases fast; each case gets a new
workspace B, so nothing one case creates in B meets another case.
"""

import asyncio
import json
import re
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import astuple, dataclass, fields, replace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from graphql import (
    FieldNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.types import Message

from invoicegraph.admin.workspaces import create_client, create_workspace
from invoicegraph.http.app import create_app
from invoicegraph.http.webhook_data import invoice_renderer
from invoicegraph.schema import schema
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.ids import new_public_id, prefix_of
from invoicegraph.webhooks.fanout import fan_out
from tests.backends import (
    ON_POSTGRES,
    create_database,
    drop_database,
    postgres_url,
    sqlite_url,
)
from tests.operations import INVOICE_FIELDS, TRANSACTION_FIELDS, invoice_input, line_item
from tests.support import Api, fetch_token

# --------------------------------------------------------------------------------------------
# The IDs and keys a case may name


@dataclass(frozen=True, slots=True)
class Keys:
    """Everything of workspace A's that B may try to name; or never-existing values alike."""

    workspace_id: str
    invoice_id: str
    invoice_key: str
    """The caller's invoiceId."""
    line_item_id: str
    user_id: str
    user_key: str
    """The user's externalId."""
    transaction_id: str
    transaction_key: str
    """The transaction's externalId."""
    payment_id: str
    invoice_tag: str
    """Value of the invoice's tag `project`."""
    line_item_tag: str
    """Value of the first line item's tag `kind`."""
    transaction_tag: str
    """Value of the transaction's tag `batch`."""
    product_id: str
    word: str
    """A word of the first line item's description."""
    webhook_endpoint_id: str
    webhook_delivery_id: str
    webhook_url: str
    """The URL of A's webhook endpoint."""
    coupon_id: str
    coupon_key: str
    """The caller's couponId."""
    promotion_code: str
    user_tag: str
    """Value of the user's tag `segment` (createUser took over the line item's user)."""
    product_public_id: str
    """The product of code `product_id` (A's line item names it)."""
    account_id: str
    account_key: str
    """The external account's externalId."""

    def named(self) -> Iterator[tuple[str, str]]:
        for field in fields(self):
            yield field.name, getattr(self, field.name)

    def never_existing(self) -> "Keys":
        """Fresh values of the same shape: the same prefix for IDs, a new token for keys."""
        values: dict[str, str] = {}
        for name, value in self.named():
            prefix = prefix_of(value)
            if prefix is not None:
                values[name] = new_public_id(prefix)
            else:
                head, _, token = value.rpartition("x")
                values[name] = f"{head}x{secrets.token_hex(len(token) // 2)}"
        return Keys(**values)


def key(head: str) -> str:
    """A caller's key: letters, then `x` and a fresh hex token (one search word per key)."""
    return f"{head}x{secrets.token_hex(5)}"


ID_PREFIXES = ("ws", "inv", "li", "usr", "txn", "pay")
A_INVOICE_VERSION = 2
A_TRANSACTION_VERSION = 1
OWN_VERSION = 1
"""The version of B's own invoice and transaction: fresh for each probe."""


B_USER = "globexuser"
"""The externalId of B's own user."""


@dataclass(frozen=True, slots=True)
class Own:
    """What a probe of B's may use of B's own: its workspace, a fresh key, and (for cases with
    `own=True`) an invoice and a transaction of B's, made afresh for each probe at version 1.

    Some cases name A's things from inside B's own objects (a line item of A's on B's invoice,
    an allocation of B's transaction to A's invoice). Fresh objects let both probes of a case
    start from the same state, even when a probe rightly changes them. Without `own=True` the
    object fields are None, and a case that uses one fails loudly (a null ID is refused).
    """

    workspace_id: str
    new_key: str
    """A key no object of B's has yet, for B's new invoices and transactions."""
    invoice_id: str | None = None
    invoice_key: str | None = None
    transaction_id: str | None = None
    transaction_key: str | None = None

    def named(self) -> Iterator[tuple[str, str]]:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                yield f"own_{field.name}", value


@dataclass(frozen=True, slots=True)
class Served:
    """The real app and an HTTP client of it, as tests/conftest.py makes them."""

    app: Starlette
    http: httpx.AsyncClient

    async def workspace(self, name: str) -> Api:
        """A client of a new workspace, with a token from the real token endpoint."""
        db: Database = self.app.state.db
        workspace = await create_workspace(db, name=name)
        client = await create_client(db, workspace_public_id=workspace.public_id)
        assert client is not None
        token = await fetch_token(self.http, client.client_id, client.client_secret)
        return Api(http=self.http, token=token, workspace_id=workspace.public_id)


@dataclass(slots=True)
class World:
    """Workspace A with one of everything, built once for the module."""

    served: Served
    a: Api
    keys: Keys
    a_ids: frozenset[str]
    """Every public ID of A's, including those no case names (the second line item)."""
    snapshot: dict[str, Any]
    """A's own view of its objects, as last checked (see the main test)."""


# --------------------------------------------------------------------------------------------
# Documents

NODE_FIELDS = """
fragment NodeFields on Node {
  __typename id
  ... on Invoice { invoiceId version status }
  ... on LineItem { description productId }
  ... on User { externalId }
  ... on Transaction { externalId amount version }
  ... on Payment { amount }
  ... on Workspace { name }
}
"""

INVOICE_LIST_FIELDS = """
fragment InvoiceList on InvoiceConnection {
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id } }
  nodes { id invoiceId version tags { key value } }
}
"""

TRANSACTION_LIST_FIELDS = """
fragment TransactionList on TransactionConnection {
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id } }
  nodes { id externalId version }
}
"""

WEBHOOK_ENDPOINT = """
query WebhookEndpoint($id: ID!) { webhookEndpoint(id: $id) { id url enabled } }
"""
WEBHOOK_ENDPOINTS = """
query WebhookEndpoints { webhookEndpoints { nodes { id url } pageInfo { hasNextPage endCursor } } }
"""
WEBHOOK_DELIVERY = """
query WebhookDelivery($id: ID!) { webhookDelivery(id: $id) { id status body } }
"""
WEBHOOK_DELIVERIES = """
query WebhookDeliveries($endpointId: ID) {
  webhookDeliveries(endpointId: $endpointId) {
    nodes { id body endpoint { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ERROR_DETAILS = {
    "BadRequestError": "fieldErrors { field message }",
    "VersionConflictError": "expectedVersion currentVersion",
    "InvalidStateError": "status",
}


def error_fields(*members: str) -> str:
    """Every error's common fields, and the details of those of `members` that have any."""
    details = "".join(
        f"... on {member} {{ {ERROR_DETAILS[member]} }}\n"
        for member in members
        if member in ERROR_DETAILS
    )
    return "... on Error { code message retryable }\n" + details


INVOICE_RESULT_FIELDS = (
    """
fragment InvoiceResult on Invoice {
  ...InvoiceFields
  payments { id amount }
  history(first: 5) { totalCount nodes { version status changes { __typename } } }
}
"""
    + INVOICE_FIELDS
)

NODE = "query Node($id: ID!) { node(id: $id) { ...NodeFields } }" + NODE_FIELDS
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ...NodeFields } }" + NODE_FIELDS
WORKSPACE = """
query Workspace($id: ID!) { workspace { id name } node(id: $id) { __typename id } }
"""
INVOICE = (
    "query Invoice($match: InvoiceMatchInput!) { invoice(invoice: $match) { ...InvoiceResult } }"
    + INVOICE_RESULT_FIELDS
)
INVOICES = (
    "query Invoices($filter: InvoicesFilter) { invoices(filter: $filter) { ...InvoiceList } }"
    + INVOICE_LIST_FIELDS
)
TRANSACTION = (
    """query Transaction($match: TransactionMatchInput!) {
  transaction(transaction: $match) { ...TransactionFields }
}"""
    + TRANSACTION_FIELDS
)
TRANSACTIONS = (
    """query Transactions($filter: TransactionsFilter) {
  transactions(filter: $filter) { ...TransactionList }
}"""
    + TRANSACTION_LIST_FIELDS
)
SEARCH_ALLOCATIONS = """
query Allocations($filter: PaymentsFilter) {
  searchAllocations(filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id amount invoice { id } }
  }
}
"""
TRANSACTION_HISTORY = """
query TransactionHistory($match: TransactionMatchInput!) {
  transaction(transaction: $match) { id history { totalCount nodes { version } } }
}
"""
USER = """
query User($match: UserMatchInput!) {
  user(user: $match) {
    id externalId
    balances { currency payins { expected actual remaining } }
    invoices { totalCount nodes { id invoiceId } }
  }
}
"""
OWN_USER_INVOICES = (
    'query OwnUser($filter: InvoicesFilter) { user(user: {externalId: "'
    + B_USER
    + '"}) { externalId invoices(filter: $filter) { ...InvoiceList } } }'
    + INVOICE_LIST_FIELDS
)

CREATE = (
    """mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult { isIkReplay invoice { ...InvoiceResult } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
    + INVOICE_RESULT_FIELDS
)
UPDATE = (
    """mutation Update($input: UpdateInvoiceInput!) {
  updateInvoice(input: $input) {
    __typename
    ... on UpdateInvoiceResult { invoice { ...InvoiceResult } }
    """
    + error_fields("BadRequestError", "NotFoundError", "VersionConflictError", "InvalidStateError")
    + "} }"
    + INVOICE_RESULT_FIELDS
)


def transition_document(field: str) -> str:
    return (
        f"""mutation Transition($input: InvoiceTransitionInput!) {{
  {field}(input: $input) {{
    __typename
    ... on InvoiceTransitionResult {{ invoice {{ id status version }} }}
    """
        + error_fields("NotFoundError", "VersionConflictError", "InvalidStateError")
        + "} }"
    )


RECORD = (
    """mutation Record($input: RecordTransactionInput!) {
  recordTransaction(input: $input) {
    __typename
    ... on RecordTransactionResult { isIkReplay transaction { ...TransactionFields } }
    """
    + error_fields("BadRequestError", "NotFoundError", "InvalidStateError", "IkConflictError")
    + "} }"
    + TRANSACTION_FIELDS
)
CREATE_MANY = (
    """mutation CreateMany($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult { createdCount results {
      __typename
      ... on CreateInvoiceResult { isIkReplay invoice { ...InvoiceResult } }
      """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
    + error_fields("BadRequestError")
    + "} }"
    + INVOICE_RESULT_FIELDS
)
RECORD_MANY = (
    """mutation RecordMany($input: RecordTransactionsInput!) {
  recordTransactions(input: $input) {
    __typename
    ... on RecordTransactionsResult { recordedCount results {
      __typename
      ... on RecordTransactionResult { isIkReplay transaction { ...TransactionFields } }
      """
    + error_fields("BadRequestError", "NotFoundError", "InvalidStateError", "IkConflictError")
    + "} }"
    + error_fields("BadRequestError")
    + "} }"
    + TRANSACTION_FIELDS
)
ALLOCATE = (
    """mutation Allocate($input: UpdateAllocationsInput!) {
  updateAllocations(input: $input) {
    __typename
    ... on UpdateAllocationsResult { transaction { ...TransactionFields } }
    """
    + error_fields("BadRequestError", "NotFoundError", "VersionConflictError", "InvalidStateError")
    + "} }"
    + TRANSACTION_FIELDS
)

CREATE_WEBHOOK_ENDPOINT = (
    """mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointSecretResult { endpoint { id url eventTypes enabled } }
    """
    + error_fields("BadRequestError")
    + "} }"
)
UPDATE_WEBHOOK_ENDPOINT = (
    """mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointResult { endpoint { id url } }
    """
    + error_fields("BadRequestError", "NotFoundError")
    + "} }"
)


def webhook_endpoint_document(field: str, result: str, selection: str) -> str:
    return (
        f"""mutation WebhookEndpointAction($input: WebhookEndpointInput!) {{
  {field}(input: $input) {{
    __typename
    ... on {result} {{ {selection} }}
    """
        + error_fields("NotFoundError")
        + "} }"
    )


RESEND_WEBHOOK_DELIVERY = (
    """mutation ResendWebhookDelivery($input: ResendWebhookDeliveryInput!) {
  resendWebhookDelivery(input: $input) {
    __typename
    ... on ResendWebhookDeliveryResult { delivery { id status body } }
    """
    + error_fields("BadRequestError", "NotFoundError")
    + "} }"
)
COUPONS = "query Coupons { coupons { id couponId name timesRedeemed } }"
CREATE_COUPON = (
    """mutation CreateCoupon($input: CreateCouponInput!) {
  createCoupon(input: $input) {
    __typename
    ... on CreateCouponResult { isIkReplay coupon { id couponId name percentOff timesRedeemed } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
)
CREATE_PROMOTION_CODE = (
    """mutation CreatePromotionCode($input: CreatePromotionCodeInput!) {
  createPromotionCode(input: $input) {
    __typename
    ... on CreatePromotionCodeResult { isIkReplay promotionCode { id code } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
)
APPLY_DISCOUNT = (
    """mutation ApplyDiscount($input: ApplyDiscountInput!) {
  applyDiscount(input: $input) {
    __typename
    ... on ApplyDiscountResult { invoice { ...InvoiceResult discounts { id } } }
    """
    + error_fields("BadRequestError", "NotFoundError", "VersionConflictError", "InvalidStateError")
    + "} }"
    + INVOICE_RESULT_FIELDS
)

RETURN_STAKE = (
    """mutation ReturnStake($input: ReturnStakeInput!) {
  returnStake(input: $input) {
    __typename
    ... on ReturnStakeResult { isIkReplay return { ...InvoiceResult } stake { id } }
    """
    + error_fields("BadRequestError", "NotFoundError", "InvalidStateError", "IkConflictError")
    + "} }"
    + INVOICE_RESULT_FIELDS
)

TRANSITION_VOID = """
mutation Void($input: InvoiceTransitionInput!) {
  voidInvoice(input: $input) { __typename }
}
"""
EVENTS = """
subscription Events($invoice: InvoiceMatchInput) {
  invoiceEvents(invoice: $invoice) {
    type version
    invoice { id invoiceId workspaceId status version }
  }
}
"""

ALL_USERS = """
query AllUsers($filter: UsersFilter) {
  allUsers(filter: $filter) {
    nodes { id externalId tags { key value } }
    edges { cursor }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
PRODUCT = """
query Product($code: String!) {
  product(code: $code) { id code description invoices { totalCount nodes { id } } }
}
"""
PRODUCTS = """
query Products { products { nodes { id code } pageInfo { hasNextPage endCursor } } }
"""
EXTERNAL_ACCOUNT = """
query ExternalAccount($match: ExternalAccountMatchInput!) {
  externalAccount(account: $match) { id externalId name }
}
"""
EXTERNAL_ACCOUNTS = """
query ExternalAccounts {
  externalAccounts { nodes { id externalId name } pageInfo { hasNextPage endCursor } }
}
"""
CREATE_USER = (
    """mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on CreateUserResult { isIkReplay user { id externalId tags { key value } } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
)
UPDATE_USER = (
    """mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) {
    __typename
    ... on UpdateUserResult { user { id externalId tags { key value } } }
    """
    + error_fields("BadRequestError", "NotFoundError")
    + "} }"
)
CREATE_PRODUCT = (
    """mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) {
    __typename
    ... on CreateProductResult { isIkReplay product { id code description } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
)
CREATE_EXTERNAL_ACCOUNT = (
    """mutation CreateExternalAccount($input: CreateExternalAccountInput!) {
  createExternalAccount(input: $input) {
    __typename
    ... on CreateExternalAccountResult { isIkReplay account { id externalId name } }
    """
    + error_fields("BadRequestError", "IkConflictError")
    + "} }"
)

SNAPSHOT = """
query Snapshot(
  $invoice: ID!, $user: ID!, $transaction: ID!, $ids: [ID!]!, $product: String!, $account: ID!
) {
  invoice(invoice: {id: $invoice}) {
    invoiceId status version modified
    tags { key value }
    lineItems {
      id description productId type currency
      price { amount quantity unitPrice }
      user { id }
      tags { key value }
    }
    balances { currency payins { expected actual } payouts { expected actual } }
    payments { id amount }
    history(first: 1) { totalCount }
  }
  user(user: {id: $user}) {
    externalId tags { key value } balances { currency payins { expected actual } }
  }
  allUsers { nodes { id externalId tags { key value } } }
  product(code: $product) { id code description invoices { totalCount } }
  products { nodes { id } }
  externalAccount(account: {id: $account}) { id externalId name }
  externalAccounts { nodes { id } }
  transaction(transaction: {id: $transaction}) {
    externalId amount version unallocatedAmount
    tags { key value }
    allocations { id amount }
  }
  nodes(ids: $ids) { __typename id }
  invoices { totalCount }
  transactions { totalCount }
  webhookEndpoints { nodes { id url eventTypes enabled disabledReason failingSince modified } }
  webhookDeliveries { nodes { id eventId status attemptCount body nextAttemptAt } }
}
"""


# --------------------------------------------------------------------------------------------
# The table

Variables = Callable[[Keys, Own], dict[str, Any]]
Expect = Callable[[Any, Keys, Own], None]


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    field: str
    """The root field the case exercises; the document must select it."""
    document: str
    variables: Variables
    expect: Expect
    own: bool = False
    """Whether the case uses B's own invoice and transaction (see `Own`)."""


def expect_data(build: Callable[[Keys, Own], Any]) -> Expect:
    def check(data: Any, keys: Keys, own: Own) -> None:
        assert data == build(keys, own)

    return check


def expect_null(field: str) -> Expect:
    return expect_data(lambda _keys, _own: {field: None})


EMPTY_PAGE = {
    "totalCount": 0,
    "pageInfo": {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    },
    "edges": [],
    "nodes": [],
}


def expect_empty(field: str) -> Expect:
    return expect_data(lambda _keys, _own: {field: EMPTY_PAGE})


def expect_error(field: str, typename: str, *paths: list[str]) -> Expect:
    """A member of the result union; for BadRequestError, exactly these field paths."""
    code = {"NotFoundError": "NOT_FOUND", "BadRequestError": "BAD_REQUEST"}[typename]

    def check(data: Any, _keys: Keys, _own: Own) -> None:
        result = data[field]
        assert result["__typename"] == typename, result
        assert result["code"] == code
        assert result["retryable"] is False
        if typename == "BadRequestError":
            assert [error["field"] for error in result["fieldErrors"]] == list(paths)

    return check


def expect_new_invoice(user_key: Callable[[Keys, Own], str]) -> Expect:
    """createInvoice with A's invoiceId: a new invoice of B's, not a replay or a conflict."""

    def check(data: Any, keys: Keys, own: Own) -> None:
        result = data["createInvoice"]
        assert result["__typename"] == "CreateInvoiceResult", result
        assert result["isIkReplay"] is False
        invoice = result["invoice"]
        assert invoice["invoiceId"] == keys.invoice_key
        assert invoice["workspaceId"] == own.workspace_id
        assert (invoice["version"], invoice["status"]) == (1, "OPEN")
        assert invoice["payments"] == []
        assert invoice["history"]["totalCount"] == 1
        assert [item["user"]["externalId"] for item in invoice["lineItems"]] == [
            user_key(keys, own)
        ]

    return check


def expect_in_batch(field: str, expect: Expect, single: str) -> Expect:
    """A batch of one: its only item answers as the single mutation would."""

    def check(data: Any, keys: Keys, own: Own) -> None:
        batch = data[field]
        (item,) = batch["results"]
        expect({single: item}, keys, own)

    return check


def expect_new_transaction(data: Any, keys: Keys, _own: Own) -> None:
    result = data["recordTransaction"]
    assert result["__typename"] == "RecordTransactionResult", result
    assert result["isIkReplay"] is False
    transaction = result["transaction"]
    assert transaction["externalId"] == keys.transaction_key
    assert (transaction["version"], transaction["amount"]) == (1, "500")
    assert transaction["unallocatedAmount"] == "500"
    assert transaction["allocations"] == []


def expect_user_added(data: Any, keys: Keys, _own: Own) -> None:
    """A line item naming A's user by externalId in B creates a user of B's with that key."""
    result = data["updateInvoice"]
    assert result["__typename"] == "UpdateInvoiceResult", result
    invoice = result["invoice"]
    assert invoice["version"] == OWN_VERSION + 1
    users = [item["user"]["externalId"] for item in invoice["lineItems"]]
    assert users[-1] == keys.user_key
    assert len(users) == 2


def expect_new_webhook_endpoint(data: Any, keys: Keys, _own: Own) -> None:
    """A's URL is no key: B gets an endpoint of its own at it."""
    result = data["createWebhookEndpoint"]
    assert result["__typename"] == "WebhookEndpointSecretResult", result
    assert result["endpoint"]["url"] == keys.webhook_url
    assert (result["endpoint"]["eventTypes"], result["endpoint"]["enabled"]) == (
        ["INVOICE_PAID"],
        True,
    )


def expect_subscription_refused(messages: Any, _keys: Keys, _own: Own) -> None:
    """An unknown invoice: one error (BAD_USER_INPUT, no data), then the subscription ends."""
    assert len(messages) == 2, messages
    refusal, end = messages
    assert (refusal["id"], refusal["type"]) == ("1", "next"), refusal
    assert refusal["payload"]["data"] is None, refusal
    assert [error["extensions"]["code"] for error in refusal["payload"]["errors"]] == [
        "BAD_USER_INPUT"
    ]
    assert end == {"id": "1", "type": "complete"}


def expect_own_user_finds_nothing(data: Any, _keys: Keys, _own: Own) -> None:
    """B's own user (who has an invoice of B's) filtered by A's user: no invoice."""
    assert data == {"user": {"externalId": B_USER, "invoices": EMPTY_PAGE}}


def expect_own_user_only(data: Any, _keys: Keys, _own: Own) -> None:
    page = data["allUsers"]
    assert [(node["externalId"], node["tags"]) for node in page["nodes"]] == [(B_USER, [])]
    assert page["pageInfo"]["hasNextPage"] is False


def expect_own_transaction_only(data: Any, _keys: Keys, own: Own) -> None:
    page = data["transactions"]
    assert [node["id"] for node in page["nodes"]] == [own.transaction_id], page
    assert page["totalCount"] == 1


def a_coupon_input(keys: Keys) -> dict[str, Any]:
    """Exactly what A sent to create its coupon."""
    return {"couponId": keys.coupon_key, "name": "Acme launch", "percentOff": "10"}


def expect_new_coupon(data: Any, keys: Keys, _own: Own) -> None:
    """createCoupon with A's couponId: a new coupon of B's, not a replay or a conflict."""
    result = data["createCoupon"]
    assert result["__typename"] == "CreateCouponResult", result
    assert result["isIkReplay"] is False
    coupon = result["coupon"]
    assert coupon["id"] != keys.coupon_id
    assert (coupon["couponId"], coupon["timesRedeemed"]) == (keys.coupon_key, 0)


EMPTY_OBJECTS = {
    "nodes": [],
    "pageInfo": {"hasNextPage": False, "endCursor": None},
}


def expect_created(
    field: str, result: str, part: str, key: str, value: Callable[[Keys], str]
) -> Expect:
    """createUser, createProduct, createExternalAccount with A's key and input: a new object
    of B's, not a replay or a conflict."""

    def check(data: Any, keys: Keys, _own: Own) -> None:
        answer = data[field]
        assert answer["__typename"] == result, answer
        assert answer["isIkReplay"] is False
        assert answer[part][key] == value(keys)

    return check


def filter_by(filter: Callable[[Keys, Own], dict[str, Any]]) -> Variables:
    return lambda keys, own: {"filter": filter(keys, own)}


def wildcard(value: str) -> str:
    """The value's head and a `*`: matches the value, and no value of B's."""
    return value[: len(value) - 6] + "*"


def a_invoice_input(keys: Keys) -> dict[str, Any]:
    """Exactly what A sent to create its invoice."""
    item = line_item(
        user=keys.user_key,
        description=f"Audit {keys.word}",
        product_id=keys.product_id,
    )
    item["tags"] = [{"key": "kind", "value": keys.line_item_tag}]
    return invoice_input(
        keys.invoice_key, item, tags=[{"key": "project", "value": keys.invoice_tag}]
    )


def a_transaction_input(keys: Keys, *, allocations: bool = True) -> dict[str, Any]:
    """What A sent to record its transaction (optionally without its allocation)."""
    return {
        "externalId": keys.transaction_key,
        "amount": "500",
        "currency": "USD",
        "posted": "2026-01-13T00:00:00.000Z",
        "tags": [{"key": "batch", "value": keys.transaction_tag}],
        "allocations": (
            [
                {
                    "invoice": {"invoiceId": keys.invoice_key},
                    "type": "PAYIN",
                    "user": {"externalId": keys.user_key},
                    "amount": "300",
                }
            ]
            if allocations
            else []
        ),
    }


def own_transaction_input(own: Own, *allocations: dict[str, Any]) -> dict[str, Any]:
    return {
        "externalId": own.new_key,
        "amount": "500",
        "currency": "USD",
        "posted": "2026-01-14T00:00:00.000Z",
        "allocations": list(allocations),
    }


def allocation_to(invoice: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {"invoice": invoice, "type": "PAYIN", "user": user, "amount": "100"}


def allocations_of(
    transaction: Callable[[Keys, Own], dict[str, Any]],
    operations: Callable[[Keys, Own], list[dict[str, Any]]],
    *,
    version: int,
) -> Variables:
    return lambda keys, own: {
        "input": {
            "transaction": transaction(keys, own),
            "expectedVersion": version,
            "allocations": operations(keys, own),
        }
    }


def transition(field: str, *, versioned: bool) -> Case:
    return Case(
        id=f"{field}-{'at-version' if versioned else 'any-version'}",
        field=field,
        document=transition_document(field),
        variables=lambda keys, _own: {
            "input": {"id": keys.invoice_id}
            | ({"expectedVersion": A_INVOICE_VERSION} if versioned else {})
        },
        expect=expect_error(field, "NotFoundError"),
    )


NODE_KEYS = {
    "ws": "workspace_id",
    "inv": "invoice_id",
    "li": "line_item_id",
    "usr": "user_id",
    "txn": "transaction_id",
    "pay": "payment_id",
}


def node_case(prefix: str) -> Case:
    name = NODE_KEYS[prefix]
    return Case(
        id=f"node-{prefix}",
        field="node",
        document=NODE,
        variables=lambda keys, _own: {"id": getattr(keys, name)},
        expect=expect_null("node"),
    )


def search(pick: Callable[[Keys], str]) -> Variables:
    return filter_by(lambda keys, _own: {"search": pick(keys)})


CASES: list[Case] = [
    # ---- Query.node: one case per kind of ID
    *(node_case(prefix) for prefix in ID_PREFIXES),
    # ---- Query.nodes: every kind at once, next to one of B's own (which must still resolve)
    Case(
        id="nodes-all-kinds",
        field="nodes",
        document=NODES,
        variables=lambda keys, own: {
            "ids": [own.invoice_id, *(getattr(keys, NODE_KEYS[p]) for p in ID_PREFIXES)]
        },
        expect=expect_data(
            lambda _keys, own: {
                "nodes": [
                    {
                        "__typename": "Invoice",
                        "id": own.invoice_id,
                        "invoiceId": own.invoice_key,
                        "version": 1,
                        "status": "OPEN",
                    },
                    *[None] * len(ID_PREFIXES),
                ]
            }
        ),
        own=True,
    ),
    # ---- Query.workspace: always the caller's own; A's workspace id is unknown to node
    Case(
        id="workspace-is-the-callers",
        field="workspace",
        document=WORKSPACE,
        variables=lambda keys, _own: {"id": keys.workspace_id},
        expect=expect_data(
            lambda _keys, own: {
                "workspace": {"id": own.workspace_id, "name": "Globex billing"},
                "node": None,
            }
        ),
    ),
    # ---- Query.invoice
    Case(
        id="invoice-by-id",
        field="invoice",
        document=INVOICE,
        variables=lambda keys, _own: {"match": {"id": keys.invoice_id}},
        expect=expect_null("invoice"),
    ),
    Case(
        id="invoice-by-invoiceId",
        field="invoice",
        document=INVOICE,
        variables=lambda keys, _own: {"match": {"invoiceId": keys.invoice_key}},
        expect=expect_null("invoice"),
    ),
    # ---- Query.invoices: filters naming A's things find nothing (B has an invoice of its own)
    Case(
        id="invoices-user-id",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"user": {"id": keys.user_id}}),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-user-externalId",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"user": {"externalId": keys.user_key}}),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-tags-all",
        field="invoices",
        document=INVOICES,
        variables=filter_by(
            lambda keys, _own: {"tags": {"all": [{"key": "project", "value": keys.invoice_tag}]}}
        ),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-transactionTags",
        field="invoices",
        document=INVOICES,
        variables=filter_by(
            lambda keys, _own: {
                "transactionTags": {"all": [{"key": "batch", "value": keys.transaction_tag}]}
            }
        ),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-tags-any-wildcard",
        field="invoices",
        document=INVOICES,
        variables=filter_by(
            lambda keys, _own: {
                "tags": {"any": [{"key": "project", "value": wildcard(keys.invoice_tag)}]}
            }
        ),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-productId",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"productId": {"in": [keys.product_id]}}),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-search-invoiceId",
        field="invoices",
        document=INVOICES,
        variables=search(lambda keys: keys.invoice_key),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-search-description",
        field="invoices",
        document=INVOICES,
        variables=search(lambda keys: keys.word),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-search-productId",
        field="invoices",
        document=INVOICES,
        variables=search(lambda keys: keys.product_id),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-search-user-externalId",
        field="invoices",
        document=INVOICES,
        variables=search(lambda keys: keys.user_key),
        expect=expect_empty("invoices"),
    ),
    Case(
        id="invoices-search-tag-values",
        field="invoices",
        document=INVOICES,
        variables=search(lambda keys: f"{keys.invoice_tag} {keys.line_item_tag}"),
        expect=expect_empty("invoices"),
    ),
    # ---- Query.transaction
    Case(
        id="transaction-by-id",
        field="transaction",
        document=TRANSACTION,
        variables=lambda keys, _own: {"match": {"id": keys.transaction_id}},
        expect=expect_null("transaction"),
    ),
    Case(
        id="transaction-by-externalId",
        field="transaction",
        document=TRANSACTION,
        variables=lambda keys, _own: {"match": {"externalId": keys.transaction_key}},
        expect=expect_null("transaction"),
    ),
    # ---- Query.transactions
    Case(
        id="transactions-externalId",
        field="transactions",
        document=TRANSACTIONS,
        variables=filter_by(lambda keys, _own: {"externalId": {"equalTo": keys.transaction_key}}),
        expect=expect_empty("transactions"),
    ),
    Case(
        id="transactions-externalId-in-next-to-own",
        field="transactions",
        document=TRANSACTIONS,
        variables=filter_by(
            lambda keys, own: {"externalId": {"in": [keys.transaction_key, own.transaction_key]}}
        ),
        expect=expect_own_transaction_only,
        own=True,
    ),
    Case(
        id="transactions-tags-all",
        field="transactions",
        document=TRANSACTIONS,
        variables=filter_by(
            lambda keys, _own: {"tags": {"all": [{"key": "batch", "value": keys.transaction_tag}]}}
        ),
        expect=expect_empty("transactions"),
    ),
    Case(
        id="transactions-tags-any-wildcard",
        field="transactions",
        document=TRANSACTIONS,
        variables=filter_by(
            lambda keys, _own: {
                "tags": {"any": [{"key": "batch", "value": wildcard(keys.transaction_tag)}]}
            }
        ),
        expect=expect_empty("transactions"),
    ),
    Case(
        id="transaction-history-by-id",
        field="transaction",
        document=TRANSACTION_HISTORY,
        variables=lambda keys, _own: {"match": {"id": keys.transaction_id}},
        expect=expect_null("transaction"),
    ),
    # ---- Query.searchAllocations
    Case(
        id="searchAllocations-invoices-by-id-and-invoiceId",
        field="searchAllocations",
        document=SEARCH_ALLOCATIONS,
        variables=filter_by(
            lambda keys, _own: {
                "invoices": [{"id": keys.invoice_id}, {"invoiceId": keys.invoice_key}]
            }
        ),
        expect=expect_empty("searchAllocations"),
    ),
    Case(
        id="searchAllocations-user-id",
        field="searchAllocations",
        document=SEARCH_ALLOCATIONS,
        variables=filter_by(lambda keys, _own: {"user": {"id": keys.user_id}}),
        expect=expect_empty("searchAllocations"),
    ),
    Case(
        id="searchAllocations-user-externalId",
        field="searchAllocations",
        document=SEARCH_ALLOCATIONS,
        variables=filter_by(lambda keys, _own: {"user": {"externalId": keys.user_key}}),
        expect=expect_empty("searchAllocations"),
    ),
    Case(
        id="searchAllocations-transactionTags-wildcard",
        field="searchAllocations",
        document=SEARCH_ALLOCATIONS,
        variables=filter_by(
            lambda keys, _own: {
                "transactionTags": {
                    "any": [{"key": "batch", "value": wildcard(keys.transaction_tag)}]
                }
            }
        ),
        expect=expect_empty("searchAllocations"),
    ),
    # ---- Query.user
    Case(
        id="user-by-id",
        field="user",
        document=USER,
        variables=lambda keys, _own: {"match": {"id": keys.user_id}},
        expect=expect_null("user"),
    ),
    Case(
        id="user-by-externalId",
        field="user",
        document=USER,
        variables=lambda keys, _own: {"match": {"externalId": keys.user_key}},
        expect=expect_null("user"),
    ),
    Case(
        id="user-own-invoices-filtered-by-a-user-id",
        field="user",
        document=OWN_USER_INVOICES,
        variables=filter_by(lambda keys, _own: {"user": {"id": keys.user_id}}),
        expect=expect_own_user_finds_nothing,
        own=True,
    ),
    Case(
        id="user-own-invoices-filtered-by-a-user-externalId",
        field="user",
        document=OWN_USER_INVOICES,
        variables=filter_by(lambda keys, _own: {"user": {"externalId": keys.user_key}}),
        expect=expect_own_user_finds_nothing,
        own=True,
    ),
    # ---- Mutation.createInvoice
    Case(
        id="createInvoice-a-invoiceId-same-input",
        field="createInvoice",
        document=CREATE,
        variables=lambda keys, _own: {"input": a_invoice_input(keys)},
        expect=expect_new_invoice(lambda keys, _own: keys.user_key),
    ),
    Case(
        id="createInvoice-a-invoiceId-other-input",
        field="createInvoice",
        document=CREATE,
        variables=lambda keys, own: {
            "input": invoice_input(keys.invoice_key, line_item(amount="77", user=B_USER))
        },
        expect=expect_new_invoice(lambda _keys, _own: B_USER),
    ),
    Case(
        id="createInvoice-a-user-id",
        field="createInvoice",
        document=CREATE,
        variables=lambda keys, own: {
            "input": invoice_input(own.new_key, {**line_item(), "user": {"id": keys.user_id}})
        },
        expect=expect_error("createInvoice", "BadRequestError", ["lineItems", "0", "user", "id"]),
    ),
    # ---- Mutation.createInvoices: each item as createInvoice
    Case(
        id="createInvoices-a-invoiceId-same-input",
        field="createInvoices",
        document=CREATE_MANY,
        variables=lambda keys, _own: {"input": {"invoices": [a_invoice_input(keys)]}},
        expect=expect_in_batch(
            "createInvoices",
            expect_new_invoice(lambda keys, _own: keys.user_key),
            "createInvoice",
        ),
    ),
    Case(
        id="createInvoices-a-user-id",
        field="createInvoices",
        document=CREATE_MANY,
        variables=lambda keys, own: {
            "input": {
                "invoices": [
                    invoice_input(own.new_key, {**line_item(), "user": {"id": keys.user_id}})
                ]
            }
        },
        expect=expect_in_batch(
            "createInvoices",
            expect_error(
                "createInvoice",
                "BadRequestError",
                ["invoices", "0", "lineItems", "0", "user", "id"],
            ),
            "createInvoice",
        ),
    ),
    # ---- Mutation.updateInvoice: A's invoice, then B's own invoice naming A's parts
    Case(
        id="updateInvoice-a-invoice-tags",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, _own: {
            "input": {
                "id": keys.invoice_id,
                "expectedVersion": A_INVOICE_VERSION,
                "tags": {"set": [{"key": "project", "value": "taken"}]},
            }
        },
        expect=expect_error("updateInvoice", "NotFoundError"),
    ),
    Case(
        id="updateInvoice-a-invoice-stale-version",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, _own: {
            "input": {
                "id": keys.invoice_id,
                "expectedVersion": 1,
                "tags": {"remove": ["project"]},
            }
        },
        expect=expect_error("updateInvoice", "NotFoundError"),
    ),
    Case(
        id="updateInvoice-a-invoice-a-line-item",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, _own: {
            "input": {
                "id": keys.invoice_id,
                "expectedVersion": A_INVOICE_VERSION,
                "lineItems": [{"update": {"id": keys.line_item_id, "price": {"amount": "300"}}}],
            }
        },
        expect=expect_error("updateInvoice", "NotFoundError"),
    ),
    Case(
        id="updateInvoice-own-invoice-update-a-line-item",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, own: {
            "input": {
                "id": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "lineItems": [{"update": {"id": keys.line_item_id, "description": "Mine"}}],
            }
        },
        expect=expect_error("updateInvoice", "NotFoundError"),
        own=True,
    ),
    Case(
        id="updateInvoice-own-invoice-delete-a-line-item",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, own: {
            "input": {
                "id": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "lineItems": [{"delete": {"id": keys.line_item_id}}],
            }
        },
        expect=expect_error("updateInvoice", "NotFoundError"),
        own=True,
    ),
    Case(
        id="updateInvoice-own-invoice-a-user-id",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, own: {
            "input": {
                "id": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "lineItems": [{"add": {**line_item(), "user": {"id": keys.user_id}}}],
            }
        },
        expect=expect_error(
            "updateInvoice", "BadRequestError", ["lineItems", "0", "add", "user", "id"]
        ),
        own=True,
    ),
    Case(
        id="updateInvoice-own-invoice-a-user-externalId",
        field="updateInvoice",
        document=UPDATE,
        variables=lambda keys, own: {
            "input": {
                "id": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "lineItems": [{"add": line_item(user=keys.user_key)}],
            }
        },
        expect=expect_user_added,
        own=True,
    ),
    # ---- Mutation.finalizeInvoice, voidInvoice, markInvoiceUncollectible
    *(
        transition(field, versioned=versioned)
        for field in ("finalizeInvoice", "voidInvoice", "markInvoiceUncollectible")
        for versioned in (True, False)
    ),
    # ---- Mutation.recordTransaction
    Case(
        id="recordTransaction-a-externalId-new",
        field="recordTransaction",
        document=RECORD,
        variables=lambda keys, _own: {"input": a_transaction_input(keys, allocations=False)},
        expect=expect_new_transaction,
    ),
    Case(
        id="recordTransaction-a-input-to-a-invoiceId",
        field="recordTransaction",
        document=RECORD,
        variables=lambda keys, _own: {"input": a_transaction_input(keys)},
        expect=expect_error("recordTransaction", "NotFoundError"),
    ),
    Case(
        id="recordTransactions-a-externalId-new",
        field="recordTransactions",
        document=RECORD_MANY,
        variables=lambda keys, _own: {
            "input": {"transactions": [a_transaction_input(keys, allocations=False)]}
        },
        expect=expect_in_batch("recordTransactions", expect_new_transaction, "recordTransaction"),
    ),
    Case(
        id="recordTransactions-a-input-to-a-invoiceId",
        field="recordTransactions",
        document=RECORD_MANY,
        variables=lambda keys, _own: {"input": {"transactions": [a_transaction_input(keys)]}},
        expect=expect_in_batch(
            "recordTransactions",
            expect_error("recordTransaction", "NotFoundError"),
            "recordTransaction",
        ),
    ),
    Case(
        id="recordTransaction-to-a-invoice-id",
        field="recordTransaction",
        document=RECORD,
        variables=lambda keys, own: {
            "input": own_transaction_input(
                own, allocation_to({"id": keys.invoice_id}, {"externalId": keys.user_key})
            )
        },
        expect=expect_error("recordTransaction", "NotFoundError"),
    ),
    Case(
        id="recordTransaction-a-user-id",
        field="recordTransaction",
        document=RECORD,
        variables=lambda keys, own: {
            "input": own_transaction_input(
                own, allocation_to({"invoiceId": own.invoice_key}, {"id": keys.user_id})
            )
        },
        expect=expect_error(
            "recordTransaction", "BadRequestError", ["allocations", "0", "user", "id"]
        ),
        own=True,
    ),
    # ---- Mutation.updateAllocations: A's transaction, then B's own naming A's parts
    Case(
        id="updateAllocations-a-transaction-id",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda keys, _own: {"id": keys.transaction_id},
            lambda keys, _own: [{"delete": {"id": keys.payment_id}}],
            version=A_TRANSACTION_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
    ),
    Case(
        id="updateAllocations-a-transaction-tags",
        field="updateAllocations",
        document=ALLOCATE,
        variables=lambda keys, _own: {
            "input": {
                "transaction": {"id": keys.transaction_id},
                "expectedVersion": A_TRANSACTION_VERSION,
                "tags": {"update": [{"key": "batch", "value": "taken"}]},
            }
        },
        expect=expect_error("updateAllocations", "NotFoundError"),
    ),
    Case(
        id="updateAllocations-a-transaction-externalId",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda keys, _own: {"externalId": keys.transaction_key},
            lambda keys, _own: [{"update": {"id": keys.payment_id, "amount": "400"}}],
            version=A_TRANSACTION_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
    ),
    Case(
        id="updateAllocations-a-transaction-stale-version-no-operations",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda keys, _own: {"id": keys.transaction_id},
            lambda _keys, _own: [],
            version=A_TRANSACTION_VERSION + 7,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
    ),
    Case(
        id="updateAllocations-own-transaction-to-a-invoice-id",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda _keys, own: {"id": own.transaction_id},
            lambda keys, _own: [
                {"add": allocation_to({"id": keys.invoice_id}, {"externalId": keys.user_key})}
            ],
            version=OWN_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
        own=True,
    ),
    Case(
        id="updateAllocations-own-transaction-to-a-invoiceId",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda _keys, own: {"id": own.transaction_id},
            lambda keys, _own: [
                {
                    "add": allocation_to(
                        {"invoiceId": keys.invoice_key}, {"externalId": keys.user_key}
                    )
                }
            ],
            version=OWN_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
        own=True,
    ),
    Case(
        id="updateAllocations-own-transaction-a-user-id",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda _keys, own: {"externalId": own.transaction_key},
            lambda keys, own: [
                {"add": allocation_to({"invoiceId": own.invoice_key}, {"id": keys.user_id})}
            ],
            version=OWN_VERSION,
        ),
        expect=expect_error(
            "updateAllocations", "BadRequestError", ["allocations", "0", "add", "user", "id"]
        ),
        own=True,
    ),
    Case(
        id="updateAllocations-own-transaction-update-a-payment",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda _keys, own: {"id": own.transaction_id},
            lambda keys, _own: [{"update": {"id": keys.payment_id, "amount": "1"}}],
            version=OWN_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
        own=True,
    ),
    Case(
        id="updateAllocations-own-transaction-delete-a-payment",
        field="updateAllocations",
        document=ALLOCATE,
        variables=allocations_of(
            lambda _keys, own: {"id": own.transaction_id},
            lambda keys, _own: [{"delete": {"id": keys.payment_id}}],
            version=OWN_VERSION,
        ),
        expect=expect_error("updateAllocations", "NotFoundError"),
        own=True,
    ),
    # ---- webhooks: A's endpoint and delivery are unknown to B; B's lists are its own (empty)
    Case(
        id="webhookEndpoint-a-id",
        field="webhookEndpoint",
        document=WEBHOOK_ENDPOINT,
        variables=lambda keys, _own: {"id": keys.webhook_endpoint_id},
        expect=expect_null("webhookEndpoint"),
    ),
    Case(
        id="webhookEndpoints-are-the-callers",
        field="webhookEndpoints",
        document=WEBHOOK_ENDPOINTS,
        variables=lambda _keys, _own: {},
        expect=expect_data(
            lambda _keys, _own: {
                "webhookEndpoints": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        ),
    ),
    Case(
        id="webhookDelivery-a-id",
        field="webhookDelivery",
        document=WEBHOOK_DELIVERY,
        variables=lambda keys, _own: {"id": keys.webhook_delivery_id},
        expect=expect_null("webhookDelivery"),
    ),
    Case(
        id="webhookDeliveries-a-endpoint-id",
        field="webhookDeliveries",
        document=WEBHOOK_DELIVERIES,
        variables=lambda keys, _own: {"endpointId": keys.webhook_endpoint_id},
        expect=expect_data(
            lambda _keys, _own: {
                "webhookDeliveries": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        ),
    ),
    Case(
        id="createWebhookEndpoint-a-url",
        field="createWebhookEndpoint",
        document=CREATE_WEBHOOK_ENDPOINT,
        variables=lambda keys, _own: {
            "input": {"url": keys.webhook_url, "eventTypes": ["INVOICE_PAID"]}
        },
        expect=expect_new_webhook_endpoint,
    ),
    Case(
        id="updateWebhookEndpoint-a-id",
        field="updateWebhookEndpoint",
        document=UPDATE_WEBHOOK_ENDPOINT,
        variables=lambda keys, _own: {
            "input": {"id": keys.webhook_endpoint_id, "description": "taken over", "enabled": False}
        },
        expect=expect_error("updateWebhookEndpoint", "NotFoundError"),
    ),
    *(
        Case(
            id=f"{field}-a-id",
            field=field,
            document=webhook_endpoint_document(field, result, selection),
            variables=lambda keys, _own: {"input": {"id": keys.webhook_endpoint_id}},
            expect=expect_error(field, "NotFoundError"),
        )
        for field, result, selection in (
            ("disableWebhookEndpoint", "WebhookEndpointResult", "endpoint { id enabled }"),
            ("deleteWebhookEndpoint", "DeleteWebhookEndpointResult", "deletedId"),
            ("rotateWebhookEndpointSecret", "WebhookEndpointSecretResult", "secret"),
        )
    ),
    Case(
        id="resendWebhookDelivery-a-id",
        field="resendWebhookDelivery",
        document=RESEND_WEBHOOK_DELIVERY,
        variables=lambda keys, _own: {"input": {"id": keys.webhook_delivery_id}},
        expect=expect_error("resendWebhookDelivery", "NotFoundError"),
    ),
    # ---- coupons, promotion codes and discounts: A's are B's unknown ones
    Case(
        id="coupons-lists-only-the-callers",
        field="coupons",
        document=COUPONS,
        variables=lambda _keys, _own: {},
        expect=expect_data(lambda _keys, _own: {"coupons": []}),
    ),
    Case(
        id="createCoupon-a-couponId-same-input",
        field="createCoupon",
        document=CREATE_COUPON,
        variables=lambda keys, _own: {"input": a_coupon_input(keys)},
        expect=expect_new_coupon,
    ),
    Case(
        id="createPromotionCode-a-code-a-coupon",
        field="createPromotionCode",
        document=CREATE_PROMOTION_CODE,
        variables=lambda keys, _own: {
            "input": {"code": keys.promotion_code, "coupon": keys.coupon_id}
        },
        expect=expect_error("createPromotionCode", "BadRequestError", ["coupon"]),
    ),
    Case(
        id="applyDiscount-a-invoice-a-coupon",
        field="applyDiscount",
        document=APPLY_DISCOUNT,
        variables=lambda keys, _own: {
            "input": {
                "invoice": keys.invoice_id,
                "expectedVersion": A_INVOICE_VERSION,
                "coupon": keys.coupon_id,
            }
        },
        expect=expect_error("applyDiscount", "NotFoundError"),
    ),
    Case(
        id="applyDiscount-own-invoice-a-coupon",
        field="applyDiscount",
        document=APPLY_DISCOUNT,
        variables=lambda keys, own: {
            "input": {
                "invoice": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "coupon": keys.coupon_id,
            }
        },
        expect=expect_error("applyDiscount", "BadRequestError", ["coupon"]),
        own=True,
    ),
    Case(
        id="applyDiscount-own-invoice-a-promotion-code",
        field="applyDiscount",
        document=APPLY_DISCOUNT,
        variables=lambda keys, own: {
            "input": {
                "invoice": own.invoice_id,
                "expectedVersion": OWN_VERSION,
                "promotionCode": keys.promotion_code,
            }
        },
        expect=expect_error("applyDiscount", "BadRequestError", ["promotionCode"]),
        own=True,
    ),
    # ---- returnStake: A's invoice is unknown, and A's invoiceId is free as a key of B's
    Case(
        id="returnStake-a-invoice",
        field="returnStake",
        document=RETURN_STAKE,
        variables=lambda keys, own: {"input": {"stake": keys.invoice_id, "returnId": own.new_key}},
        expect=expect_error("returnStake", "NotFoundError"),
    ),
    Case(
        id="returnStake-own-invoice-a-invoiceId",
        field="returnStake",
        document=RETURN_STAKE,
        variables=lambda keys, own: {
            "input": {"stake": own.invoice_id, "returnId": keys.invoice_key}
        },
        expect=expect_error("returnStake", "BadRequestError", ["stake"]),
        own=True,
    ),
    # ---- users, products, external accounts: A's are B's unknown ones
    Case(
        id="allUsers-a-user-tag",
        field="allUsers",
        document=ALL_USERS,
        variables=filter_by(
            lambda keys, _own: {"tags": {"all": [{"key": "segment", "value": keys.user_tag}]}}
        ),
        expect=expect_data(
            lambda _keys, _own: {
                "allUsers": {
                    "nodes": [],
                    "edges": [],
                    "pageInfo": EMPTY_PAGE["pageInfo"],
                }
            }
        ),
    ),
    Case(
        id="allUsers-lists-only-the-callers",
        field="allUsers",
        document=ALL_USERS,
        variables=lambda _keys, _own: {},
        expect=expect_own_user_only,
        own=True,
    ),
    Case(
        id="createUser-a-externalId-same-input",
        field="createUser",
        document=CREATE_USER,
        variables=lambda keys, _own: {"input": a_user_input(keys)},
        expect=expect_created(
            "createUser", "CreateUserResult", "user", "externalId", lambda k: k.user_key
        ),
    ),
    Case(
        id="updateUser-a-id",
        field="updateUser",
        document=UPDATE_USER,
        variables=lambda keys, _own: {
            "input": {"user": {"id": keys.user_id}, "tags": {"remove": ["segment"]}}
        },
        expect=expect_error("updateUser", "NotFoundError"),
    ),
    Case(
        id="updateUser-a-externalId",
        field="updateUser",
        document=UPDATE_USER,
        variables=lambda keys, _own: {
            "input": {
                "user": {"externalId": keys.user_key},
                "tags": {"set": [{"key": "segment", "value": "taken"}]},
            }
        },
        expect=expect_error("updateUser", "NotFoundError"),
    ),
    Case(
        id="product-a-code",
        field="product",
        document=PRODUCT,
        variables=lambda keys, _own: {"code": keys.product_id},
        expect=expect_null("product"),
    ),
    Case(
        id="products-lists-only-the-callers",
        field="products",
        document=PRODUCTS,
        variables=lambda _keys, _own: {},
        expect=expect_data(lambda _keys, _own: {"products": EMPTY_OBJECTS}),
    ),
    Case(
        id="createProduct-a-code-same-input",
        field="createProduct",
        document=CREATE_PRODUCT,
        variables=lambda keys, _own: {"input": a_product_input(keys)},
        expect=expect_created(
            "createProduct", "CreateProductResult", "product", "code", lambda k: k.product_id
        ),
    ),
    Case(
        id="externalAccount-a-id",
        field="externalAccount",
        document=EXTERNAL_ACCOUNT,
        variables=lambda keys, _own: {"match": {"id": keys.account_id}},
        expect=expect_null("externalAccount"),
    ),
    Case(
        id="externalAccount-a-externalId",
        field="externalAccount",
        document=EXTERNAL_ACCOUNT,
        variables=lambda keys, _own: {"match": {"externalId": keys.account_key}},
        expect=expect_null("externalAccount"),
    ),
    Case(
        id="externalAccounts-lists-only-the-callers",
        field="externalAccounts",
        document=EXTERNAL_ACCOUNTS,
        variables=lambda _keys, _own: {},
        expect=expect_data(lambda _keys, _own: {"externalAccounts": EMPTY_OBJECTS}),
    ),
    Case(
        id="createExternalAccount-a-externalId-same-input",
        field="createExternalAccount",
        document=CREATE_EXTERNAL_ACCOUNT,
        variables=lambda keys, _own: {"input": a_account_input(keys)},
        expect=expect_created(
            "createExternalAccount",
            "CreateExternalAccountResult",
            "account",
            "externalId",
            lambda k: k.account_key,
        ),
    ),
    Case(
        id="recordTransaction-a-account",
        field="recordTransaction",
        document=RECORD,
        variables=lambda keys, own: {
            "input": {
                **own_transaction_input(own),
                "account": {"id": keys.account_id},
            }
        },
        expect=expect_error("recordTransaction", "BadRequestError", ["account"]),
    ),
    Case(
        id="transactions-a-account",
        field="transactions",
        document=TRANSACTIONS,
        variables=filter_by(lambda keys, _own: {"account": {"externalId": keys.account_key}}),
        expect=expect_empty("transactions"),
        own=True,
    ),
    Case(
        id="invoices-a-account",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"account": {"id": keys.account_id}}),
        expect=expect_empty("invoices"),
        own=True,
    ),
    Case(
        id="invoices-users-all-a-user",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"users": {"all": [{"id": keys.user_id}]}}),
        expect=expect_empty("invoices"),
        own=True,
    ),
    Case(
        id="invoices-users-any-a-user",
        field="invoices",
        document=INVOICES,
        variables=filter_by(lambda keys, _own: {"users": {"any": [{"externalId": keys.user_key}]}}),
        expect=expect_empty("invoices"),
        own=True,
    ),
    Case(
        id="invoices-userTagAndBalance-a-user-tag",
        field="invoices",
        document=INVOICES,
        variables=filter_by(
            lambda keys, _own: {
                "userTagAndBalance": {
                    "userTags": {"all": [{"key": "segment", "value": wildcard(keys.user_tag)}]},
                    "netRemainingBalance": {"ne": "0"},
                }
            }
        ),
        expect=expect_empty("invoices"),
        own=True,
    ),
    # ---- Subscription.invoiceEvents: A's invoice is refused as an unknown one is
    Case(
        id="invoiceEvents-a-invoice-id",
        field="invoiceEvents",
        document=EVENTS,
        variables=lambda keys, _own: {"invoice": {"id": keys.invoice_id}},
        expect=expect_subscription_refused,
    ),
    Case(
        id="invoiceEvents-a-invoiceId",
        field="invoiceEvents",
        document=EVENTS,
        variables=lambda keys, _own: {"invoice": {"invoiceId": keys.invoice_key}},
        expect=expect_subscription_refused,
    ),
]


# --------------------------------------------------------------------------------------------
# Building the two workspaces

SETUP = """
mutation Setup($invoice: CreateInvoiceInput!, $transaction: RecordTransactionInput!) {
  createInvoice(input: $invoice) {
    __typename
    ... on CreateInvoiceResult { invoice { id invoiceId lineItems { id user { id } } } }
  }
  recordTransaction(input: $transaction) {
    __typename
    ... on RecordTransactionResult { transaction { id externalId version allocations { id } } }
  }
}
"""
SETUP_UPDATE = """
mutation SetupUpdate($input: UpdateInvoiceInput!) {
  updateInvoice(input: $input) {
    __typename
    ... on UpdateInvoiceResult { invoice { version lineItems { id } } }
  }
}
"""


async def set_up(
    api: Api, invoice: dict[str, Any], transaction: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create an invoice, then record a transaction (mutations run in order): both or fail."""
    data = await api.ok(SETUP, invoice=invoice, transaction=transaction)
    created, recorded = data["createInvoice"], data["recordTransaction"]
    assert created["__typename"] == "CreateInvoiceResult", created
    assert recorded["__typename"] == "RecordTransactionResult", recorded
    return created["invoice"], recorded["transaction"]


async def set_up_coupon(api: Api, keys: Keys) -> str:
    """A's coupon and a promotion code for it; the coupon's id."""
    data = await api.ok(CREATE_COUPON, input=a_coupon_input(keys))
    created = data["createCoupon"]
    assert created["__typename"] == "CreateCouponResult", created
    coupon_id: str = created["coupon"]["id"]
    data = await api.ok(
        CREATE_PROMOTION_CODE, input={"code": keys.promotion_code, "coupon": coupon_id}
    )
    assert data["createPromotionCode"]["__typename"] == "CreatePromotionCodeResult", data
    return coupon_id


def a_user_input(keys: Keys) -> dict[str, Any]:
    """Exactly what A sent to create its user (the line item's, taken over)."""
    return {"externalId": keys.user_key, "tags": [{"key": "segment", "value": keys.user_tag}]}


def a_product_input(keys: Keys) -> dict[str, Any]:
    return {"code": keys.product_id, "description": "Acme audits"}


def a_account_input(keys: Keys) -> dict[str, Any]:
    return {"externalId": keys.account_key, "name": "Acme operating account"}


async def set_up_objects(api: Api, keys: Keys) -> tuple[str, str]:
    """A's user given its tags, A's product and external account: their ids."""
    data = await api.ok(CREATE_USER, input=a_user_input(keys))
    assert data["createUser"]["__typename"] == "CreateUserResult", data
    data = await api.ok(CREATE_PRODUCT, input=a_product_input(keys))
    assert data["createProduct"]["__typename"] == "CreateProductResult", data
    product: str = data["createProduct"]["product"]["id"]
    data = await api.ok(CREATE_EXTERNAL_ACCOUNT, input=a_account_input(keys))
    assert data["createExternalAccount"]["__typename"] == "CreateExternalAccountResult", data
    account: str = data["createExternalAccount"]["account"]["id"]
    return product, account


async def snapshot(api: Api, keys: Keys, ids: frozenset[str]) -> dict[str, Any]:
    """Everything A can see of its objects, read by A."""
    data: dict[str, Any] = await api.ok(
        SNAPSHOT,
        invoice=keys.invoice_id,
        user=keys.user_id,
        transaction=keys.transaction_id,
        ids=sorted(i for i in ids if prefix_of(i) in NODE_KEYS),
        product=keys.product_id,
        account=keys.account_id,
    )
    assert None not in data["nodes"], data["nodes"]
    return data


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: str
) -> AsyncIterator[Served]:
    """The app on its own migrated database, as in tests/conftest.py but once per module:
    A's world is built once, and every case gets a new workspace B of its own."""
    if ON_POSTGRES:
        name = create_database(template=migrated_template)
        database_url = postgres_url(name)
    else:
        path = tmp_path_factory.mktemp("isolation") / "invoicegraph.db"
        shutil.copyfile(migrated_template, path)
        database_url = sqlite_url(path)
    # No deliverer (A's deliveries stay as the world made them); its URL is on 127.0.0.1.
    settings = Settings(
        database_url=database_url,
        signing_key="test-signing-key-" + "x" * 32,
        webhooks=False,
        webhooks_allow_private=True,
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield Served(app=app, http=http)
    finally:
        if ON_POSTGRES:
            drop_database(name)


@pytest_asyncio.fixture(loop_scope="module")
async def b_api(served: Served) -> Api:
    """Workspace B: a new one for every test, so nothing one case makes in B meets another."""
    return await served.workspace("Globex billing")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(served: Served) -> World:
    """A's objects, their IDs and keys, and A's own view of them before B tries anything."""
    a = await served.workspace("Acme billing")
    draft = Keys(
        workspace_id=a.workspace_id,
        invoice_id="",
        invoice_key=key("acmeinv"),
        line_item_id="",
        user_id="",
        user_key=key("acmeuser"),
        transaction_id="",
        transaction_key=key("acmetxn"),
        payment_id="",
        invoice_tag=key("acmeproject"),
        line_item_tag=key("acmekind"),
        transaction_tag=key("acmebatch"),
        product_id=key("acmeprod"),
        word=key("acmeword"),
        webhook_endpoint_id="",
        webhook_delivery_id="",
        webhook_url=f"http://127.0.0.1:9/{key('acmehooks')}",
        coupon_id="",
        coupon_key=key("acmecoupon"),
        promotion_code=key("acmepromo"),
        user_tag=key("acmesegment"),
        product_public_id="",
        account_id="",
        account_key=key("acmebank"),
    )
    # a webhook endpoint, so that A's writes below make deliveries to it
    made = await a.ok(
        CREATE_WEBHOOK_ENDPOINT,
        input={"url": draft.webhook_url, "eventTypes": ["INVOICE_CREATED", "INVOICE_UPDATED"]},
    )
    assert made["createWebhookEndpoint"]["__typename"] == "WebhookEndpointSecretResult", made
    endpoint_id = made["createWebhookEndpoint"]["endpoint"]["id"]
    # an invoice with a line item and a user; a tagged transaction with a payment to it
    invoice, transaction = await set_up(a, a_invoice_input(draft), a_transaction_input(draft))
    assert transaction["version"] == A_TRANSACTION_VERSION
    (payment,) = transaction["allocations"]
    first_item = invoice["lineItems"][0]
    # a second version of the invoice
    data = await a.ok(
        SETUP_UPDATE,
        input={
            "id": invoice["id"],
            "expectedVersion": 1,
            "lineItems": [
                {"add": line_item(amount="250", user=draft.user_key, description="Setup fee")}
            ],
            "tags": {"set": [{"key": "stage", "value": "acmestage"}]},
        },
    )
    updated = data["updateInvoice"]
    assert updated["__typename"] == "UpdateInvoiceResult", updated
    assert updated["invoice"]["version"] == A_INVOICE_VERSION
    second_item = updated["invoice"]["lineItems"][1]
    # the deliveries of those writes, made as the server's deliverer makes them (not sent:
    # this app runs no deliverer)
    db: Database = served.app.state.db
    while await fan_out(db, invoice_renderer(schema, db)):
        pass
    deliveries = (await a.ok(WEBHOOK_DELIVERIES, endpointId=endpoint_id))["webhookDeliveries"]
    assert len(deliveries["nodes"]) == 2, deliveries
    coupon = await set_up_coupon(a, draft)
    product, account = await set_up_objects(a, draft)
    keys = replace(
        draft,
        product_public_id=product,
        account_id=account,
        coupon_id=coupon,
        invoice_id=invoice["id"],
        line_item_id=first_item["id"],
        user_id=first_item["user"]["id"],
        transaction_id=transaction["id"],
        payment_id=payment["id"],
        webhook_endpoint_id=endpoint_id,
        webhook_delivery_id=deliveries["nodes"][0]["id"],
    )
    for prefix, name in NODE_KEYS.items():
        assert prefix_of(getattr(keys, name)) == prefix
    a_ids = frozenset({getattr(keys, name) for name in NODE_KEYS.values()} | {second_item["id"]})
    assert len(a_ids) == len(NODE_KEYS) + 1
    a_ids |= {node["id"] for node in deliveries["nodes"]} | {endpoint_id}
    a_ids |= {keys.product_public_id, keys.account_id}
    return World(
        served=served, a=a, keys=keys, a_ids=a_ids, snapshot=await snapshot(a, keys, a_ids)
    )


async def make_own(b: Api, *, objects: bool) -> Own:
    """B's side of a probe; with `objects`, a fresh invoice and transaction unlike A's."""
    if not objects:
        return Own(workspace_id=b.workspace_id, new_key=key("globexnew"))
    invoice, transaction = await set_up(
        b,
        invoice_input(
            key("globexinv"),
            line_item(user=B_USER, description="Globex consulting", product_id="globex"),
            tags=[{"key": "project", "value": "globexproject"}],
        ),
        {
            "externalId": key("globextxn"),
            "amount": "500",
            "currency": "USD",
            "posted": "2026-01-12T00:00:00.000Z",
            "tags": [{"key": "batch", "value": "globexbatch"}],
        },
    )
    return Own(
        workspace_id=b.workspace_id,
        new_key=key("globexnew"),
        invoice_id=invoice["id"],
        invoice_key=invoice["invoiceId"],
        transaction_id=transaction["id"],
        transaction_key=transaction["externalId"],
    )


# --------------------------------------------------------------------------------------------
# Subscriptions: graphql-transport-ws spoken over ASGI to the same app (httpx has no WebSocket)

SOCKET_TIMEOUT = 5.0
SILENCE = 0.5
"""How long a subscription that should hear nothing is listened to."""


class Socket:
    """The client's end of a WebSocket to the app: JSON messages in and out."""

    def __init__(
        self, to_app: "asyncio.Queue[Message]", from_app: "asyncio.Queue[Message]"
    ) -> None:
        self._to_app = to_app
        self._from_app = from_app

    async def send(self, message: dict[str, Any]) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, within: float) -> dict[str, Any] | None:
        """The next graphql-transport-ws message; None when nothing comes `within` seconds."""
        try:
            event = await asyncio.wait_for(self._from_app.get(), within)
        except TimeoutError:
            return None
        if event["type"] == "websocket.close":
            return {"type": "<closed>", "code": event.get("code")}
        assert event["type"] == "websocket.send", event
        message: dict[str, Any] = json.loads(event["text"])
        return message


@asynccontextmanager
async def graphql_socket(app: Starlette, token: str) -> AsyncIterator[Socket]:
    """An acknowledged graphql-transport-ws connection on /graphql with the caller's token."""
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": ("test", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
    }
    await to_app.put({"type": "websocket.connect"})
    task = asyncio.create_task(app(scope, to_app.get, from_app.put))
    try:
        accepted = await asyncio.wait_for(from_app.get(), SOCKET_TIMEOUT)
        assert accepted["type"] == "websocket.accept", accepted
        assert accepted.get("subprotocol") == "graphql-transport-ws", accepted
        socket = Socket(to_app, from_app)
        await socket.send(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        ack = await socket.receive(SOCKET_TIMEOUT)
        assert ack is not None, "no connection_ack"
        assert ack["type"] == "connection_ack", ack
        yield socket
    finally:
        await to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, SOCKET_TIMEOUT)


SUBSCRIBE = "subscribe"


async def subscription_answer(
    app: Starlette, token: str, document: str, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every message of one operation over the socket until it completes, fails or closes;
    `<silence>` when nothing comes for SOCKET_TIMEOUT. Its callers' operations end by
    themselves (queries, refused subscriptions), so the wait is only a slow machine's."""
    messages: list[dict[str, Any]] = []
    async with graphql_socket(app, token) as socket:
        await socket.send(
            {"id": "1", "type": SUBSCRIBE, "payload": {"query": document, "variables": variables}}
        )
        while True:
            message = await socket.receive(SOCKET_TIMEOUT)
            if message is None:
                messages.append({"type": "<silence>"})
                break
            messages.append(message)
            if message["type"] in {"complete", "error", "<closed>"}:
                break
    return messages


# --------------------------------------------------------------------------------------------
# Comparing answers

GENERATED_ID = re.compile(
    r"\b(ws|cli|inv|li|usr|txn|pay|whe|whd|evt|cpn|promo|disc|prd|eac)_[a-z2-7]{20}\b"
)
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
REQUEST_ID = re.compile(r"request id [^)\s]+")
CURSORS = frozenset({"cursor", "startCursor", "endCursor"})


def strings(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, with the name of the field that holds it."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, field)


def assert_no_foreign_ids(answer: Any, a_ids: frozenset[str], variables: Mapping[str, Any]) -> None:
    """No public ID of A's anywhere in B's answer; a message may echo one that B sent."""
    sent = json.dumps(variables)
    for field, text in strings(answer):
        for a_id in a_ids:
            if a_id in text:
                where = f"B's answer shows A's {a_id} in {field!r}: {text!r}"
                assert field == "message", where
                assert a_id in sent, where


def without_cursors(value: Any) -> Any:
    """Cursors of B's own rows encode row ids, which differ between B's fresh objects."""
    if isinstance(value, dict):
        return {
            name: "<cursor>" if name in CURSORS and item is not None else without_cursors(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [without_cursors(item) for item in value]
    return value


def normalized(answer: Any, keys: Keys, own: Own) -> Any:
    """The answer with the probe's IDs and keys named, and server-made IDs and times masked."""
    text = json.dumps(without_cursors(answer), sort_keys=True)
    named = [*keys.named(), *own.named()]
    for name, value in sorted(named, key=lambda pair: -len(pair[1])):
        text = text.replace(value, f"<{name}>")
    text = GENERATED_ID.sub(r"\1_<new>", text)
    text = INSTANT.sub("<instant>", text)
    text = REQUEST_ID.sub("request id <id>", text)
    return json.loads(text)


def operation_of(document: str) -> OperationDefinitionNode:
    (operation,) = [
        definition
        for definition in parse(document).definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    return operation


async def probe(world: World, b: Api, case: Case, keys: Keys) -> Any:
    """B's answer to the case naming `keys`, checked, then normalized for comparison."""
    own = await make_own(b, objects=case.own)
    variables = case.variables(keys, own)
    answer: Any
    if operation_of(case.document).operation is OperationType.SUBSCRIPTION:
        answer = await subscription_answer(world.served.app, b.token, case.document, variables)
        data = answer
    else:
        response = await b.query(case.document, **variables)
        assert response.status == 200, response.body
        assert response.errors is None, response.errors
        answer, data = {"status": response.status, "body": response.body}, response.data
    assert_no_foreign_ids(answer, world.a_ids, variables)
    case.expect(data, keys, own)
    return normalized(answer, keys, own)


# --------------------------------------------------------------------------------------------
# The tests


def root_fields(operation: OperationType) -> set[str]:
    graphql_schema = schema._schema
    root: GraphQLObjectType | None = {
        OperationType.QUERY: graphql_schema.query_type,
        OperationType.MUTATION: graphql_schema.mutation_type,
        OperationType.SUBSCRIPTION: graphql_schema.subscription_type,
    }[operation]
    return set() if root is None else set(root.fields)


def test_the_table_covers_every_root_field_of_the_served_schema() -> None:
    served = {
        (operation, field)
        for operation in (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)
        for field in root_fields(operation)
    }
    assert served, "the served schema has no root fields"
    covered: set[tuple[OperationType, str]] = set()
    for case in CASES:
        assert validate(schema._schema, parse(case.document)) == [], case.id
        operation = operation_of(case.document)
        selected = {
            selection.name.value
            for selection in operation.selection_set.selections
            if isinstance(selection, FieldNode)
        }
        assert case.field in selected, f"{case.id} does not select {case.field}"
        covered.add((operation.operation, case.field))
    assert covered == served, {
        "without an isolation case": sorted(f"{op.value}.{f}" for op, f in served - covered),
        "not in the schema": sorted(f"{op.value}.{f}" for op, f in covered - served),
    }


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_another_workspace_sees_a_only_as_unknown(
    case: Case, world: World, b_api: Api
) -> None:
    keys, unknown = world.keys, world.keys.never_existing()
    assert set(astuple(keys)).isdisjoint(astuple(unknown))

    assert await probe(world, b_api, case, keys) == await probe(world, b_api, case, unknown)

    # A's objects are as they were; a change is blamed on this case alone
    after = await snapshot(world.a, keys, world.a_ids)
    before, world.snapshot = world.snapshot, after
    assert after == before


@pytest.mark.asyncio(loop_scope="module")
async def test_a_subscription_to_every_event_hears_only_its_own_workspace(
    served: Served, b_api: Api
) -> None:
    """While B listens to all its events, another workspace writes and then B does: B hears
    exactly its own write. (The writer is a third workspace, so that A stays as it is.)"""
    writer = await served.workspace("Initech billing")
    async with graphql_socket(served.app, b_api.token) as socket:
        await socket.send(
            {"id": "1", "type": SUBSCRIBE, "payload": {"query": EVENTS, "variables": {}}}
        )
        await asyncio.sleep(0.1)  # in-process: the subscription is listening by now
        their, _ = await set_up(
            writer,
            invoice_input(key("initechinv")),
            {
                "externalId": key("initechtxn"),
                "amount": "400",
                "currency": "USD",
                "posted": "2026-01-12T00:00:00.000Z",
            },
        )
        data = await writer.ok(
            SETUP_UPDATE,
            input={
                "id": their["id"],
                "expectedVersion": 1,
                "tags": {"set": [{"key": "heard", "value": "nobody"}]},
            },
        )
        assert data["updateInvoice"]["__typename"] == "UpdateInvoiceResult"
        data = await writer.ok(TRANSITION_VOID, input={"id": their["id"]})
        assert data["voidInvoice"]["__typename"] == "InvoiceTransitionResult"
        own = await make_own(b_api, objects=True)
        heard = await socket.receive(SOCKET_TIMEOUT)
        assert heard is not None, "B heard nothing of its own write"
        assert heard["payload"]["data"]["invoiceEvents"] == {
            "type": "CREATED",
            "version": 1,
            "invoice": {
                "id": own.invoice_id,
                "invoiceId": own.invoice_key,
                "workspaceId": b_api.workspace_id,
                "status": "OPEN",
                "version": 1,
            },
        }
        assert await socket.receive(SILENCE) is None
