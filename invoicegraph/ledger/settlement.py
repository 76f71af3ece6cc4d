"""Settlement: what an invoice expects and what payments cover, and the rules over the two.

One home for the money rules every writer applies: the key money is summed by, the sums, the
invariant 0 <= actual <= expected per key, the flags the store keeps for list filters
(has a charge, has something remaining), and the PAID rule. The store persists what these
functions decide; it computes none of it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from invoicegraph.ledger.balances import Flow, compute_balances
from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.history import InvoiceState, LineItemState
from invoicegraph.ledger.status import settled_status

MoneyKey = tuple[int, str, FlowType]
"""(user row id, currency, type): the unit of the invariant within one invoice."""

NetKey = tuple[int, str]
"""(user row id, currency): the unit of a user's net remaining on one invoice."""


class MoneyRow(Protocol):
    """A line item's or a payment's money, as the store reads it."""

    @property
    def invoice_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def amount(self) -> int: ...


def sum_by_key(amounts: Iterable[tuple[MoneyKey, int]]) -> dict[MoneyKey, int]:
    """The one place money is added up per key."""
    sums: dict[MoneyKey, int] = {}
    for key, amount in amounts:
        sums[key] = sums.get(key, 0) + amount
    return sums


def has_charge(amounts: Iterable[int]) -> bool:
    """Some line item asks for a non-zero amount (`ignoreZero` leaves the others out, and an
    invoice without a charge never becomes PAID)."""
    return any(amount > 0 for amount in amounts)


@dataclass(frozen=True, slots=True)
class MoneyFlags:
    """What the store keeps on the invoice row so that lists can filter by money."""

    has_charge: bool
    has_remaining: bool
    user_nets: Mapping[NetKey, int] = field(default_factory=dict)
    """Each user's net remaining per currency (`InvoiceMoney.user_nets`), for the
    userTagAndBalance filter."""


@dataclass(frozen=True, slots=True)
class InvoiceMoney:
    """An invoice's expected (line items) and actual (payments) amounts by key."""

    expected: dict[MoneyKey, int] = field(default_factory=dict)
    actual: dict[MoneyKey, int] = field(default_factory=dict)

    def flags(self) -> MoneyFlags:
        return MoneyFlags(
            has_charge=has_charge(self.expected.values()),
            has_remaining=any(
                amount != self.actual.get(key, 0) for key, amount in self.expected.items()
            ),
            user_nets=self.user_nets(),
        )

    def user_nets(self) -> dict[NetKey, int]:
        """Each (user, currency)'s net remaining on this invoice: payins remaining minus
        payouts remaining (expected - actual of each), as the invoice's per-user balances show
        it; every pair with a line item or a payment gets an entry, zero included."""
        nets: dict[NetKey, int] = {}
        for sums, sign in ((self.expected, 1), (self.actual, -1)):
            for (user_id, currency, flow), amount in sums.items():
                signed = amount if flow is FlowType.PAYIN else -amount
                nets[(user_id, currency)] = nets.get((user_id, currency), 0) + sign * signed
        return nets

    def overdrawn(self, keys: Iterable[MoneyKey]) -> list[MoneyKey]:
        """The keys among `keys` where actual exceeds expected: the invariant broken."""
        return [key for key in keys if self.actual.get(key, 0) > self.expected.get(key, 0)]


def state_money(state: InvoiceState, paid: Mapping[MoneyKey, int]) -> InvoiceMoney:
    return InvoiceMoney(
        expected=sum_by_key((line_item_key(item), item.due) for item in state.line_items),
        actual=dict(paid),
    )


def line_item_key(item: LineItemState) -> MoneyKey:
    return (item.user_id, item.currency, item.type)


def _row_key(row: MoneyRow) -> MoneyKey:
    return (row.user_id, row.currency, FlowType(row.type))


def money_by_invoice(
    invoice_ids: Iterable[int], line_items: Iterable[MoneyRow], payments: Iterable[MoneyRow]
) -> dict[int, InvoiceMoney]:
    """Each invoice's money from its line item and payment rows (every id gets an entry)."""
    items_of: dict[int, list[MoneyRow]] = {invoice_id: [] for invoice_id in invoice_ids}
    paid_of: dict[int, list[MoneyRow]] = {invoice_id: [] for invoice_id in items_of}
    for row in line_items:
        items_of.setdefault(row.invoice_id, []).append(row)
    for row in payments:
        paid_of.setdefault(row.invoice_id, []).append(row)
    return {
        invoice_id: InvoiceMoney(
            expected=sum_by_key((_row_key(row), row.amount) for row in items_of[invoice_id]),
            actual=sum_by_key((_row_key(row), row.amount) for row in paid_of.get(invoice_id, ())),
        )
        for invoice_id in items_of
    }


Touched = Mapping[tuple[int, MoneyKey], Path]
"""For every (invoice row id, key) an allocation changed, the input path to blame."""


def allocation_problems(money: Mapping[int, InvoiceMoney], touched: Touched) -> list[FieldProblem]:
    """Allocations may never take actual above expected for any invoice, user, currency, type."""
    problems = []
    for (invoice_id, key), path in touched.items():
        invoice = money[invoice_id]
        if invoice.overdrawn([key]):
            problems.append(
                FieldProblem(
                    path,
                    f"allocates {invoice.actual[key]} {key[1]} {key[2].value} in all, more than "
                    f"the {invoice.expected.get(key, 0)} this invoice expects for this user",
                )
            )
    return problems


def ensure_allocatable_amounts(money: Mapping[int, InvoiceMoney], touched: Touched) -> None:
    if problems := allocation_problems(money, touched):
        raise BadRequest(problems)


def line_item_problems(
    state: InvoiceState, paid: Mapping[MoneyKey, int], blame: Mapping[MoneyKey, Path]
) -> list[FieldProblem]:
    """Line item edits may never take expected below what payments already cover."""
    money = state_money(state, paid)
    return [
        FieldProblem(
            blame.get(key, ("lineItems",)),
            f"would leave {money.expected.get(key, 0)} {key[1]} {key[2].value} expected for "
            f"this user, below the {money.actual[key]} already paid",
        )
        for key in money.overdrawn(money.actual)
    ]


def may_settle(status: InvoiceStatus, money: InvoiceMoney) -> bool:
    """Whether `settle` could change this status, told from the money alone (so a writer need
    not read the line items when it cannot): OPEN and UNCOLLECTIBLE change only with nothing
    remaining, PAID only with something remaining, the others never. With the invariant
    0 <= actual <= expected per key, something remains on a key exactly when some currency's
    balance has something remaining."""
    remaining = money.flags().has_remaining
    if status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        return not remaining
    return status is InvoiceStatus.PAID and remaining


def settle(state: InvoiceState, paid: Mapping[MoneyKey, int]) -> InvoiceState:
    """The state with the PAID rule applied: OPEN or UNCOLLECTIBLE with nothing remaining (and
    some charge) becomes PAID; PAID with something remaining becomes OPEN again."""
    balances = compute_balances(
        [Flow(item.currency, item.type, item.due) for item in state.line_items],
        [Flow(currency, flow, amount) for (_, currency, flow), amount in paid.items()],
    )
    # a charge is a non-zero price.amount: an invoice discounted to nothing is settled
    charged = has_charge(item.price.amount for item in state.line_items)
    return replace(state, status=settled_status(state.status, balances, has_charge=charged))
