"""The closed vocabularies of the domain. The GraphQL layer exposes these same enums."""

from enum import Enum


class FlowType(Enum):
    """PAYIN: the user owes the workspace. PAYOUT: the workspace owes the user."""

    PAYIN = "PAYIN"
    PAYOUT = "PAYOUT"


class InvoiceStatus(Enum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"
    UNCOLLECTIBLE = "UNCOLLECTIBLE"


# Stored value -> member, as FlowType(value) answers but without Enum's call machinery: pages
# convert thousands of stored values.
FLOW_TYPES: dict[str, FlowType] = {member.value: member for member in FlowType}
INVOICE_STATUSES: dict[str, InvoiceStatus] = {member.value: member for member in InvoiceStatus}


CURRENCY_CODES: tuple[str, ...] = tuple(
    """
ADA BTC DAI ETH SOL USDC USDT USDG EURC CADC CADT XLM UNI BCH LTC AAVE LINK MATIC PTS AED AFN
ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYR BZD
CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GGP GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS IMP INR IQD IRR ISK JMD JOD JPY KES
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MUR MVR
MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLL SOS SPL SRD SVC SYP STN SZL THB TJS TMT TND TOP TRY TTD TVD
TWD TZS UAH UGX USD UYU UZS VEF VND VUV WST XAF XCD XOF XPF YER ZAR ZMW LOGICAL CUSTOM
""".split()  # noqa: SIM905
)
"""ISO 4217 and crypto codes from the seed documents, plus LOGICAL and CUSTOM.

Currencies stay plain strings in the domain; GraphQL validation rejects unknown codes before
any of our code runs, and the schema turns this tuple into the CurrencyCode enum."""


class EventType(Enum):
    """What a committed write did to an invoice, as subscribers and webhooks see it."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
