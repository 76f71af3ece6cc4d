"""GraphQL documents the tests send, written once."""

from typing import Any

INVOICE_FIELDS = """
fragment InvoiceFields on Invoice {
  id invoiceId workspaceId status version created modified
  tags { key value }
  lineItems {
    id description productId type currency
    price { amount quantity unitPrice }
    user { id externalId }
    tags { key value }
  }
  balances {
    currency
    payins { expected actual remaining }
    payouts { expected actual remaining }
    net { expected actual remaining }
  }
  users {
    user { externalId }
    balances {
      currency
      payins { expected actual remaining }
      payouts { expected actual remaining }
      net { expected actual remaining }
    }
  }
}
"""

CREATE_INVOICE = (
    """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult { isIkReplay invoice { ...InvoiceFields } }
    ... on Error { code message retryable }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""
    + INVOICE_FIELDS
)

INVOICE_BY_KEY = (
    """
query ByKey($invoiceId: String!) {
  invoice(invoice: {invoiceId: $invoiceId}) { ...InvoiceFields }
}
"""
    + INVOICE_FIELDS
)

INVOICE_BY_ID = (
    """
query ById($id: ID!) {
  invoice(invoice: {id: $id}) { ...InvoiceFields }
}
"""
    + INVOICE_FIELDS
)

INVOICE_PAGE = (
    """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  invoices(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { invoiceId } }
    nodes { ...InvoiceFields }
  }
}
"""
    + INVOICE_FIELDS
)


def line_item(
    *,
    amount: str | None = "1000",
    user: str = "user_abc123",
    type: str = "PAYIN",
    currency: str = "USD",
    description: str = "Professional services",
    product_id: str = "prod_1",
    **price: Any,
) -> dict[str, Any]:
    return {
        "description": description,
        "productId": product_id,
        "type": type,
        "user": {"externalId": user},
        "currency": currency,
        "price": {"amount": amount, **price} if amount is not None else price,
    }


def invoice_input(invoice_id: str, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"invoiceId": invoice_id, "lineItems": list(items) or [line_item()], **extra}


async def make_invoices(
    api: Any, count: int, *, line_items_each: int = 1, prefix: str = "inv"
) -> list[str]:
    """Create `count` invoices through the API, each with its own user; return their invoiceIds."""
    keys = [f"{prefix}-{index:04d}" for index in range(count)]
    for index, key in enumerate(keys):
        items = [
            line_item(amount=str(100 + n), user=f"user-{index}-{n % 2}", product_id=f"p{n}")
            for n in range(line_items_each)
        ]
        data = await api.ok(
            CREATE_INVOICE_MINIMAL,
            input=invoice_input(key, *items, tags=[{"key": "n", "value": str(index)}]),
        )
        assert data["createInvoice"]["__typename"] == "CreateInvoiceResult"
    return keys


CREATE_INVOICE_MINIMAL = """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) { __typename }
}
"""


UPDATE_INVOICE = (
    """
mutation Update($input: UpdateInvoiceInput!) {
  updateInvoice(input: $input) {
    __typename
    ... on UpdateInvoiceResult { invoice { ...InvoiceFields } }
    ... on Error { code message retryable }
    ... on BadRequestError { fieldErrors { field message } }
    ... on VersionConflictError { expectedVersion currentVersion }
    ... on InvalidStateError { status }
  }
}
"""
    + INVOICE_FIELDS
)

HISTORY = """
query History($id: ID!, $first: Int, $after: String) {
  invoice(invoice: {id: $id}) {
    version
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes {
        version modified status
        tags { key value }
        lineItems {
          lineItemId description productId type currency
          price { amount quantity unitPrice }
          user { externalId }
          tags { key value }
        }
        changes {
          __typename
          ... on LineItemAdded { lineItem { lineItemId description price { amount } } }
          ... on LineItemDeleted { lineItem { lineItemId description } }
          ... on LineItemUpdated {
            lineItemId oldDescription newDescription
            oldPrice { amount quantity unitPrice } newPrice { amount quantity unitPrice }
            oldTags { key value } newTags { key value }
          }
          ... on TagsChanged { oldTags { key value } newTags { key value } }
          ... on StatusChanged { from to }
        }
      }
    }
  }
}
"""


TRANSACTION_FIELDS = """
fragment TransactionFields on Transaction {
  id externalId amount currency posted version unallocatedAmount
  tags { key value }
  allocations {
    id type amount currency posted
    user { externalId }
    transaction { externalId }
    invoice { invoiceId status version }
  }
}
"""

RECORD_TRANSACTION = (
    """
mutation Record($input: RecordTransactionInput!) {
  recordTransaction(input: $input) {
    __typename
    ... on RecordTransactionResult { isIkReplay transaction { ...TransactionFields } }
    ... on Error { code message retryable }
    ... on BadRequestError { fieldErrors { field message } }
    ... on InvalidStateError { status }
  }
}
"""
    + TRANSACTION_FIELDS
)

UPDATE_ALLOCATIONS = (
    """
mutation Allocate($input: UpdateAllocationsInput!) {
  updateAllocations(input: $input) {
    __typename
    ... on UpdateAllocationsResult { transaction { ...TransactionFields } }
    ... on Error { code message retryable }
    ... on BadRequestError { fieldErrors { field message } }
    ... on VersionConflictError { expectedVersion currentVersion }
    ... on InvalidStateError { status }
  }
}
"""
    + TRANSACTION_FIELDS
)

TRANSITION = """
mutation Transition(
  $input: InvoiceTransitionInput!, $finalize: Boolean! = false, $void: Boolean! = false,
  $uncollectible: Boolean! = false
) {
  finalize: finalizeInvoice(input: $input) @include(if: $finalize) { ...Outcome }
  void: voidInvoice(input: $input) @include(if: $void) { ...Outcome }
  uncollectible: markInvoiceUncollectible(input: $input) @include(if: $uncollectible) { ...Outcome }
}
fragment Outcome on InvoiceTransitionResponse {
  __typename
  ... on InvoiceTransitionResult { invoice { status version } }
  ... on Error { code message }
  ... on InvalidStateError { status }
  ... on VersionConflictError { expectedVersion currentVersion }
}
"""


def allocation(
    invoice_id: str, amount: str, *, user: str = "user_abc123", type: str = "PAYIN"
) -> dict[str, Any]:
    return {
        "invoice": {"invoiceId": invoice_id},
        "type": type,
        "user": {"externalId": user},
        "amount": amount,
    }


def transaction_input(
    external_id: str, amount: str, *allocations: dict[str, Any], currency: str = "USD", **extra: Any
) -> dict[str, Any]:
    return {
        "externalId": external_id,
        "amount": amount,
        "currency": currency,
        "posted": "2026-01-13T00:00:00.000Z",
        "allocations": list(allocations),
        **extra,
    }
