"""Settlement: the money keys, sums, the invariant, the list flags and the PAID rule."""

from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.history import InvoiceState, LineItemState
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.settlement import (
    InvoiceMoney,
    MoneyKey,
    allocation_problems,
    line_item_key,
    line_item_problems,
    may_settle,
    money_by_invoice,
    settle,
    state_money,
    sum_by_key,
)

PAYIN, PAYOUT = FlowType.PAYIN, FlowType.PAYOUT


class Row(NamedTuple):
    """A line item's or payment's money as the store reads it."""

    invoice_id: int
    user_id: int
    currency: str
    type: str
    amount: int


amounts = st.integers(min_value=0, max_value=INT96_LIMIT // 1_000)
keys = st.tuples(st.integers(1, 3), st.sampled_from(["USD", "EUR"]), st.sampled_from(FlowType))
rows = st.builds(
    Row,
    invoice_id=st.integers(1, 3),
    user_id=st.integers(1, 3),
    currency=st.sampled_from(["USD", "EUR"]),
    type=st.sampled_from(["PAYIN", "PAYOUT"]),
    amount=amounts,
)


def item(user_id: int, amount: int, flow: FlowType = PAYIN, currency: str = "USD") -> LineItemState:
    return LineItemState(
        line_item_id=f"li_{user_id}_{amount}",
        description="Work",
        product_id="work",
        type=flow,
        currency=currency,
        price=Price(amount=amount, unit_price=amount, quantity=1),
        user_id=user_id,
        tags=(),
    )


def state(status: InvoiceStatus, *items: LineItemState) -> InvoiceState:
    return InvoiceState(status=status, tags=(), line_items=items)


@given(st.lists(st.tuples(keys, amounts)))
def test_sums_per_key_add_up_to_the_whole(entries: list[tuple[MoneyKey, int]]) -> None:
    sums = sum_by_key(entries)
    assert sum(sums.values()) == sum(amount for _, amount in entries)
    assert set(sums) == {key for key, _ in entries}


@given(st.lists(rows), st.lists(rows))
def test_each_invoice_gets_exactly_its_own_rows(items: list[Row], paid: list[Row]) -> None:
    money = money_by_invoice([1, 2, 3, 4], items, paid)
    assert set(money) == {1, 2, 3, 4}
    for invoice_id, entry in money.items():
        assert sum(entry.expected.values()) == sum(
            r.amount for r in items if r.invoice_id == invoice_id
        )
        assert sum(entry.actual.values()) == sum(
            r.amount for r in paid if r.invoice_id == invoice_id
        )
    assert money[4] == InvoiceMoney()


@given(st.dictionaries(keys, amounts), st.dictionaries(keys, amounts))
def test_flags_follow_the_amounts(
    expected: dict[MoneyKey, int], actual: dict[MoneyKey, int]
) -> None:
    flags = InvoiceMoney(expected=expected, actual=actual).flags()
    assert flags.has_charge == any(amount > 0 for amount in expected.values())
    assert flags.has_remaining == any(
        amount != actual.get(key, 0) for key, amount in expected.items()
    )


@given(st.dictionaries(keys, amounts), st.dictionaries(keys, amounts))
def test_overdrawn_keys_are_exactly_those_past_expected(
    expected: dict[MoneyKey, int], actual: dict[MoneyKey, int]
) -> None:
    money = InvoiceMoney(expected=expected, actual=actual)
    over = set(money.overdrawn(actual))
    assert over == {key for key, amount in actual.items() if amount > expected.get(key, 0)}


def test_an_allocation_past_expected_names_its_input_path() -> None:
    key: MoneyKey = (1, "USD", PAYIN)
    money = {7: InvoiceMoney(expected={key: 1000}, actual={key: 1500})}
    (problem,) = allocation_problems(money, {(7, key): ("allocations", "0", "amount")})
    assert problem.path == ("allocations", "0", "amount")
    assert "1500 USD PAYIN" in problem.message
    assert (
        allocation_problems(
            {7: InvoiceMoney(expected={key: 1500}, actual={key: 1500})}, {(7, key): ("x",)}
        )
        == []
    )


def test_a_line_item_edit_below_what_is_paid_is_refused_where_it_was_made() -> None:
    lowered = state(InvoiceStatus.OPEN, item(1, 400))
    paid = {line_item_key(lowered.line_items[0]): 500}
    blame = {line_item_key(lowered.line_items[0]): ("lineItems", "0", "update", "price", "amount")}
    (problem,) = line_item_problems(lowered, paid, blame)
    assert problem.path == ("lineItems", "0", "update", "price", "amount")
    assert line_item_problems(state(InvoiceStatus.OPEN, item(1, 500)), paid, blame) == []


@given(
    st.lists(st.tuples(st.integers(1, 3), amounts, st.sampled_from(FlowType)), max_size=5),
    st.data(),
)
def test_the_paid_rule(lines: list[tuple[int, int, FlowType]], data: st.DataObject) -> None:
    # given an OPEN invoice and payments that cover each key fully or only in part
    invoice = state(InvoiceStatus.OPEN, *(item(user, amount, flow) for user, amount, flow in lines))
    expected = state_money(invoice, {}).expected
    paid = {key: data.draw(st.integers(0, amount)) for key, amount in expected.items()}
    # when
    settled = settle(invoice, paid)
    # then: PAID exactly when something was charged and nothing remains
    covered = all(paid[key] == amount for key, amount in expected.items())
    charged = any(amount > 0 for amount in expected.values())
    assert settled.status is (InvoiceStatus.PAID if covered and charged else InvoiceStatus.OPEN)
    # and a PAID invoice whose payments no longer cover it is OPEN again
    if settled.status is InvoiceStatus.PAID and charged:
        short = dict.fromkeys(paid, 0)
        assert settle(settled, short).status is InvoiceStatus.OPEN


def test_statuses_outside_the_rule_stay() -> None:
    for status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        invoice = state(status, item(1, 100))
        assert settle(invoice, {(1, "USD", PAYIN): 100}).status is status


@given(
    st.sampled_from(InvoiceStatus),
    st.lists(
        st.tuples(
            st.integers(1, 3), amounts, st.sampled_from(FlowType), st.sampled_from(["USD", "EUR"])
        ),
        max_size=5,
    ),
    st.data(),
)
def test_what_may_settle_rules_out_never_settles(
    status: InvoiceStatus, lines: list[tuple[int, int, FlowType, str]], data: st.DataObject
) -> None:
    """Writers skip reading an invoice's line items when may_settle says the PAID rule cannot
    move it: it must never say so of a status the rule would change."""
    # given any invoice and payments within the invariant (0 <= actual <= expected per key)
    invoice = state(
        status, *(item(u, amount, flow, currency) for u, amount, flow, currency in lines)
    )
    expected = state_money(invoice, {}).expected
    paid = {key: data.draw(st.integers(0, amount)) for key, amount in expected.items()}
    # when the money says the status cannot change, then settling leaves it
    if not may_settle(status, state_money(invoice, paid)):
        assert settle(invoice, paid).status is status


@given(st.dictionaries(keys, amounts), st.dictionaries(keys, amounts))
def test_user_nets_are_each_users_net_remaining_per_currency(
    expected: dict[MoneyKey, int], actual: dict[MoneyKey, int]
) -> None:
    """What the userTagAndBalance filter compares: per (user, currency), the net remaining
    of that user's balances (compute_balances over the user's flows alone), zero included."""
    from invoicegraph.ledger.balances import Flow, compute_balances

    nets = InvoiceMoney(expected=expected, actual=actual).user_nets()
    users = {user for user, _, _ in [*expected, *actual]}
    oracle = {}
    for user in users:
        balances = compute_balances(
            [Flow(c, f, a) for (u, c, f), a in expected.items() if u == user],
            [Flow(c, f, a) for (u, c, f), a in actual.items() if u == user],
        )
        oracle.update({(user, b.currency): b.net.remaining for b in balances})
    assert nets == oracle
    assert InvoiceMoney(expected=expected, actual=actual).flags().user_nets == nets
