"""The invoice as a document: its kind, billing period and totals."""

from datetime import datetime

import strawberry

from invoicegraph.ledger import totals
from invoicegraph.ledger.documents import InvoiceKind
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.history import Period as LedgerPeriod
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code

strawberry.enum(
    InvoiceKind,
    name="InvoiceKind",
    description=(
        "STANDARD, or a stake: STAKE (a deposit paid in), STAKE_OVERDRAFT_PROTECTION, or "
        "STAKE_RETURN (a payout giving a stake back)."
    ),
)


@strawberry.type
class Period:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime | None, end: datetime | None) -> "Period | None":
        return None if start is None or end is None else cls(start=start, end=end)


@strawberry.input(name="PeriodInput", description="A billing period: start <= end.")
class PeriodInput:
    start: datetime
    end: datetime

    def to_period(self) -> LedgerPeriod:
        return LedgerPeriod(start=self.start, end=self.end)


@strawberry.type(
    description=(
        "One currency and type of an invoice: total = subtotal - discountTotal + taxTotal, "
        "exactly (each line's tax is rounded half-even to the minor unit, then summed); "
        "total is what the balances expect."
    )
)
class InvoiceTotals:
    currency: CurrencyCode
    type: FlowType
    subtotal: Int96 = strawberry.field(description="Sum of the line items' price.amount.")
    discount_total: Int96
    tax_total: Int96
    total: Int96

    @classmethod
    def of(cls, computed: totals.Totals) -> "InvoiceTotals":
        return cls(
            currency=currency_code(computed.currency),
            type=computed.type,
            subtotal=Int96(computed.subtotal),
            discount_total=Int96(computed.discount_total),
            tax_total=Int96(computed.tax_total),
            total=Int96(computed.total),
        )


@strawberry.type(description="An amount in one currency.")
class CurrencyAmount:
    currency: CurrencyCode
    amount: Int96

    @classmethod
    def of(cls, amounts: dict[str, int]) -> list["CurrencyAmount"]:
        return [
            cls(currency=currency_code(currency), amount=Int96(amount))
            for currency, amount in sorted(amounts.items())
        ]
