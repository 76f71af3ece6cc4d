"""Balances: expected from line items, actual from payments, per currency, payins and payouts."""

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.balances import Amounts, Balance, Flow, compute_balances
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.money import INT96_LIMIT

PAYIN, PAYOUT = FlowType.PAYIN, FlowType.PAYOUT


def test_no_flows_no_balances() -> None:
    assert compute_balances([], []) == []


def test_the_seed_payout_example() -> None:
    # given a 1000 USD payout line item and nothing paid
    [usd] = compute_balances([Flow("USD", PAYOUT, 1000)], [])
    # then
    assert usd == Balance(
        currency="USD",
        payins=Amounts(expected=0, actual=0),
        payouts=Amounts(expected=1000, actual=0),
    )
    assert usd.payouts.remaining == 1000
    assert usd.net == Amounts(expected=-1000, actual=0)
    assert usd.net.remaining == -1000


def test_currencies_are_kept_apart_and_sorted_by_code() -> None:
    # given
    expected = [
        Flow("USD", PAYIN, 4900),
        Flow("EUR", PAYIN, 120000),
        Flow("USD", PAYIN, 4500),
        Flow("USD", PAYOUT, 700),
    ]
    actual = [Flow("USD", PAYIN, 5000), Flow("BTC", PAYOUT, 3)]
    # when
    balances = compute_balances(expected, actual)
    # then
    assert [balance.currency for balance in balances] == ["BTC", "EUR", "USD"]
    btc, eur, usd = balances
    assert btc.payouts == Amounts(expected=0, actual=3)
    assert eur.payins == Amounts(expected=120000, actual=0)
    assert usd.payins == Amounts(expected=9400, actual=5000)
    assert usd.payins.remaining == 4400
    assert usd.net == Amounts(expected=8700, actual=5000)


def test_a_currency_with_only_zero_amounts_still_has_a_balance() -> None:
    [balance] = compute_balances([Flow("JPY", PAYIN, 0)], [])
    assert balance == Balance("JPY", Amounts(0, 0), Amounts(0, 0))


def test_amounts_near_two_to_the_96_are_summed_exactly() -> None:
    big = INT96_LIMIT - 1
    [balance] = compute_balances([Flow("USD", PAYIN, big)], [Flow("USD", PAYIN, big - 1)])
    assert balance.payins.remaining == 1
    assert balance.net.expected == big


currencies = st.sampled_from(["USD", "EUR", "BTC", "LOGICAL", "AAVE"])
flow_amounts = st.integers(min_value=0, max_value=1000) | st.integers(0, INT96_LIMIT - 1)
flows = st.lists(
    st.builds(Flow, currency=currencies, type=st.sampled_from(FlowType), amount=flow_amounts)
)


@given(flows, flows)
def test_balances_are_the_sums_of_the_flows(expected: list[Flow], actual: list[Flow]) -> None:
    # when
    balances = compute_balances(iter(expected), iter(actual))

    # then: recomputed independently, one currency and type at a time
    def total(of: list[Flow], currency: str, flow_type: FlowType) -> int:
        return sum(
            flow.amount for flow in of if flow.currency == currency and flow.type is flow_type
        )

    seen = {flow.currency for flow in expected + actual}
    assert [balance.currency for balance in balances] == sorted(seen)
    for balance in balances:
        for flow_type, amounts in [(PAYIN, balance.payins), (PAYOUT, balance.payouts)]:
            assert amounts.expected == total(expected, balance.currency, flow_type)
            assert amounts.actual == total(actual, balance.currency, flow_type)
            assert amounts.remaining == amounts.expected - amounts.actual
        net = balance.net
        assert net.expected == balance.payins.expected - balance.payouts.expected
        assert net.actual == balance.payins.actual - balance.payouts.actual
        assert net.remaining == balance.payins.remaining - balance.payouts.remaining
        assert net.remaining == net.expected - net.actual


@given(flows, flows, st.randoms(use_true_random=False))
def test_the_order_of_flows_does_not_matter(
    expected: list[Flow], actual: list[Flow], random: Random
) -> None:
    shuffled_expected, shuffled_actual = list(expected), list(actual)
    random.shuffle(shuffled_expected)
    random.shuffle(shuffled_actual)
    assert compute_balances(shuffled_expected, shuffled_actual) == compute_balances(
        expected, actual
    )
