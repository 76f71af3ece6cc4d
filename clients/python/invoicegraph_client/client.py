from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .create_invoice import CreateInvoice
from .input_types import CreateInvoiceInput, RecordTransactionInput, UpdateInvoiceInput
from .invoice_by_key import InvoiceByKey
from .invoice_history import InvoiceHistory
from .open_invoices import OpenInvoices
from .record_transaction import RecordTransaction
from .update_invoice import UpdateInvoice


def gql(q: str) -> str:
    return q


class InvoicegraphClient(AsyncBaseClient):
    async def create_invoice(
        self, input: CreateInvoiceInput, **kwargs: Any
    ) -> CreateInvoice:
        query = gql("""
            mutation CreateInvoice($input: CreateInvoiceInput!) {
              createInvoice(input: $input) {
                __typename
                ... on CreateInvoiceResult {
                  isIkReplay
                  invoice {
                    id
                    invoiceId
                    status
                    version
                    lineItems {
                      id
                      description
                      price {
                        amount
                      }
                    }
                  }
                }
                ... on BadRequestError {
                  fieldErrors {
                    field
                    message
                  }
                }
                ... on Error {
                  code
                  message
                  retryable
                }
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="CreateInvoice", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateInvoice.model_validate(data)

    async def invoice_by_key(self, invoice_id: str, **kwargs: Any) -> InvoiceByKey:
        query = gql("""
            query InvoiceByKey($invoiceId: String!) {
              invoice(invoice: {invoiceId: $invoiceId}) {
                id
                invoiceId
                status
                version
                created
                modified
                tags {
                  key
                  value
                }
                lineItems {
                  id
                  description
                  productId
                  type
                  currency
                  price {
                    amount
                    quantity
                    unitPrice
                  }
                  user {
                    id
                    externalId
                  }
                }
                balances {
                  currency
                  payins {
                    expected
                    actual
                    remaining
                  }
                  payouts {
                    expected
                    actual
                    remaining
                  }
                  net {
                    expected
                    actual
                    remaining
                  }
                }
                users {
                  user {
                    externalId
                  }
                  balances {
                    currency
                    net {
                      remaining
                    }
                  }
                }
                payments {
                  id
                  type
                  amount
                  currency
                  transaction {
                    externalId
                  }
                  user {
                    externalId
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"invoiceId": invoice_id}
        response = await self.execute(
            query=query, operation_name="InvoiceByKey", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return InvoiceByKey.model_validate(data)

    async def invoice_history(
        self, id: str, first: Union[Optional[int], UnsetType] = UNSET, **kwargs: Any
    ) -> InvoiceHistory:
        query = gql("""
            query InvoiceHistory($id: ID!, $first: Int = 10) {
              invoice(invoice: {id: $id}) {
                invoiceId
                version
                history(first: $first) {
                  nodes {
                    version
                    modified
                    status
                    changes {
                      __typename
                      ... on LineItemAdded {
                        lineItem {
                          lineItemId
                          description
                          price {
                            amount
                          }
                        }
                      }
                      ... on LineItemUpdated {
                        lineItemId
                        oldPrice {
                          amount
                        }
                        newPrice {
                          amount
                        }
                      }
                      ... on LineItemDeleted {
                        lineItem {
                          lineItemId
                          description
                        }
                      }
                      ... on TagsChanged {
                        newTags {
                          key
                          value
                        }
                      }
                      ... on StatusChanged {
                        from
                        to
                      }
                    }
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id, "first": first}
        response = await self.execute(
            query=query, operation_name="InvoiceHistory", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return InvoiceHistory.model_validate(data)

    async def open_invoices(
        self,
        first: Union[Optional[int], UnsetType] = UNSET,
        after: Union[Optional[str], UnsetType] = UNSET,
        search: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> OpenInvoices:
        query = gql("""
            query OpenInvoices($first: Int = 20, $after: String, $search: String) {
              invoices(
                first: $first
                after: $after
                filter: {status: {in: [OPEN, UNCOLLECTIBLE]}, hasRemaining: true, search: $search}
                orderBy: {field: CREATED, direction: DESC}
              ) {
                totalCount
                pageInfo {
                  hasNextPage
                  endCursor
                }
                nodes {
                  id
                  invoiceId
                  status
                  balances {
                    currency
                    payins {
                      remaining
                    }
                    payouts {
                      remaining
                    }
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {
            "first": first,
            "after": after,
            "search": search,
        }
        response = await self.execute(
            query=query, operation_name="OpenInvoices", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return OpenInvoices.model_validate(data)

    async def record_transaction(
        self, input: RecordTransactionInput, **kwargs: Any
    ) -> RecordTransaction:
        query = gql("""
            mutation RecordTransaction($input: RecordTransactionInput!) {
              recordTransaction(input: $input) {
                __typename
                ... on RecordTransactionResult {
                  isIkReplay
                  transaction {
                    id
                    externalId
                    amount
                    unallocatedAmount
                    allocations {
                      id
                      amount
                      type
                      invoice {
                        invoiceId
                        status
                      }
                    }
                  }
                }
                ... on BadRequestError {
                  fieldErrors {
                    field
                    message
                  }
                }
                ... on Error {
                  code
                  message
                  retryable
                }
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query,
            operation_name="RecordTransaction",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return RecordTransaction.model_validate(data)

    async def update_invoice(
        self, input: UpdateInvoiceInput, **kwargs: Any
    ) -> UpdateInvoice:
        query = gql("""
            mutation UpdateInvoice($input: UpdateInvoiceInput!) {
              updateInvoice(input: $input) {
                __typename
                ... on UpdateInvoiceResult {
                  invoice {
                    id
                    version
                    status
                    lineItems {
                      id
                      description
                      price {
                        amount
                        quantity
                        unitPrice
                      }
                    }
                    balances {
                      currency
                      payins {
                        expected
                        actual
                        remaining
                      }
                    }
                  }
                }
                ... on VersionConflictError {
                  expectedVersion
                  currentVersion
                }
                ... on BadRequestError {
                  fieldErrors {
                    field
                    message
                  }
                }
                ... on Error {
                  code
                  message
                  retryable
                }
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="UpdateInvoice", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return UpdateInvoice.model_validate(data)
