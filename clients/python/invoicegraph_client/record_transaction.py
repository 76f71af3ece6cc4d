from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import ErrorCode, FlowType, InvoiceStatus
from .scalars import Int96, parse_int96


class RecordTransaction(BaseModel):
    record_transaction: Union[
        "RecordTransactionRecordTransactionRecordTransactionResult",
        "RecordTransactionRecordTransactionBadRequestError",
        "RecordTransactionRecordTransactionNotFoundError",
        "RecordTransactionRecordTransactionInvalidStateError",
        "RecordTransactionRecordTransactionIkConflictError",
        "RecordTransactionRecordTransactionInternalError",
    ] = Field(alias="recordTransaction", discriminator="typename__")


class RecordTransactionRecordTransactionRecordTransactionResult(BaseModel):
    typename__: Literal["RecordTransactionResult"] = Field(alias="__typename")
    is_ik_replay: bool = Field(alias="isIkReplay")
    transaction: "RecordTransactionRecordTransactionRecordTransactionResultTransaction"


class RecordTransactionRecordTransactionRecordTransactionResultTransaction(BaseModel):
    id: str
    external_id: str = Field(alias="externalId")
    amount: Annotated[Int96, BeforeValidator(parse_int96)]
    unallocated_amount: Annotated[Int96, BeforeValidator(parse_int96)] = Field(
        alias="unallocatedAmount"
    )
    allocations: list[
        "RecordTransactionRecordTransactionRecordTransactionResultTransactionAllocations"
    ]


class RecordTransactionRecordTransactionRecordTransactionResultTransactionAllocations(
    BaseModel
):
    id: str
    amount: Annotated[Int96, BeforeValidator(parse_int96)]
    type_: FlowType = Field(alias="type")
    invoice: "RecordTransactionRecordTransactionRecordTransactionResultTransactionAllocationsInvoice"


class RecordTransactionRecordTransactionRecordTransactionResultTransactionAllocationsInvoice(
    BaseModel
):
    invoice_id: str = Field(alias="invoiceId")
    status: InvoiceStatus


class RecordTransactionRecordTransactionBadRequestError(BaseModel):
    typename__: Literal["BadRequestError"] = Field(alias="__typename")
    field_errors: list[
        "RecordTransactionRecordTransactionBadRequestErrorFieldErrors"
    ] = Field(alias="fieldErrors")
    code: ErrorCode
    message: str
    retryable: bool


class RecordTransactionRecordTransactionBadRequestErrorFieldErrors(BaseModel):
    field: list[str]
    message: str


class RecordTransactionRecordTransactionNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class RecordTransactionRecordTransactionInvalidStateError(BaseModel):
    typename__: Literal["InvalidStateError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class RecordTransactionRecordTransactionIkConflictError(BaseModel):
    typename__: Literal["IkConflictError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


class RecordTransactionRecordTransactionInternalError(BaseModel):
    typename__: Literal["InternalError"] = Field(alias="__typename")
    code: ErrorCode
    message: str
    retryable: bool


RecordTransaction.model_rebuild()
RecordTransactionRecordTransactionRecordTransactionResult.model_rebuild()
RecordTransactionRecordTransactionRecordTransactionResultTransaction.model_rebuild()
RecordTransactionRecordTransactionRecordTransactionResultTransactionAllocations.model_rebuild()
RecordTransactionRecordTransactionBadRequestError.model_rebuild()
