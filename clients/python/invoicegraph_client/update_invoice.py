from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import CurrencyCode, ErrorCode, InvoiceStatus
from .scalars import Int96, parse_int96


class UpdateInvoice(BaseModel):
    update_invoice: Union[
        "UpdateInvoiceUpdateInvoiceUpdateInvoiceResult",
        "UpdateInvoiceUpdateInvoiceBadRequestError",
        "UpdateInvoiceUpdateInvoiceNotFoundError",
        "UpdateInvoiceUpdateInvoiceVersionConflictError",
        "UpdateInvoiceUpdateInvoiceInvalidStateError",
        "UpdateInvoiceUpdateInvoiceInternalError",
    ] = Field(alias="updateInvoice", discriminator="typename__")


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResult(BaseModel):
    typename__: Literal["UpdateInvoiceResult"] = Field(alias="__typename")
    invoice: "UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoice"


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoice(BaseModel):
    id: str
    version: int
    status: InvoiceStatus
    line_items: list[
        "UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceLineItems"
    ] = Field(alias="lineItems")
    balances: list["UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceBalances"]


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceLineItems(BaseModel):
    id: str
    description: str
    price: "UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceLineItemsPrice"


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceLineItemsPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]
    quantity: int
    unit_price: Annotated[Int96, BeforeValidator(parse_int96)] = Field(
        alias="unitPrice"
    )


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceBalances(BaseModel):
    currency: CurrencyCode
    payins: "UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceBalancesPayins"


class UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceBalancesPayins(BaseModel):
    expected: Annotated[Int96, BeforeValidator(parse_int96)]
    actual: Annotated[Int96, BeforeValidator(parse_int96)]
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class UpdateInvoiceUpdateInvoiceBadRequestError(BaseModel):
    typename__: Literal["BadRequestError"] = Field(alias="__typename")
    field_errors: list["UpdateInvoiceUpdateInvoiceBadRequestErrorFieldErrors"] = Field(
        alias="fieldErrors"
    )
    code: ErrorCode
    message: str
    retryable: bool


class UpdateInvoiceUpdateInvoiceBadRequestErrorFieldErrors(BaseModel):
    field: list[str]
    message: str


class UpdateInvoiceUpdateInvoiceNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class UpdateInvoiceUpdateInvoiceVersionConflictError(BaseModel):
    typename__: Literal["VersionConflictError"] = Field(alias="__typename")
    expected_version: int = Field(alias="expectedVersion")
    current_version: int = Field(alias="currentVersion")
    code: ErrorCode
    message: str
    retryable: bool


class UpdateInvoiceUpdateInvoiceInvalidStateError(BaseModel):
    typename__: Literal["InvalidStateError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class UpdateInvoiceUpdateInvoiceInternalError(BaseModel):
    typename__: Literal["InternalError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


UpdateInvoice.model_rebuild()
UpdateInvoiceUpdateInvoiceUpdateInvoiceResult.model_rebuild()
UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoice.model_rebuild()
UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceLineItems.model_rebuild()
UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoiceBalances.model_rebuild()
UpdateInvoiceUpdateInvoiceBadRequestError.model_rebuild()
