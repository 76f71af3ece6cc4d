from typing import Annotated, Optional

from pydantic import BeforeValidator, Field

from .base_model import BaseModel
from .enums import CurrencyCode, InvoiceStatus
from .scalars import Int96, parse_int96


class OpenInvoices(BaseModel):
    invoices: "OpenInvoicesInvoices"


class OpenInvoicesInvoices(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "OpenInvoicesInvoicesPageInfo" = Field(alias="pageInfo")
    nodes: list["OpenInvoicesInvoicesNodes"]


class OpenInvoicesInvoicesPageInfo(BaseModel):
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(alias="endCursor")


class OpenInvoicesInvoicesNodes(BaseModel):
    id: str
    invoice_id: str = Field(alias="invoiceId")
    status: InvoiceStatus
    balances: list["OpenInvoicesInvoicesNodesBalances"]


class OpenInvoicesInvoicesNodesBalances(BaseModel):
    currency: CurrencyCode
    payins: "OpenInvoicesInvoicesNodesBalancesPayins"
    payouts: "OpenInvoicesInvoicesNodesBalancesPayouts"


class OpenInvoicesInvoicesNodesBalancesPayins(BaseModel):
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


class OpenInvoicesInvoicesNodesBalancesPayouts(BaseModel):
    remaining: Annotated[Int96, BeforeValidator(parse_int96)]


OpenInvoices.model_rebuild()
OpenInvoicesInvoices.model_rebuild()
OpenInvoicesInvoicesNodes.model_rebuild()
OpenInvoicesInvoicesNodesBalances.model_rebuild()
