"""An invoice's totals per currency and type: subtotal - discounts + taxes = total, exactly.

Rates are exact: a percentage is a decimal string with at most four decimals ("8.875"), kept
as an integer number of millionths (parts per million of the amount), never a float. A line
item's tax is its taxable amount (price.amount minus its discount) times the rate, rounded
half-even (banker's rounding) to the currency's minor unit, line by line; the totals are sums
of those integers, so they add up exactly whatever the mix of lines.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from invoicegraph.ledger.enums import FlowType

PPM = 1_000_000
"""A rate of PPM millionths is 100%."""
PERCENT_DECIMALS = 4
"""A percentage has at most this many decimals: '12.3456' is 123456 millionths."""


def parse_percent(text: str) -> int | None:
    """A percentage 0-100 with at most four decimals, as millionths; None when it is not one.

    Only ASCII digits and one '.' are accepted (no sign, exponent or spaces): '8.875' -> 88750.
    """
    whole, dot, fraction = text.partition(".")
    if not whole or not (whole.isascii() and whole.isdigit()):
        return None
    if dot and not (fraction and fraction.isascii() and fraction.isdigit()):
        return None
    if len(fraction) > PERCENT_DECIMALS or len(whole) > 3:
        return None
    millionths = int(whole) * 10_000 + int(fraction.ljust(PERCENT_DECIMALS, "0") or "0")
    return millionths if millionths <= PPM else None


def format_percent(millionths: int) -> str:
    """The canonical text of a rate: '8.875', '20', '0'."""
    whole, fraction = divmod(millionths, 10_000)
    text = f"{fraction:04d}".rstrip("0")
    return f"{whole}.{text}" if text else str(whole)


def round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator (both >= 0, denominator > 0) to the nearest integer, ties to
    the even one."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        return quotient + 1
    return quotient


def tax_of(taxable: int, rate: int) -> int:
    """The tax on `taxable` minor units at `rate` millionths, rounded half-even."""
    return round_half_even(taxable * rate, PPM)


class TotalledLine(Protocol):
    @property
    def currency(self) -> str: ...
    @property
    def type(self) -> FlowType: ...
    @property
    def amount(self) -> int: ...
    @property
    def discount(self) -> int: ...
    @property
    def tax(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    type: FlowType
    subtotal: int
    """Sum of price.amount."""
    discount_total: int
    tax_total: int

    @property
    def total(self) -> int:
        """What the invoice expects: subtotal - discount_total + tax_total."""
        return self.subtotal - self.discount_total + self.tax_total


def totals_of(lines: Iterable[TotalledLine]) -> list[Totals]:
    """One Totals per (currency, type) present, ordered by currency then PAYIN before PAYOUT."""
    sums: dict[tuple[str, FlowType], list[int]] = {}
    for line in lines:
        entry = sums.setdefault((line.currency, line.type), [0, 0, 0])
        entry[0] += line.amount
        entry[1] += line.discount
        entry[2] += line.tax
    order = {FlowType.PAYIN: 0, FlowType.PAYOUT: 1}
    return [
        Totals(currency=currency, type=flow, subtotal=s, discount_total=d, tax_total=t)
        for (currency, flow), (s, d, t) in sorted(
            sums.items(), key=lambda item: (item[0][0], order[item[0][1]])
        )
    ]
