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
    sums: dict[tuple[str, FlowType], list[int]] = {}
    for index, flows in enumerate((expected, actual)):
        for flow in flows:
            sums.setdefault((flow.currency, flow.type), [0, 0])[index] += flow.amount

    def amounts(currency: str, flow_type: FlowType) -> Amounts:
        pair = sums.get((currency, flow_type))
        return ZERO if pair is None else Amounts(expected=pair[0], actual=pair[1])

    return [
        Balance(
            currency=currency,
            payins=amounts(currency, FlowType.PAYIN),
            payouts=amounts(currency, FlowType.PAYOUT),
        )
        for currency in sorted({currency for currency, _ in sums})
    ]
