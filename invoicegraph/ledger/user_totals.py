"""A user's totals over all of the user's invoices stay Int96, so `User.balances` always reads.

Each invoice keeps its own (currency, type) totals below 2^96, but a user's balances add up
over every invoice that is not VOID. The rule: a write that would make any user's expected
total of one currency and type reach 2^96 is refused, naming the input that pushed it there.
Expected is the only sum to keep: actual <= expected holds per (invoice, user, currency,
type), so actual and remaining follow, and net (payins - payouts) stays in range as well.
Allocations never raise expected, so they cannot break the rule.
"""

from collections.abc import Iterable, Mapping, Sequence

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import FieldProblem, Path
from invoicegraph.ledger.history import InvoiceState, LineItemState
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.settlement import MoneyKey, line_item_key, sum_by_key

Addition = tuple[Path, MoneyKey, int]
"""An amount a write adds to a user's expected total, and the input path that adds it."""


def user_total_problems(
    totals: Mapping[MoneyKey, int], additions: Sequence[Addition]
) -> list[FieldProblem]:
    """One problem per key that the additions, in order, push to 2^96 or beyond: at the path
    of the addition that got it there."""
    running: dict[MoneyKey, int] = {}
    problems: list[FieldProblem] = []
    for path, key, amount in additions:
        before = running.get(key, totals.get(key, 0))
        running[key] = before + amount
        if running[key] >= INT96_LIMIT > before:
            _, currency, flow = key
            problems.append(
                FieldProblem(
                    path,
                    f"this user's expected {flow.value} amounts in {currency}, over all the "
                    "user's invoices that are not VOID, must stay below 2^96",
                )
            )
    return problems


def add_to(totals: dict[MoneyKey, int], additions: Iterable[Addition]) -> None:
    """Count accepted additions in `totals`, for the next item of a batch."""
    for _, key, amount in additions:
        totals[key] = totals.get(key, 0) + amount


def new_line_items(line_items: Iterable[LineItemState], at: Path = ()) -> list[Addition]:
    """What a new invoice's line items add: each what it is due (its amount, less discount,
    plus tax: what the balances expect), named at its `price.amount`."""
    return [
        ((*at, "lineItems", str(index), "price", "amount"), line_item_key(item), item.due)
        for index, item in enumerate(line_items)
        if item.due > 0
    ]


def changed_line_items(
    old: Iterable[LineItemState], new: Iterable[LineItemState], paths: Mapping[MoneyKey, Path]
) -> list[Addition]:
    """What a change of one invoice adds to each key it raises (a lowered key cannot break
    the rule); `paths` names the input that raised each key, `("lineItems",)` otherwise."""
    before = sum_by_key((line_item_key(item), item.due) for item in old)
    after = sum_by_key((line_item_key(item), item.due) for item in new)
    return [
        (paths.get(key, ("lineItems",)), key, amount - before.get(key, 0))
        for key, amount in after.items()
        if amount > before.get(key, 0)
    ]


def expected_of(state: InvoiceState | None) -> dict[MoneyKey, int]:
    """What an invoice in this state counts in its users' expected totals: what each line item
    is due, by key; nothing while VOID (or before it exists)."""
    if state is None or state.status is InvoiceStatus.VOID:
        return {}
    return sum_by_key((line_item_key(item), item.due) for item in state.line_items)


def expected_change(old: InvoiceState | None, new: InvoiceState) -> dict[MoneyKey, int]:
    """How a write from `old` to `new` moves each key of the users' expected totals (signed;
    keys it leaves as they were are left out)."""
    before, after = expected_of(old), expected_of(new)
    moved = {key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()}
    return {key: amount for key, amount in moved.items() if amount}
