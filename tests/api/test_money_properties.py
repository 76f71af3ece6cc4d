"""Property test: random money movements against the real schema and a real database.

Every example is a fresh workspace and a random sequence of steps: createInvoice (draft or
not, PAYIN and PAYOUT line items in USD and EUR for three users), updateInvoice (add, reprice
and delete line items), recordTransaction (money received or sent, allocated to random
invoices and users, sometimes beyond what remains or to DRAFT and VOID invoices, sometimes a
replay or a conflicting reuse of its externalId), updateAllocations (add, change, delete, under
a right or a stale expectedVersion) and finalize / void / mark uncollectible. Most steps are
valid, so money really moves and invoices really become PAID; the rest are refused.

After every step the whole workspace is read back and checked against an independent
recomputation: 0 <= actual <= expected for every (invoice, user, currency, type); the balances
of every invoice, of its users and of every User; the transactions' unallocatedAmount and the
direction and currency of their allocations; the status rules. A small model predicts whether
each step must succeed and, when it does, the line items, payments, transactions, statuses
(the PAID rule included) and versions after it; a refused step must have changed nothing at
all. At the end, every invoice's history must be a chain of versions whose status changes are
exactly the StatusChanged entries.
"""

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tests.conftest import MakeApi
from tests.operations import (
    CREATE_INVOICE,
    HISTORY,
    RECORD_TRANSACTION,
    TRANSITION,
    UPDATE_ALLOCATIONS,
    UPDATE_INVOICE,
    allocation,
    transaction_input,
)
from tests.support import Api

T = TypeVar("T")
Json = dict[str, Any]
MoneyKey = tuple[str, str, str, str]
"""(invoiceId, user externalId, currency, type): where 0 <= actual <= expected must hold."""

PAYIN, PAYOUT = "PAYIN", "PAYOUT"
USERS = ("u1", "u2", "u3")
GHOST = "ghost"
"""A user no line item names: allocating to it always over-allocates, so it must never exist."""
MISSING = "inv-missing"
CURRENCIES = ("EUR", "USD")
ALLOCATABLE = frozenset({"OPEN", "PAID", "UNCOLLECTIBLE"})
EDITABLE = frozenset({"DRAFT", "OPEN", "PAID"})
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "finalize": (frozenset({"DRAFT"}), "OPEN"),
    "void": (frozenset({"OPEN", "UNCOLLECTIBLE"}), "VOID"),
    "uncollectible": (frozenset({"OPEN"}), "UNCOLLECTIBLE"),
}
KINDS: tuple[str, ...] = ("allocations",) * 4 + ("record",) * 4 + ("update",) * 2
KINDS += ("transition",) * 2 + ("create",) * 2

BALANCE = """
  currency
  payins { expected actual remaining }
  payouts { expected actual remaining }
  net { expected actual remaining }
"""
USER_READS = "\n".join(
    f'{name}: user(user: {{externalId: "{name}"}}) {{ externalId balances {{ {BALANCE} }} }}'
    for name in (*USERS, GHOST)
)
WORLD = f"""
query World {{
  invoices(first: 200) {{
    pageInfo {{ hasNextPage }}
    nodes {{
      id invoiceId status version modified
      lineItems {{
        id type currency price {{ amount quantity unitPrice }} user {{ externalId }}
      }}
      payments {{
        id type amount currency user {{ externalId }}
        transaction {{ externalId }} invoice {{ invoiceId }}
      }}
      balances {{ {BALANCE} }}
      users {{ user {{ externalId }} balances {{ {BALANCE} }} }}
    }}
  }}
  transactions(first: 200) {{
    pageInfo {{ hasNextPage }}
    nodes {{
      id externalId amount currency version unallocatedAmount
      allocations {{
        id type amount currency user {{ externalId }}
        transaction {{ externalId }} invoice {{ invoiceId }}
      }}
    }}
  }}
  {USER_READS}
}}
"""


def mostly(
    valid: st.SearchStrategy[T], invalid: st.SearchStrategy[T], *, one_in: int = 10
) -> st.SearchStrategy[T]:
    """Valid values but one time in `one_in`, so that most steps go through."""
    return st.sampled_from(range(one_in)).flatmap(lambda n: invalid if n == one_in - 1 else valid)


class Faults:
    """One step in four carries one deliberate fault, at one of its first decision points."""

    def __init__(self, data: st.DataObject) -> None:
        self._at = data.draw(mostly(st.just(-1), st.integers(0, 3), one_in=4), label="fault at")
        self._seen = 0

    def ok(self) -> bool:
        """Whether this decision point is drawn valid."""
        self._seen += 1
        return self._seen - 1 != self._at


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Item:
    id: str
    user: str
    currency: str
    type: str
    price: tuple[int, int, int]
    """(amount, unitPrice, quantity)"""

    @property
    def amount(self) -> int:
        return self.price[0]


@dataclass(frozen=True)
class Pay:
    id: str
    txn: str
    invoice: str
    user: str
    currency: str
    type: str
    amount: int

    @property
    def key(self) -> MoneyKey:
        return (self.invoice, self.user, self.currency, self.type)


@dataclass(frozen=True)
class Txn:
    id: str
    amount: int
    currency: str
    version: int


@dataclass
class State:
    """What the model needs of a workspace, by invoiceId and transaction externalId."""

    status: dict[str, str] = field(default_factory=dict)
    version: dict[str, int] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    items: dict[str, list[Item]] = field(default_factory=dict)
    txns: dict[str, Txn] = field(default_factory=dict)
    pays: list[Pay] = field(default_factory=list)

    def copy(self) -> "State":
        return State(
            status=dict(self.status),
            version=dict(self.version),
            ids=dict(self.ids),
            items={key: list(items) for key, items in self.items.items()},
            txns=dict(self.txns),
            pays=list(self.pays),
        )

    def expected(self) -> dict[MoneyKey, int]:
        sums: dict[MoneyKey, int] = {}
        for invoice, items in self.items.items():
            for item in items:
                key = (invoice, item.user, item.currency, item.type)
                sums[key] = sums.get(key, 0) + item.amount
        return sums

    def actual(self) -> dict[MoneyKey, int]:
        sums: dict[MoneyKey, int] = {}
        for pay in self.pays:
            sums[pay.key] = sums.get(pay.key, 0) + pay.amount
        return sums

    def remaining(self, key: MoneyKey) -> int:
        return self.expected().get(key, 0) - self.actual().get(key, 0)

    def overdrawn(self) -> bool:
        expected = self.expected()
        return any(paid > expected.get(key, 0) for key, paid in self.actual().items())

    def keys(self) -> list[MoneyKey]:
        """Every (invoice, user, currency, type) some line item names."""
        return sorted(
            {
                (invoice, item.user, item.currency, item.type)
                for invoice, items in self.items.items()
                for item in items
            }
        )

    def view(self) -> Any:
        """Everything the model predicts, without the ids the server makes up."""
        return (
            {
                invoice: (
                    self.status[invoice],
                    self.version[invoice],
                    sorted((i.user, i.currency, i.type, i.price) for i in self.items[invoice]),
                )
                for invoice in self.status
            },
            sorted((p.txn, p.invoice, p.user, p.currency, p.type, p.amount) for p in self.pays),
            {ext: (t.amount, t.currency, t.version) for ext, t in self.txns.items()},
        )


def settled_status(state: State, invoice: str) -> str:
    """The contract's PAID rule, from the line items and payments alone."""
    status = state.status[invoice]
    sums: dict[tuple[str, str], int] = {}
    for item in state.items[invoice]:
        sums[(item.currency, item.type)] = sums.get((item.currency, item.type), 0) + item.amount
    for pay in state.pays:
        if pay.invoice == invoice:
            key = (pay.currency, pay.type)
            sums[key] = sums.get(key, 0) - pay.amount
    settled = all(remaining == 0 for remaining in sums.values())
    has_charge = any(item.amount > 0 for item in state.items[invoice])
    if status in ("OPEN", "UNCOLLECTIBLE") and settled and has_charge:
        return "PAID"
    if status == "PAID" and not settled:
        return "OPEN"
    return status


def commit(state: State, edited: Iterable[str] = ()) -> State:
    """Apply the PAID rule everywhere; an invoice edited or changing status gets a new version."""
    edited = set(edited)
    for invoice in list(state.status):
        status = settled_status(state, invoice)
        if status != state.status[invoice] or invoice in edited:
            state.version[invoice] += 1
        state.status[invoice] = status
    return state


def model_of(world: Json) -> State:
    state = State()
    for invoice in world["invoices"]:
        key = invoice["invoiceId"]
        state.status[key] = invoice["status"]
        state.version[key] = invoice["version"]
        state.ids[key] = invoice["id"]
        state.items[key] = [
            Item(
                id=item["id"],
                user=item["user"]["externalId"],
                currency=item["currency"],
                type=item["type"],
                price=(
                    int(item["price"]["amount"]),
                    int(item["price"]["unitPrice"]),
                    item["price"]["quantity"],
                ),
            )
            for item in invoice["lineItems"]
        ]
        state.pays += [
            Pay(
                id=payment["id"],
                txn=payment["transaction"]["externalId"],
                invoice=key,
                user=payment["user"]["externalId"],
                currency=payment["currency"],
                type=payment["type"],
                amount=int(payment["amount"]),
            )
            for payment in invoice["payments"]
        ]
    for txn in world["transactions"]:
        state.txns[txn["externalId"]] = Txn(
            id=txn["id"],
            amount=int(txn["amount"]),
            currency=txn["currency"],
            version=txn["version"],
        )
    return state


# ---------------------------------------------------------------- the checks


Flow = tuple[str, str, int]
"""(currency, type, amount) of a line item or a payment."""


def item_flow(item: Json) -> Flow:
    return (item["currency"], item["type"], int(item["price"]["amount"]))


def payment_flow(payment: Json) -> Flow:
    return (payment["currency"], payment["type"], int(payment["amount"]))


def amounts(expected: int, actual: int) -> Json:
    return {"expected": str(expected), "actual": str(actual), "remaining": str(expected - actual)}


def balances(expected: Iterable[Flow], actual: Iterable[Flow]) -> list[Json]:
    """One balance per currency that appears, sorted by currency, as the API shows it."""
    sums: dict[tuple[str, str], list[int]] = {}
    currencies: set[str] = set()
    for index, flows in enumerate((expected, actual)):
        for currency, flow, amount in flows:
            currencies.add(currency)
            sums.setdefault((currency, flow), [0, 0])[index] += amount
    result = []
    for currency in sorted(currencies):
        payin = sums.get((currency, PAYIN), [0, 0])
        payout = sums.get((currency, PAYOUT), [0, 0])
        result.append(
            {
                "currency": currency,
                "payins": amounts(*payin),
                "payouts": amounts(*payout),
                "net": amounts(payin[0] - payout[0], payin[1] - payout[1]),
            }
        )
    return result


def check_invoice(invoice: Json) -> None:
    name = invoice["invoiceId"]
    items, payments = invoice["lineItems"], invoice["payments"]
    expected: dict[tuple[str, str, str], int] = {}
    actual: dict[tuple[str, str, str], int] = {}
    for item in items:
        key = (item["user"]["externalId"], item["currency"], item["type"])
        expected[key] = expected.get(key, 0) + int(item["price"]["amount"])
    for payment in payments:
        assert int(payment["amount"]) > 0, (name, payment)
        assert payment["invoice"]["invoiceId"] == name
        key = (payment["user"]["externalId"], payment["currency"], payment["type"])
        actual[key] = actual.get(key, 0) + int(payment["amount"])
    for key in expected.keys() | actual.keys():
        assert 0 <= actual.get(key, 0) <= expected.get(key, 0), (name, key, expected, actual)

    assert invoice["balances"] == balances(map(item_flow, items), map(payment_flow, payments)), name

    shown: dict[str, list[Json]] = {}
    for entry in invoice["users"]:
        user = entry["user"]["externalId"]
        assert user not in shown, (name, "user listed twice", user)
        shown[user] = entry["balances"]
    named = {i["user"]["externalId"] for i in items} | {p["user"]["externalId"] for p in payments}
    assert set(shown) == named, (name, set(shown), named)
    for user, user_balances in shown.items():
        assert user_balances == balances(
            [item_flow(i) for i in items if i["user"]["externalId"] == user],
            [payment_flow(p) for p in payments if p["user"]["externalId"] == user],
        ), (name, user)

    status = invoice["status"]
    settled = all(
        balance[flow]["remaining"] == "0"
        for balance in invoice["balances"]
        for flow in ("payins", "payouts")
    )
    has_charge = any(int(item["price"]["amount"]) > 0 for item in items)
    if status == "DRAFT":
        assert not payments, (name, "a DRAFT invoice has payments")
    if status in ("OPEN", "UNCOLLECTIBLE"):
        assert not (settled and has_charge), (name, status, "is settled but not PAID")
    if status == "PAID":
        assert settled, (name, "is PAID with something remaining", invoice["balances"])


def check_transaction(txn: Json) -> None:
    amount = int(txn["amount"])
    allocated = 0
    for payment in txn["allocations"]:
        assert payment["transaction"]["externalId"] == txn["externalId"]
        assert payment["currency"] == txn["currency"], (txn["externalId"], payment)
        assert int(payment["amount"]) > 0, (txn["externalId"], payment)
        if payment["type"] == PAYIN:
            assert amount > 0, (txn["externalId"], "a PAYIN from money sent")
        else:
            assert amount < 0, (txn["externalId"], "a PAYOUT from money received")
        allocated += int(payment["amount"])
    unallocated = int(txn["unallocatedAmount"])
    assert unallocated == abs(amount) - allocated >= 0, (txn["externalId"], unallocated, allocated)


def check_world(world: Json) -> None:
    """Every rule that a single read of the workspace can show."""
    for invoice in world["invoices"]:
        check_invoice(invoice)
    for txn in world["transactions"]:
        check_transaction(txn)

    def facts(payment: Json) -> tuple[str, ...]:
        return (
            payment["id"],
            payment["invoice"]["invoiceId"],
            payment["transaction"]["externalId"],
            payment["user"]["externalId"],
            payment["type"],
            payment["currency"],
            payment["amount"],
        )

    by_invoice = sorted(facts(p) for i in world["invoices"] for p in i["payments"])
    by_transaction = sorted(facts(p) for t in world["transactions"] for p in t["allocations"])
    assert by_invoice == by_transaction, "invoices' payments differ from transactions' allocations"

    assert world["users"][GHOST] is None, "a refused allocation created its user"
    live = [invoice for invoice in world["invoices"] if invoice["status"] != "VOID"]
    for name, user in world["users"].items():
        items = [
            item_flow(item)
            for invoice in live
            for item in invoice["lineItems"]
            if item["user"]["externalId"] == name
        ]
        payments = [
            payment_flow(payment)
            for invoice in live
            for payment in invoice["payments"]
            if payment["user"]["externalId"] == name
        ]
        if user is None:
            named = any(
                entry["user"]["externalId"] == name
                for invoice in world["invoices"]
                for entry in invoice["users"]
            )
            assert not named, (name, "is on an invoice but cannot be read")
        else:
            assert user["balances"] == balances(items, payments), (name, "User.balances")


async def read_world(api: Api) -> Json:
    data = await api.ok(WORLD)
    assert not data["invoices"]["pageInfo"]["hasNextPage"]
    assert not data["transactions"]["pageInfo"]["hasNextPage"]
    return {
        "invoices": sorted(data["invoices"]["nodes"], key=lambda i: i["invoiceId"]),
        "transactions": sorted(data["transactions"]["nodes"], key=lambda t: t["externalId"]),
        "users": {name: data[name] for name in (*USERS, GHOST)},
    }


async def check_history(api: Api, invoice: Json) -> None:
    """Versions 1..n, and a status that changes exactly where a StatusChanged says so."""
    data = await api.ok(HISTORY, id=invoice["id"], first=200)
    versions = data["invoice"]["history"]["nodes"][::-1]
    assert [v["version"] for v in versions] == list(range(1, invoice["version"] + 1))
    assert versions[0]["changes"] == []
    assert versions[0]["status"] in ("DRAFT", "OPEN")
    assert versions[-1]["status"] == invoice["status"]
    assert sorted((i["lineItemId"], i["price"]["amount"]) for i in versions[-1]["lineItems"]) == (
        sorted((i["id"], i["price"]["amount"]) for i in invoice["lineItems"])
    )
    for previous, current in itertools.pairwise(versions):
        assert current["changes"], (invoice["invoiceId"], current["version"], "changed nothing")
        moves = [c for c in current["changes"] if c["__typename"] == "StatusChanged"]
        if not moves:
            assert current["status"] == previous["status"], (invoice["invoiceId"], current)
        else:
            assert [(m["from"], m["to"]) for m in moves] == [
                (previous["status"], current["status"])
            ], (invoice["invoiceId"], current["version"], moves)


# ---------------------------------------------------------------- the steps


@dataclass
class Memory:
    """Inputs that succeeded, to replay them; counters for fresh keys."""

    invoices: int = 0
    transactions: int = 0
    creates: dict[str, Json] = field(default_factory=dict)
    records: dict[str, Json] = field(default_factory=dict)


@dataclass
class Step:
    kind: str
    document: str
    variables: Json
    result: str
    predicted: State | None
    """The state after the step, or None when the step must be refused."""
    replay: bool = False
    remember: Callable[[], None] | None = None


def draw_price(data: st.DataObject, faults: Faults) -> tuple[Json, tuple[int, int, int] | None]:
    if not faults.ok():
        bad: Json = data.draw(
            st.sampled_from([{"amount": "-1"}, {"unitPrice": "5", "quantity": 0}])
        )
        return bad, None
    if data.draw(st.booleans()):
        amount = data.draw(st.integers(0, 3000))
        return {"amount": str(amount)}, (amount, amount, 1)
    unit, quantity = data.draw(st.integers(0, 1500)), data.draw(st.integers(1, 3))
    return {"unitPrice": str(unit), "quantity": quantity}, (unit * quantity, unit, quantity)


def draw_line_item(data: st.DataObject, faults: Faults) -> tuple[Json, Item | None]:
    flow = data.draw(st.sampled_from([PAYIN, PAYIN, PAYOUT]))
    currency = data.draw(st.sampled_from(CURRENCIES))
    user = data.draw(st.sampled_from(USERS))
    price_input, price = draw_price(data, faults)
    body = {
        "description": "Work",
        "productId": "p1",
        "type": flow,
        "user": {"externalId": user},
        "currency": currency,
        "price": price_input,
    }
    return body, None if price is None else Item("new", user, currency, flow, price)


def plan_create(data: st.DataObject, faults: Faults, state: State, memory: Memory) -> Step:
    mode = "fresh"
    if memory.creates:
        mode = data.draw(mostly(st.just("fresh"), st.sampled_from(["replay", "conflict"])))
    if mode != "fresh":
        key = data.draw(st.sampled_from(sorted(memory.creates)))
        stored = memory.creates[key]
        if mode == "replay":
            return Step("create", CREATE_INVOICE, {"input": stored}, "createInvoice", state, True)
        changed = {**stored, "draft": not stored["draft"]}
        return Step("create", CREATE_INVOICE, {"input": changed}, "createInvoice", None)

    memory.invoices += 1
    key = f"inv-{memory.invoices}"
    draft = data.draw(st.sampled_from([False, False, True]))
    drawn = [draw_line_item(data, faults) for _ in range(data.draw(st.integers(1, 3)))]
    payload = {"invoiceId": key, "draft": draft, "lineItems": [body for body, _ in drawn]}
    predicted: State | None = None
    items = [item for _, item in drawn if item is not None]
    if len(items) == len(drawn):
        predicted = state.copy()
        predicted.status[key] = "DRAFT" if draft else "OPEN"
        predicted.version[key] = 1
        predicted.items[key] = items
        predicted = commit(predicted)

    def remember() -> None:
        memory.creates[key] = payload

    return Step(
        "create", CREATE_INVOICE, {"input": payload}, "createInvoice", predicted, False, remember
    )


@dataclass(frozen=True)
class AddItem:
    item: Item | None


@dataclass(frozen=True)
class Reprice:
    id: str
    amount: int


@dataclass(frozen=True)
class DeleteItem:
    id: str


def key_of(invoice: str, item: Item) -> MoneyKey:
    return (invoice, item.user, item.currency, item.type)


def draw_reprice(
    data: st.DataObject, faults: Faults, state: State, invoice: str, item: Item | None
) -> int:
    if item is None:
        return data.draw(st.integers(0, 100))
    slack = state.remaining(key_of(invoice, item))
    # After a fault earlier in the same update, `item` may already be below what is paid:
    # the update is refused anyway, and "down" must still be a valid range to draw from.
    floor = min(item.amount, max(0, item.amount - slack))
    if faults.ok():
        mode = data.draw(st.sampled_from(["up", "down", "to_paid"]))
        if mode == "up":
            return item.amount + data.draw(st.integers(1, 500))
        if mode == "down":
            return data.draw(st.integers(floor, item.amount))
        return floor
    return data.draw(st.sampled_from([item.amount - slack - 1, -1]))


def simulate_update(
    state: State, invoice: str, stale: bool, operations: list[AddItem | Reprice | DeleteItem]
) -> State | None:
    if stale or state.status[invoice] not in EDITABLE:
        return None
    items = list(state.items[invoice])
    changed = False
    for operation in operations:
        if isinstance(operation, AddItem):
            if operation.item is None:
                return None
            items.append(operation.item)
            changed = True
            continue
        found = [n for n, item in enumerate(items) if item.id == operation.id]
        if not found:
            return None
        (index,) = found
        if isinstance(operation, DeleteItem):
            del items[index]
            changed = True
            continue
        if operation.amount < 0:
            return None
        price = (operation.amount, operation.amount, 1)
        if price != items[index].price:
            items[index] = replace(items[index], price=price)
            changed = True
    predicted = state.copy()
    predicted.items[invoice] = items
    if predicted.overdrawn():
        return None
    return commit(predicted, [invoice] if changed else [])


def plan_update(data: st.DataObject, faults: Faults, state: State) -> Step:
    invoice = data.draw(st.sampled_from(sorted(state.status)))
    stale = not faults.ok()
    version = state.version[invoice]
    expected_version = version if not stale else (version - 1 if version > 1 else version + 1)
    work = state.copy()  # as the operations drawn so far leave it, to draw the next one
    alive = work.items[invoice]
    inputs: list[Json] = []
    operations: list[AddItem | Reprice | DeleteItem] = []
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["add", "reprice", "reprice", "delete"]))
        if kind == "add":
            body, item = draw_line_item(data, faults)
            inputs.append({"add": body})
            operations.append(AddItem(item))
            if item is not None:
                alive.append(item)
            continue
        pool = [i for i in alive if i.id != "new"]  # added ones have no id to name yet
        if kind == "delete":
            pool = [i for i in pool if work.remaining(key_of(invoice, i)) >= i.amount] or pool
        target: Item | None = None
        if pool and faults.ok():
            target = data.draw(st.sampled_from(pool))
        target_id = "li_unknown" if target is None else target.id
        if kind == "delete":
            inputs.append({"delete": {"id": target_id}})
            operations.append(DeleteItem(target_id))
            if target is not None:
                alive.remove(target)
        else:
            amount = draw_reprice(data, faults, work, invoice, target)
            inputs.append({"update": {"id": target_id, "price": {"amount": str(amount)}}})
            operations.append(Reprice(target_id, amount))
            if target is not None and amount >= 0:
                alive[alive.index(target)] = replace(target, price=(amount, amount, 1))
    payload = {"id": state.ids[invoice], "expectedVersion": expected_version, "lineItems": inputs}
    predicted = simulate_update(state, invoice, stale, operations)
    return Step("update", UPDATE_INVOICE, {"input": payload}, "updateInvoice", predicted)


def draw_amount(data: st.DataObject, faults: Faults, room: int) -> int:
    """An allocation amount: mostly all or part of the room left, sometimes more, or zero."""
    modes = ["all", "all", "part"] if faults.ok() else ["over", "0"]
    mode = data.draw(st.sampled_from(modes))
    if mode == "all":
        return room if room > 0 else 1
    if mode == "part":
        return data.draw(st.integers(1, max(1, room)))
    if mode == "over":
        return max(room, 0) + data.draw(st.integers(1, 50))
    return 0


def draw_target(
    data: st.DataObject,
    faults: Faults,
    state: State,
    planned: dict[MoneyKey, int],
    currency: str | None = None,
    direction: str | None = None,
    prefer: str | None = None,
) -> MoneyKey | None:
    """Mostly a key with something left on an invoice that takes payments; sometimes any key.

    `planned` is what the request already allocates; None when nothing valid is left.
    Keys on the invoice `prefer` come first, so that invoices get paid in full.
    """
    keys = state.keys()
    good = [
        key
        for key in keys
        if allowed(state, key[0])
        and state.remaining(key) - planned.get(key, 0) > 0
        and currency in (None, key[2])
        and direction in (None, key[3])
    ]
    good = [key for key in good if key[0] == prefer] or good
    anywhere = keys + [(key[0], GHOST, key[2], key[3]) for key in keys[:1]]
    anywhere += [(MISSING, "u1", key[2], key[3]) for key in keys[:1]]
    if faults.ok() or not anywhere:
        return data.draw(st.sampled_from(good)) if good else None
    return data.draw(st.sampled_from(anywhere))


def allowed(state: State, invoice: str) -> bool:
    return state.status.get(invoice) in ALLOCATABLE


def direction_ok(amount: int, flow: str) -> bool:
    return amount > 0 if flow == PAYIN else amount < 0


def simulate_record(
    state: State, external_id: str, amount: int, currency: str, allocations: list[Pay]
) -> State | None:
    for pay in allocations:
        if pay.amount <= 0 or not direction_ok(amount, pay.type) or not allowed(state, pay.invoice):
            return None
    if sum(pay.amount for pay in allocations) > abs(amount):
        return None
    predicted = state.copy()
    predicted.txns[external_id] = Txn("", amount, currency, 1)
    predicted.pays += allocations
    if predicted.overdrawn():
        return None
    return commit(predicted)


def plan_record(data: st.DataObject, faults: Faults, state: State, memory: Memory) -> Step:
    mode = "fresh"
    if memory.records:
        mode = data.draw(mostly(st.just("fresh"), st.sampled_from(["replay", "conflict"])))
    if mode != "fresh":
        key = data.draw(st.sampled_from(sorted(memory.records)))
        stored = memory.records[key]
        if mode == "replay":
            variables = {"input": stored}
            return Step("record", RECORD_TRANSACTION, variables, "recordTransaction", state, True)
        changed = {**stored, "tags": [{"key": "k", "value": "v"}]}
        return Step("record", RECORD_TRANSACTION, {"input": changed}, "recordTransaction", None)

    memory.transactions += 1
    external_id = f"txn-{memory.transactions}"
    planned: dict[MoneyKey, int] = {}
    first = draw_target(data, faults, state, planned)
    currency, direction = ("USD", PAYIN) if first is None else (first[2], first[3])
    count = data.draw(mostly(st.integers(1, 3), st.just(0))) if first is not None else 0
    pays: list[Pay] = []
    for index in range(count):
        target = (
            first
            if index == 0
            else draw_target(
                data, faults, state, planned, currency, direction, prefer=pays[0].invoice
            )
        )
        if target is None:
            break
        money_key = (target[0], target[1], currency, target[3])
        room = state.remaining(money_key) - planned.get(money_key, 0)
        amount = draw_amount(data, faults, room)
        planned[money_key] = planned.get(money_key, 0) + amount
        pays.append(Pay("", external_id, target[0], target[1], currency, target[3], amount))
    total = sum(pay.amount for pay in pays)
    extra = data.draw(st.sampled_from([0, 0, 250, 1000])) if faults.ok() else -1
    sign = 1 if direction == PAYIN else -1
    if not faults.ok():
        sign = -sign
    amount = sign * (total + extra)
    payload = transaction_input(
        external_id,
        str(amount),
        *(allocation(p.invoice, str(p.amount), user=p.user, type=p.type) for p in pays),
        currency=currency,
    )
    predicted = simulate_record(state, external_id, amount, currency, pays)

    def remember() -> None:
        memory.records[external_id] = payload

    variables = {"input": payload}
    return Step(
        "record", RECORD_TRANSACTION, variables, "recordTransaction", predicted, False, remember
    )


@dataclass(frozen=True)
class AddPay:
    pay: Pay


@dataclass(frozen=True)
class ChangePay:
    id: str
    amount: int


@dataclass(frozen=True)
class DeletePay:
    id: str


def simulate_allocations(
    state: State, external_id: str, stale: bool, operations: list[AddPay | ChangePay | DeletePay]
) -> State | None:
    if stale:
        return None
    txn = state.txns[external_id]
    current = {pay.id: pay for pay in state.pays if pay.txn == external_id}
    added: list[Pay] = []
    touched: set[str] = set()
    for operation in operations:
        if isinstance(operation, AddPay):
            pay = operation.pay
            if pay.amount <= 0 or not direction_ok(txn.amount, pay.type):
                return None
            if pay.invoice not in state.status:
                return None
            touched.add(pay.invoice)
            added.append(pay)
            continue
        if operation.id not in current:
            return None
        touched.add(current[operation.id].invoice)
        if isinstance(operation, DeletePay):
            del current[operation.id]
        elif operation.amount <= 0:
            return None
        else:
            current[operation.id] = replace(current[operation.id], amount=operation.amount)
    if not all(allowed(state, invoice) for invoice in touched):
        return None
    if sum(p.amount for p in current.values()) + sum(p.amount for p in added) > abs(txn.amount):
        return None
    predicted = state.copy()
    others = [pay for pay in state.pays if pay.txn != external_id]
    predicted.pays = others + list(current.values()) + added
    predicted.txns[external_id] = replace(txn, version=txn.version + 1)
    if predicted.overdrawn():
        return None
    return commit(predicted)


def plan_allocations(data: st.DataObject, faults: Faults, state: State, memory: Memory) -> Step:
    busy = {pay.txn for pay in state.pays}
    movable = [ext for ext, txn in state.txns.items() if ext in busy or txn.amount != 0]
    external_id = data.draw(st.sampled_from(sorted(movable or state.txns)))
    txn = state.txns[external_id]
    stale = not faults.ok()
    expected_version = (
        txn.version if not stale else (txn.version - 1 if txn.version > 1 else txn.version + 1)
    )
    mine = [pay for pay in state.pays if pay.txn == external_id]
    direction = PAYIN if txn.amount > 0 else PAYOUT
    unallocated = abs(txn.amount) - sum(pay.amount for pay in mine)
    planned: dict[MoneyKey, int] = {}
    inputs: list[Json] = []
    operations: list[AddPay | ChangePay | DeletePay] = []
    for _ in range(data.draw(st.integers(1, 3))):
        kinds = (["add", "add"] if unallocated > 0 else []) + (
            ["update", "update", "delete"] if mine else []
        )
        if not kinds:
            break
        kind = data.draw(st.sampled_from(kinds))
        if kind == "add":
            target = draw_target(data, faults, state, planned, txn.currency, direction)
            if target is None:
                continue
            key = (target[0], target[1], txn.currency, target[3])
            room = min(state.remaining(key) - planned.get(key, 0), unallocated)
            amount = draw_amount(data, faults, room)
            planned[key] = planned.get(key, 0) + amount
            unallocated -= amount
            pay = Pay("", external_id, key[0], key[1], key[2], key[3], amount)
            operations.append(AddPay(pay))
            inputs.append({"add": allocation(key[0], str(amount), user=key[1], type=key[3])})
            continue
        chosen = data.draw(st.sampled_from(mine)) if faults.ok() else None
        target_id = "pay_unknown" if chosen is None else chosen.id
        if kind == "delete":
            if chosen is not None:
                planned[chosen.key] = planned.get(chosen.key, 0) - chosen.amount
                unallocated += chosen.amount
            operations.append(DeletePay(target_id))
            inputs.append({"delete": {"id": target_id}})
            continue
        amount = data.draw(st.integers(1, 100))
        if chosen is not None:
            room = state.remaining(chosen.key) - planned.get(chosen.key, 0)
            if faults.ok():
                if data.draw(st.booleans()):
                    amount = chosen.amount + data.draw(
                        st.integers(0, max(0, min(room, unallocated)))
                    )
                else:
                    amount = data.draw(st.integers(1, chosen.amount))
            else:
                amount = data.draw(st.sampled_from([0, chosen.amount + max(room, 0) + 1]))
            planned[chosen.key] = planned.get(chosen.key, 0) + amount - chosen.amount
            unallocated -= amount - chosen.amount
        operations.append(ChangePay(target_id, amount))
        inputs.append({"update": {"id": target_id, "amount": str(amount)}})
    payload = {
        "transaction": {"externalId": external_id},
        "expectedVersion": expected_version,
        "allocations": inputs,
    }
    if not operations:  # nothing left to add anywhere: move money instead
        return plan_record(data, faults, state, memory)
    predicted = simulate_allocations(state, external_id, stale, operations)
    return Step(
        "allocations", UPDATE_ALLOCATIONS, {"input": payload}, "updateAllocations", predicted
    )


def plan_transition(data: st.DataObject, faults: Faults, state: State) -> Step:
    every = [(invoice, action) for invoice in sorted(state.status) for action in TRANSITIONS]
    possible = [(i, a) for i, a in every if state.status[i] in TRANSITIONS[a][0]]
    if possible and faults.ok():
        invoice, action = data.draw(st.sampled_from(possible))
    else:
        invoice, action = data.draw(st.sampled_from(every))
    version_mode = data.draw(st.sampled_from(["none", "current"])) if faults.ok() else "stale"
    target: Json = {"id": state.ids[invoice]}
    if version_mode != "none":
        target["expectedVersion"] = state.version[invoice] + (version_mode == "stale")
    predicted: State | None = None
    sources, destination = TRANSITIONS[action]
    if version_mode != "stale" and state.status[invoice] in sources:
        predicted = state.copy()
        predicted.status[invoice] = destination
        predicted = commit(predicted, [invoice])
    variables = {"input": target, action: True}
    return Step(f"transition {action}", TRANSITION, variables, action, predicted)


def plan(data: st.DataObject, state: State, memory: Memory) -> Step:
    kind = data.draw(st.sampled_from(KINDS)) if state.status else "create"
    if kind == "create" and len(state.status) >= 4:
        kind = "record"  # enough invoices: move money between them instead
    if kind == "allocations" and not state.txns:
        kind = "record"
    faults = Faults(data)
    if kind == "create":
        return plan_create(data, faults, state, memory)
    if kind == "update":
        return plan_update(data, faults, state)
    if kind == "record":
        return plan_record(data, faults, state, memory)
    if kind == "allocations":
        return plan_allocations(data, faults, state, memory)
    return plan_transition(data, faults, state)


# ---------------------------------------------------------------- the test


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_money_movements_keep_every_rule(
    make_api: MakeApi, data: st.DataObject
) -> None:
    api = await make_api("Money properties")
    memory = Memory()
    world = await read_world(api)
    for number in range(data.draw(st.integers(3, 10), label="steps")):
        state = model_of(world)
        step = plan(data, state, memory)
        response = (await api.ok(step.document, **step.variables))[step.result]
        refused = "code" in response
        event(f"{step.kind}: {response['__typename'] if refused else 'ok'}")
        note(f"step {number}: {step.kind} {step.variables}")
        note(f"  -> {response['__typename']} {response.get('message', '')}")
        assert response["__typename"] != "InternalError", response

        after = await read_world(api)
        check_world(after)
        if step.predicted is None:
            assert refused, f"{step.kind} should be refused: {step.variables} -> {response}"
        else:
            assert not refused, f"{step.kind} should succeed: {step.variables} -> {response}"
        if refused:
            assert after == world, f"a refused {step.kind} changed something: {response}"
        else:
            assert step.predicted is not None
            assert model_of(after).view() == step.predicted.view(), step.variables
            if "isIkReplay" in response:
                assert response["isIkReplay"] is step.replay
            if step.replay:
                assert after == world, f"a replayed {step.kind} changed something"
            if step.remember is not None:
                step.remember()
        world = after

    for invoice in world["invoices"]:
        await check_history(api, invoice)
