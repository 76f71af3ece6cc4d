"""Balances: expected from line items, actual from payments, per currency, payins and payouts."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from invoicegraph.ledger.enums import FlowType


class Flow(NamedTuple):
    """One amount of money of one type in one currency: a line item's or a payment's."""

    currency: str
    type: FlowType
    amount: int


@dataclass(frozen=True, slots=True)
class Amounts:
    expected: int
    actual: int

    @property
    def remaining(self) -> int:
        return self.expected - self.actual

    def __sub__(self, other: "Amounts") -> "Amounts":
        return Amounts(expected=self.expected - other.expected, actual=self.actual - other.actual)


ZERO = Amounts(expected=0, actual=0)


@dataclass(frozen=True, slots=True)
class Balance:
    currency: str
    payins: Amounts
    payouts: Amounts

    @property
    def net(self) -> Amounts:
        """payins - payouts, field by field (remaining follows, being a difference too)."""
        return self.payins - self.payouts


def compute_balances(expected: Iterable[Flow], actual: Iterable[Flow]) -> list[Balance]:
    """One Balance per currency that appears in either list, ordered by currency code."""
    # Per currency: [payins expected, payins actual, payouts expected, payouts actual]; keyed
    # by the currency alone, since hashing an Enum member runs Python code and every line
    # item of a page passes through here.
    sums: dict[str, list[int]] = {}
    for index, flows in enumerate((expected, actual)):
        for flow in flows:
            slot = index if flow.type is FlowType.PAYIN else index + 2
            amounts = sums.get(flow.currency)
            if amounts is None:
                amounts = sums[flow.currency] = [0, 0, 0, 0]
            amounts[slot] += flow.amount
    return [
        Balance(
            currency=currency,
            payins=_amounts(amounts[0], amounts[1]),
            payouts=_amounts(amounts[2], amounts[3]),
        )
        for currency, amounts in sorted(sums.items())
    ]


def _amounts(expected: int, actual: int) -> Amounts:
    return ZERO if expected == 0 and actual == 0 else Amounts(expected=expected, actual=actual)
