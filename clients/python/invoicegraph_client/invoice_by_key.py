from typing import Annotated, Optional

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import CurrencyCode, FlowType, InvoiceStatus
from .scalars import (
    Int96,
    UtcDateTime,
    parse_datetime,
    parse_int96,
)


class InvoiceByKey(BaseModel):
    invoice: Optional["InvoiceByKeyInvoice"]


class InvoiceByKeyInvoice(BaseModel):
    id: str
    invoice_id: str = Field(alias="invoiceId")
    status: InvoiceStatus
    version: int
    created: Annotated[UtcDateTime, BeforeValidator(parse_datetime)]
    modified: Annotated[UtcDateTime, BeforeValidator(parse_datetime)]
    tags: list["InvoiceByKeyInvoiceTags"]
    line_items: list["InvoiceByKeyInvoiceLineItems"] = Field(alias="lineItems")
    balances: list["InvoiceByKeyInvoiceBalances"]
    users: list["InvoiceByKeyInvoiceUsers"]
    payments: list["InvoiceByKeyInvoicePayments"]


class InvoiceByKeyInvoiceTags(BaseModel):
    key: str
    value: str


class InvoiceByKeyInvoiceLineItems(BaseModel):
    id: str
    description: str
    product_id: str = Field(alias="productId")
    type_: FlowType = Field(alias="type")
    currency: CurrencyCode
    price: "InvoiceByKeyInvoiceLineItemsPrice"
    user: "InvoiceByKeyInvoiceLineItemsUser"


class InvoiceByKeyInvoiceLineItemsPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]
    quantity: int
    unit_price: Annotated[Int96, BeforeValidator(parse_int96)] = Field(
        alias="unitPrice"
    )


class InvoiceByKeyInvoiceLineItemsUser(BaseModel):
    id: str
    external_id: str = Field(alias="externalId")


class InvoiceByKeyInvoiceBalances(BaseModel):
    currency: CurrencyCode
    payins: "InvoiceByKeyInvoiceBalancesPayins"
    payouts: "InvoiceByKeyInvoiceBalancesPayouts"
    net: "InvoiceByKeyInvoiceBalancesNet"


class InvoiceByKeyInvoiceBalancesPayins(BaseModel):
    expected: Annotated[Int96, BeforeValidator(parse_int96)]
    actual: Annotated[Int96, BeforeValidator(parse_int96)]
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceByKeyInvoiceBalancesPayouts(BaseModel):
    expected: Annotated[Int96, BeforeValidator(parse_int96)]
    actual: Annotated[Int96, BeforeValidator(parse_int96)]
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceByKeyInvoiceBalancesNet(BaseModel):
    expected: Annotated[Int96, BeforeValidator(parse_int96)]
    actual: Annotated[Int96, BeforeValidator(parse_int96)]
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceByKeyInvoiceUsers(BaseModel):
    user: "InvoiceByKeyInvoiceUsersUser"
    balances: list["InvoiceByKeyInvoiceUsersBalances"]


class InvoiceByKeyInvoiceUsersUser(BaseModel):
    external_id: str = Field(alias="externalId")


class InvoiceByKeyInvoiceUsersBalances(BaseModel):
    currency: CurrencyCode
    net: "InvoiceByKeyInvoiceUsersBalancesNet"


class InvoiceByKeyInvoiceUsersBalancesNet(BaseModel):
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceByKeyInvoicePayments(BaseModel):
    id: str
    type_: FlowType = Field(alias="type")
    amount: Annotated[Int96, BeforeValidator(parse_int96)]
    currency: CurrencyCode
    transaction: "InvoiceByKeyInvoicePaymentsTransaction"
    user: "InvoiceByKeyInvoicePaymentsUser"


class InvoiceByKeyInvoicePaymentsTransaction(BaseModel):
    external_id: str = Field(alias="externalId")


class InvoiceByKeyInvoicePaymentsUser(BaseModel):
    external_id: str = Field(alias="externalId")


InvoiceByKey.model_rebuild()
InvoiceByKeyInvoice.model_rebuild()
InvoiceByKeyInvoiceLineItems.model_rebuild()
InvoiceByKeyInvoiceBalances.model_rebuild()
InvoiceByKeyInvoiceUsers.model_rebuild()
InvoiceByKeyInvoiceUsersBalances.model_rebuild()
InvoiceByKeyInvoicePayments.model_rebuild()
