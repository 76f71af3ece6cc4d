from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import ErrorCode, InvoiceStatus
from .scalars import Int96, parse_int96


class CreateInvoice(BaseModel):
    create_invoice: Union[
        "CreateInvoiceCreateInvoiceCreateInvoiceResult",
        "CreateInvoiceCreateInvoiceBadRequestError",
        "CreateInvoiceCreateInvoiceIkConflictError",
        "CreateInvoiceCreateInvoiceInternalError",
    ] = Field(alias="createInvoice", discriminator="typename__")


class CreateInvoiceCreateInvoiceCreateInvoiceResult(BaseModel):
    typename__: Literal["CreateInvoiceResult"] = Field(alias="__typename")
    is_ik_replay: bool = Field(alias="isIkReplay")
    invoice: "CreateInvoiceCreateInvoiceCreateInvoiceResultInvoice"


class CreateInvoiceCreateInvoiceCreateInvoiceResultInvoice(BaseModel):
    id: str
    invoice_id: str = Field(alias="invoiceId")
    status: InvoiceStatus
    version: int
    line_items: list[
        "CreateInvoiceCreateInvoiceCreateInvoiceResultInvoiceLineItems"
    ] = Field(alias="lineItems")


class CreateInvoiceCreateInvoiceCreateInvoiceResultInvoiceLineItems(BaseModel):
    id: str
    description: str
    price: "CreateInvoiceCreateInvoiceCreateInvoiceResultInvoiceLineItemsPrice"


class CreateInvoiceCreateInvoiceCreateInvoiceResultInvoiceLineItemsPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]


class CreateInvoiceCreateInvoiceBadRequestError(BaseModel):
    typename__: Literal["BadRequestError"] = Field(alias="__typename")
    field_errors: list["CreateInvoiceCreateInvoiceBadRequestErrorFieldErrors"] = Field(
        alias="fieldErrors"
    )
    code: ErrorCode
    message: str
    retryable: bool


class CreateInvoiceCreateInvoiceBadRequestErrorFieldErrors(BaseModel):
    field: list[str]
    message: str


class CreateInvoiceCreateInvoiceIkConflictError(BaseModel):
    typename__: Literal["IkConflictError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class CreateInvoiceCreateInvoiceInternalError(BaseModel):
    typename__: Literal["InternalError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


CreateInvoice.model_rebuild()
CreateInvoiceCreateInvoiceCreateInvoiceResult.model_rebuild()
CreateInvoiceCreateInvoiceCreateInvoiceResultInvoice.model_rebuild()
CreateInvoiceCreateInvoiceCreateInvoiceResultInvoiceLineItems.model_rebuild()
CreateInvoiceCreateInvoiceBadRequestError.model_rebuild()
