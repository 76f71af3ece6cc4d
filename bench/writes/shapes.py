"""The one invoice shape every write of bench/writes makes, and the GraphQL documents.

An invoice has 3 line items (two payins of a customer, one payout to a partner, all USD) and
2 tags, like a monthly subscription bill with a reseller's share. The same shape goes through
the API (the wrk script fills the template below), through createInvoices when invoices are
made in advance, and into the raw storage floor (bench/writes/floor.py).
"""

import json
from dataclasses import dataclass
from typing import Any

CUSTOMERS = 200
PARTNERS = 20
BATCH = 500
"""Invoices per createInvoices request: the most it takes."""


@dataclass(frozen=True, slots=True)
class Item:
    description: str
    product_id: str
    type: str
    customer: bool
    """The line item's user: the invoice's customer (True) or its partner."""
    unit_price: int
    quantity: int

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity

    def price(self) -> dict[str, Any]:
        """The PriceInput: amount alone for a quantity of 1, else unitPrice and quantity."""
        if self.quantity == 1:
            return {"amount": str(self.amount)}
        return {"unitPrice": str(self.unit_price), "quantity": self.quantity}


ITEMS = (
    Item("Pro plan, monthly", "plan_pro", "PAYIN", True, 4900, 1),
    Item("Additional seats", "seat", "PAYIN", True, 1500, 3),
    Item("Partner revenue share", "partner_share", "PAYOUT", False, 700, 1),
)
UPDATED_ITEM = 1
"""updateInvoice changes the price of this line item (the seats)."""
TAGS = (("region", "eu-west"), ("plan", "pro"))


def customer(number: int) -> str:
    return f"cust_{number % CUSTOMERS:03d}"


def partner(number: int) -> str:
    return f"partner_{number % PARTNERS:02d}"


def invoice_input(invoice_id: str, number: int) -> dict[str, Any]:
    """CreateInvoiceInput for invoice `number` of a run."""
    return {
        "invoiceId": invoice_id,
        "lineItems": [
            {
                "description": item.description,
                "productId": item.product_id,
                "type": item.type,
                "currency": "USD",
                "user": {"externalId": customer(number) if item.customer else partner(number)},
                "price": item.price(),
            }
            for item in ITEMS
        ],
        "tags": [{"key": key, "value": value} for key, value in TAGS],
    }


ID_MARK = "@ID@"
CUSTOMER_MARK = "@CUSTOMER@"
PARTNER_MARK = "@PARTNER@"


def invoice_template() -> str:
    """invoice_input as compact JSON with marks in place of the id and the users, which the wrk
    script replaces for each invoice."""
    text = json.dumps(invoice_input(ID_MARK, 0), separators=(",", ":"))
    text = text.replace(customer(0), CUSTOMER_MARK).replace(partner(0), PARTNER_MARK)
    assert text.count(CUSTOMER_MARK) == 2, text
    assert text.count(PARTNER_MARK) == 1, text
    return text


CREATE_INVOICE = """
mutation BenchCreateInvoice($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    __typename
    ... on CreateInvoiceResult { isIkReplay invoice { id version } }
    ... on Error { code message }
  }
}
"""

CREATE_INVOICES = """
mutation BenchCreateInvoices($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      createdCount
      replayedCount
      refusedCount
      results {
        __typename
        ... on CreateInvoiceResult { isIkReplay }
        ... on Error { code message }
      }
    }
    ... on Error { code message }
  }
}
"""
"""As `invoicegraph import` asks it: every item's outcome, no invoice fields."""

PRECREATE_INVOICES = """
mutation BenchPrecreate($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      createdCount
      results {
        __typename
        ... on CreateInvoiceResult { invoice { id invoiceId lineItems { id description } } }
        ... on Error { code message }
      }
    }
    ... on Error { code message }
  }
}
"""

UPDATE_INVOICE = """
mutation BenchUpdateInvoice($input: UpdateInvoiceInput!) {
  updateInvoice(input: $input) {
    __typename
    ... on UpdateInvoiceResult { invoice { id version } }
    ... on Error { code message }
  }
}
"""

RECORD_TRANSACTION = """
mutation BenchRecordTransaction($input: RecordTransactionInput!) {
  recordTransaction(input: $input) {
    __typename
    ... on RecordTransactionResult { isIkReplay transaction { id unallocatedAmount } }
    ... on Error { code message }
  }
}
"""
