from typing import Annotated, Literal, Optional, Union

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import InvoiceStatus
from .scalars import Int96, UtcDateTime, parse_datetime, parse_int96


class InvoiceHistory(BaseModel):
    invoice: Optional["InvoiceHistoryInvoice"]


class InvoiceHistoryInvoice(BaseModel):
    invoice_id: str = Field(alias="invoiceId")
    version: int
    history: "InvoiceHistoryInvoiceHistory"


class InvoiceHistoryInvoiceHistory(BaseModel):
    nodes: list["InvoiceHistoryInvoiceHistoryNodes"]


class InvoiceHistoryInvoiceHistoryNodes(BaseModel):
    version: int
    modified: Annotated[UtcDateTime, BeforeValidator(parse_datetime)]
    status: InvoiceStatus
    changes: list[
        Annotated[
            Union[
                "InvoiceHistoryInvoiceHistoryNodesChangesLineItemAdded",
                "InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdated",
                "InvoiceHistoryInvoiceHistoryNodesChangesLineItemDeleted",
                "InvoiceHistoryInvoiceHistoryNodesChangesTagsChanged",
                "InvoiceHistoryInvoiceHistoryNodesChangesStatusChanged",
                "InvoiceHistoryInvoiceHistoryNodesChangesDiscountApplied",
            ],
            Field(discriminator="typename__"),
        ]
    ]


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemAdded(BaseModel):
    typename__: Literal["LineItemAdded"] = Field(alias="__typename")
    line_item: "InvoiceHistoryInvoiceHistoryNodesChangesLineItemAddedLineItem" = Field(
        alias="lineItem"
    )


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemAddedLineItem(BaseModel):
    line_item_id: str = Field(alias="lineItemId")
    description: str
    price: "InvoiceHistoryInvoiceHistoryNodesChangesLineItemAddedLineItemPrice"


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemAddedLineItemPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdated(BaseModel):
    typename__: Literal["LineItemUpdated"] = Field(alias="__typename")
    line_item_id: str = Field(alias="lineItemId")
    old_price: "InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdatedOldPrice" = (
        Field(alias="oldPrice")
    )
    new_price: "InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdatedNewPrice" = (
        Field(alias="newPrice")
    )


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdatedOldPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdatedNewPrice(BaseModel):
    amount: Annotated[Int96, BeforeValidator(parse_int96)]


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemDeleted(BaseModel):
    typename__: Literal["LineItemDeleted"] = Field(alias="__typename")
    line_item: "InvoiceHistoryInvoiceHistoryNodesChangesLineItemDeletedLineItem" = (
        Field(alias="lineItem")
    )


class InvoiceHistoryInvoiceHistoryNodesChangesLineItemDeletedLineItem(BaseModel):
    line_item_id: str = Field(alias="lineItemId")
    description: str


class InvoiceHistoryInvoiceHistoryNodesChangesTagsChanged(BaseModel):
    typename__: Literal["TagsChanged"] = Field(alias="__typename")
    new_tags: list["InvoiceHistoryInvoiceHistoryNodesChangesTagsChangedNewTags"] = (
        Field(alias="newTags")
    )


class InvoiceHistoryInvoiceHistoryNodesChangesTagsChangedNewTags(BaseModel):
    key: str
    value: str


class InvoiceHistoryInvoiceHistoryNodesChangesStatusChanged(BaseModel):
    typename__: Literal["StatusChanged"] = Field(alias="__typename")
    from_: InvoiceStatus = Field(alias="from")
    to: InvoiceStatus


class InvoiceHistoryInvoiceHistoryNodesChangesDiscountApplied(BaseModel):
    typename__: Literal["DiscountApplied"] = Field(alias="__typename")


InvoiceHistory.model_rebuild()
InvoiceHistoryInvoice.model_rebuild()
InvoiceHistoryInvoiceHistory.model_rebuild()
InvoiceHistoryInvoiceHistoryNodes.model_rebuild()
InvoiceHistoryInvoiceHistoryNodesChangesLineItemAdded.model_rebuild()
InvoiceHistoryInvoiceHistoryNodesChangesLineItemAddedLineItem.model_rebuild()
InvoiceHistoryInvoiceHistoryNodesChangesLineItemUpdated.model_rebuild()
InvoiceHistoryInvoiceHistoryNodesChangesLineItemDeleted.model_rebuild()
InvoiceHistoryInvoiceHistoryNodesChangesTagsChanged.model_rebuild()
