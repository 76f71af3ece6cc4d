"""Values without identity: tags, prices and balances."""

import strawberry

from invoicegraph.ledger import balances
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code


@strawberry.type
class Tag:
    key: str
    value: str

    @classmethod
    def from_pairs(cls, pairs: list[list[str]]) -> list["Tag"]:
        return [cls(key=key, value=value) for key, value in pairs]


@strawberry.type
class Price:
    amount: Int96
    quantity: int
    unit_price: Int96


@strawberry.type
class BalanceAmounts:
    expected: Int96 = strawberry.field(
        description="Sum of the line items' total: price.amount - discount + tax."
    )
    actual: Int96 = strawberry.field(description="Sum of the payments allocated.")
    remaining: Int96 = strawberry.field(description="expected - actual.")

    @classmethod
    def of(cls, expected: int, actual: int) -> "BalanceAmounts":
        return cls(
            expected=Int96(expected), actual=Int96(actual), remaining=Int96(expected - actual)
        )


@strawberry.type
class Balance:
    currency: CurrencyCode
    payins: BalanceAmounts
    payouts: BalanceAmounts
    net: BalanceAmounts = strawberry.field(description="payins - payouts, field by field.")

    @classmethod
    def from_balance(cls, balance: balances.Balance) -> "Balance":
        payins, payouts = balance.payins, balance.payouts
        return cls(
            currency=currency_code(balance.currency),
            payins=BalanceAmounts.of(payins.expected, payins.actual),
            payouts=BalanceAmounts.of(payouts.expected, payouts.actual),
            # balance.net, without its intermediate objects: a page computes thousands
            net=BalanceAmounts.of(
                payins.expected - payouts.expected, payins.actual - payouts.actual
            ),
        )

    @classmethod
    def from_balances(cls, computed: list[balances.Balance]) -> list["Balance"]:
        return [cls.from_balance(balance) for balance in computed]
