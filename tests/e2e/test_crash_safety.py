"""Crash safety: SIGKILL the real server under a concurrent write load, restart it on the same file.

Eight workers loop over createInvoice, updateInvoice, recordTransaction, updateAllocations and a
second updateInvoice, each on objects of its own and one request at a time, keeping what every
acknowledged write returned and what the one write it has in flight would make. The server is
killed with SIGKILL (no shutdown, no checkpoint, no closing of the database) while requests are
in flight, restarted on the same SQLite file and read back in full:

- every acknowledged write is there exactly as acknowledged (content and ids of every acknowledged
  invoice version, status of every version a payment response showed, transactions and their
  allocations);
- the write each worker had in flight is wholly there or wholly absent, and nothing else exists;
- every invoice is whole (version = number of history entries, versions 1..n, the newest snapshot
  = its current line items, tags and status), every transaction's unallocatedAmount =
  abs(amount) - its allocations, payments seen from invoices and from transactions agree, and the
  stored flags behind the hasRemaining / ignoreZero / hasUnallocated filters agree with the money;
- 0 <= actual <= expected for every (invoice, user, currency, type); PAID iff settled.

Then it all happens once more on the restarted server, and the objects of the first round must
read back exactly as they did after the first restart.

WAL with synchronous=NORMAL may lose the newest commits on a power loss, never on a process kill:
the kernel keeps every WAL page the process wrote, so no acknowledged write may be missing.
"""

import asyncio
import signal
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from tests.backends import sqlite_url
from tests.e2e.server import (
    INVOICEGRAPH,
    STOP_TIMEOUT_SECONDS,
    Server,
    assert_clean_log,
    clean_environment,
    create_client,
    create_workspace,
    free_port,
)
from tests.operations import (
    CREATE_INVOICE,
    RECORD_TRANSACTION,
    UPDATE_ALLOCATIONS,
    UPDATE_INVOICE,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import fetch_token

pytestmark = pytest.mark.e2e

WORKERS = 8
KILL_AFTER_SECONDS = (2.0, 2.5)
"""One load per entry, killed this long after it started."""
PAGE = 50
HISTORY_PAGE = 10
"""No invoice here gets more than 4 versions."""
SHOWN_PROBLEMS = 40
LOG_TAIL = 6000

# --- the server: started and SIGKILLed by this module ---------------------------------------------


def start_server(database_url: str, workdir: Path) -> Server:
    """`invoicegraph serve` on a free port, healthy; its output goes to serve-N.std{out,err}."""
    port = free_port()
    runs = len(list(workdir.glob("serve-*.stdout")))
    stdout_path = workdir / f"serve-{runs}.stdout"
    stderr_path = workdir / f"serve-{runs}.stderr"
    command = [
        str(INVOICEGRAPH), "serve",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--database-url", database_url,
        "--no-demo",
    ]  # fmt: skip
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            command, cwd=workdir, env=clean_environment(), stdout=out, stderr=err
        )
    server = Server(process, f"http://127.0.0.1:{port}", stdout_path, stderr_path)
    try:
        server.wait_until_healthy()
    except BaseException:
        server.stop()
        raise
    return server


def sigkill(server: Server) -> None:
    """SIGKILL: no shutdown handler runs, no WAL checkpoint, the database is never closed."""
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    assert server.process.returncode == -signal.SIGKILL, server.output()


# --- what the workers know ------------------------------------------------------------------------


class Item(NamedTuple):
    """A line item without its id."""

    description: str
    product_id: str
    type: str
    currency: str
    amount: str
    quantity: int
    unit_price: str
    user: str


Tags = tuple[tuple[str, str], ...]


class Allocation(NamedTuple):
    """An allocation without its id."""

    invoice_id: str
    user: str
    type: str
    amount: str


@dataclass(frozen=True)
class Content:
    """An invoice as one version of it stands: its line items ("" for ids not yet known), tags."""

    items: tuple[tuple[str, Item], ...]
    tags: Tags

    def anonymous(self) -> tuple[tuple[Item, ...], Tags]:
        """Without line item ids: what a write not acknowledged can be compared with."""
        return tuple(sorted(item for _, item in self.items)), self.tags

    def item_id(self, description: str) -> str:
        [found] = [id for id, item in self.items if item.description == description]
        return found


def item_of(item: dict[str, Any]) -> Item:
    price = item["price"]
    return Item(
        item["description"],
        item["productId"],
        item["type"],
        item["currency"],
        price["amount"],
        int(price["quantity"]),
        price["unitPrice"],
        item["user"]["externalId"],
    )


def input_item(item: dict[str, Any]) -> Item:
    """The line item an input of `line_item(amount=...)` makes: quantity 1, unitPrice = amount."""
    amount = item["price"]["amount"]
    return Item(
        item["description"],
        item["productId"],
        item["type"],
        item["currency"],
        amount,
        1,
        amount,
        item["user"]["externalId"],
    )


def tags_of(tags: list[dict[str, str]]) -> Tags:
    return tuple(sorted((tag["key"], tag["value"]) for tag in tags))


def content_of(node: dict[str, Any], id_field: str) -> Content:
    """The content of an Invoice (`id`) or an InvoiceVersion (`lineItemId`) as read."""
    return Content(
        items=tuple(sorted((item[id_field], item_of(item)) for item in node["lineItems"])),
        tags=tags_of(node["tags"]),
    )


def planned(
    current: Content, operations: list[dict[str, Any]], tags_update: dict[str, Any]
) -> Content:
    """What an updateInvoice with these operations would make of `current`."""
    items = dict(current.items)
    added: list[tuple[str, Item]] = []
    for operation in operations:
        if "add" in operation:
            added.append(("", input_item(operation["add"])))
            continue
        change = operation["update"]
        item = items[change["id"]]
        if "description" in change:
            item = item._replace(description=change["description"])
        if "price" in change:
            amount = change["price"]["amount"]
            item = item._replace(amount=amount, quantity=1, unit_price=amount)
        items[change["id"]] = item
    tags = dict(current.tags)
    for tag in tags_update.get("set", []):
        tags[tag["key"]] = tag["value"]
    for key in tags_update.get("remove", []):
        tags.pop(key, None)
    return Content(tuple(sorted([*items.items(), *added])), tuple(sorted(tags.items())))


def allocations_of(transaction: dict[str, Any]) -> tuple[tuple[str, Allocation], ...]:
    return tuple(
        sorted(
            (
                found["id"],
                Allocation(
                    found["invoice"]["invoiceId"],
                    found["user"]["externalId"],
                    found["type"],
                    found["amount"],
                ),
            )
            for found in transaction["allocations"]
        )
    )


def anonymous(allocations: tuple[tuple[str, Allocation], ...]) -> tuple[Allocation, ...]:
    return tuple(sorted(found for _, found in allocations))


def input_allocation(given: dict[str, Any]) -> Allocation:
    return Allocation(
        given["invoice"]["invoiceId"], given["user"]["externalId"], given["type"], given["amount"]
    )


@dataclass
class InvoiceRecord:
    """One invoice a worker writes, as far as acknowledged responses tell."""

    key: str
    id: str | None = None
    """Set by the acknowledged createInvoice."""
    version: int = 0
    """The newest version an acknowledged response showed."""
    status: str = ""
    current: Content = Content((), ())
    contents: dict[int, Content] = field(default_factory=dict)
    """The content of every version an acknowledged createInvoice or updateInvoice returned."""
    statuses: dict[int, str] = field(default_factory=dict)
    """The status of every version an acknowledged response showed."""

    def acknowledge(self, invoice: dict[str, Any]) -> None:
        """An acknowledged createInvoice or updateInvoice returned this invoice."""
        self.id = invoice["id"]
        self.version = invoice["version"]
        self.status = invoice["status"]
        self.current = content_of(invoice, "id")
        self.contents[self.version] = self.current
        self.statuses[self.version] = self.status

    def observe(self, version: int, status: str) -> None:
        """An acknowledged payment write showed the invoice at this version and status."""
        self.statuses[version] = status
        if version > self.version:
            self.version, self.status = version, status


@dataclass
class TransactionRecord:
    external_id: str
    amount: str
    version: int = 0
    """0 until the recordTransaction is acknowledged."""
    allocations: tuple[tuple[str, Allocation], ...] = ()

    def acknowledge(self, transaction: dict[str, Any], invoice: InvoiceRecord) -> None:
        self.version = transaction["version"]
        self.allocations = allocations_of(transaction)
        for found in transaction["allocations"]:
            assert found["invoice"]["invoiceId"] == invoice.key
            invoice.observe(found["invoice"]["version"], found["invoice"]["status"])


@dataclass(frozen=True)
class InFlight:
    """A write whose response never arrived: it must be wholly there or wholly absent."""

    operation: str
    invoice: InvoiceRecord
    transaction: TransactionRecord | None = None
    content: Content | None = None
    """What a createInvoice or updateInvoice would make."""
    allocations: tuple[Allocation, ...] | None = None
    """What a recordTransaction or updateAllocations would leave on the transaction."""


@dataclass
class Load:
    round: int
    invoices: list[InvoiceRecord] = field(default_factory=list)
    transactions: list[TransactionRecord] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)
    in_flight: list[InFlight] = field(default_factory=list)
    unsent: list[InFlight] = field(default_factory=list)
    """Writes a worker was about to send when the kill began: they must be absent."""
    unexpected: list[str] = field(default_factory=list)
    killing: bool = False


# --- the write load -------------------------------------------------------------------------------

SUCCESS = {
    "createInvoice": "CreateInvoiceResult",
    "updateInvoice": "UpdateInvoiceResult",
    "recordTransaction": "RecordTransactionResult",
    "updateAllocations": "UpdateAllocationsResult",
}
DOCUMENTS = {
    "createInvoice": CREATE_INVOICE,
    "updateInvoice": UPDATE_INVOICE,
    "recordTransaction": RECORD_TRANSACTION,
    "updateAllocations": UPDATE_ALLOCATIONS,
}


async def write(
    http: httpx.AsyncClient, token: str, load: Load, pending: InFlight, input: dict[str, Any]
) -> dict[str, Any] | None:
    """Send one write; its result if acknowledged, None if it is (or may be) in flight."""
    if load.killing:
        load.unsent.append(pending)
        return None
    operation = pending.operation
    try:
        response = await http.post(
            "/graphql",
            json={"query": DOCUMENTS[operation], "variables": {"input": input}},
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.TransportError as error:
        if not load.killing:
            load.unexpected.append(f"{operation} {input}: {error!r} before the kill")
        load.in_flight.append(pending)
        return None
    body = response.json() if response.status_code == 200 else {}
    result = (body.get("data") or {}).get(operation) or {}
    if body.get("errors") is not None or result.get("__typename") != SUCCESS[operation]:
        load.unexpected.append(f"{operation} {input}: {response.status_code} {response.text}")
        load.in_flight.append(pending)  # whether it was written is not known
        return None
    load.acknowledged[operation] += 1
    acknowledged: dict[str, Any] = result
    return acknowledged


def expect(load: Load, condition: bool, message: str) -> None:
    if not condition:
        load.unexpected.append(message)


async def worker(http: httpx.AsyncClient, token: str, load: Load, number: int) -> None:
    """Create, update, pay part, pay more (settling every other invoice), update again; repeat."""
    user_a, user_b = f"w{number}-a", f"w{number}-b"
    iteration = 0
    while not load.killing:
        key = f"r{load.round}-w{number}-{iteration:04d}"
        amount_a, amount_b = 1000 + 10 * iteration, 500 + iteration
        work, hosting, extra = f"{key} work", f"{key} hosting", f"{key} extra"

        # 1. createInvoice: two PAYIN line items, one per user
        invoice = InvoiceRecord(key)
        load.invoices.append(invoice)
        items = [
            line_item(amount=str(amount_a), user=user_a, description=work, product_id="work"),
            line_item(amount=str(amount_b), user=user_b, description=hosting, product_id="host"),
        ]
        tags = [{"key": "round", "value": str(load.round)}, {"key": "worker", "value": str(number)}]
        content = Content(tuple(sorted(("", input_item(item)) for item in items)), tags_of(tags))
        created = await write(
            http,
            token,
            load,
            InFlight("createInvoice", invoice, content=content),
            invoice_input(key, *items, tags=tags),
        )
        if created is None:
            return
        invoice.acknowledge(created["invoice"])
        expect(load, created["isIkReplay"] is False, f"{key}: created as a replay")
        expect(load, invoice.version == 1, f"{key}: created at version {invoice.version}")

        # 2. updateInvoice: raise a's line item, add one for a, set a tag
        operations: list[dict[str, Any]] = [
            {
                "update": {
                    "id": invoice.current.item_id(work),
                    "price": {"amount": str(amount_a + 200)},
                }
            },
            {"add": line_item(amount="300", user=user_a, description=extra, product_id="extra")},
        ]
        tags_update: dict[str, Any] = {"set": [{"key": "step", "value": "2"}]}
        if not await update_invoice(http, token, load, invoice, operations, tags_update):
            return

        # 3. recordTransaction: received all that is due and 100 more; half of a's share allocated
        due_a = amount_a + 200 + 300
        transaction = TransactionRecord(f"{key}-txn", str(due_a + amount_b + 100))
        load.transactions.append(transaction)
        allocations = [allocation(key, str(due_a // 2), user=user_a)]
        recorded = await write(
            http,
            token,
            load,
            InFlight(
                "recordTransaction",
                invoice,
                transaction,
                allocations=tuple(sorted(input_allocation(given) for given in allocations)),
            ),
            transaction_input(transaction.external_id, transaction.amount, *allocations),
        )
        if recorded is None:
            return
        transaction.acknowledge(recorded["transaction"], invoice)
        expect(load, transaction.version == 1, f"{key}: transaction at {transaction.version}")

        # 4. updateAllocations: all of a's share, and all (even) or half (odd) of b's
        [(payment_id, _)] = transaction.allocations
        settles = iteration % 2 == 0
        added = allocation(key, str(amount_b if settles else amount_b // 2), user=user_b)
        allocated = await write(
            http,
            token,
            load,
            InFlight(
                "updateAllocations",
                invoice,
                transaction,
                allocations=tuple(
                    sorted([Allocation(key, user_a, "PAYIN", str(due_a)), input_allocation(added)])
                ),
            ),
            {
                "transaction": {"externalId": transaction.external_id},
                "expectedVersion": transaction.version,
                "allocations": [
                    {"update": {"id": payment_id, "amount": str(due_a)}},
                    {"add": added},
                ],
            },
        )
        if allocated is None:
            return
        transaction.acknowledge(allocated["transaction"], invoice)
        expect(load, transaction.version == 2, f"{key}: transaction at {transaction.version}")
        paid = "PAID" if settles else "OPEN"
        expect(load, invoice.status == paid, f"{key}: {invoice.status} after payment, not {paid}")

        # 5. updateInvoice: raise b's line item (PAID becomes OPEN again), or rename a's
        if invoice.status == "PAID":
            change = {
                "id": invoice.current.item_id(hosting),
                "price": {"amount": str(amount_b + 50)},
            }
        else:
            change = {"id": invoice.current.item_id(work), "description": f"{work}, revised"}
        if not await update_invoice(
            http, token, load, invoice, [{"update": change}], {"remove": ["step"]}
        ):
            return
        expect(load, invoice.status == "OPEN", f"{key}: {invoice.status} after the last update")
        iteration += 1


async def update_invoice(
    http: httpx.AsyncClient,
    token: str,
    load: Load,
    invoice: InvoiceRecord,
    operations: list[dict[str, Any]],
    tags_update: dict[str, Any],
) -> bool:
    """updateInvoice at the invoice's newest acknowledged version; True if acknowledged."""
    before = invoice.version
    updated = await write(
        http,
        token,
        load,
        InFlight(
            "updateInvoice", invoice, content=planned(invoice.current, operations, tags_update)
        ),
        {
            "id": invoice.id,
            "expectedVersion": before,
            "lineItems": operations,
            "tags": tags_update,
        },
    )
    if updated is None:
        return False
    invoice.acknowledge(updated["invoice"])
    expect(load, invoice.version == before + 1, f"{invoice.key}: {before} -> {invoice.version}")
    return True


async def load_then_sigkill(
    server: Server, token: str, round_number: int, kill_after: float
) -> Load:
    """Run the workers against the server, SIGKILL it after `kill_after` s, let them finish."""
    load = Load(round_number)
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    async with httpx.AsyncClient(
        base_url=server.base_url, trust_env=False, timeout=30.0, limits=limits
    ) as http:
        tasks = [asyncio.create_task(worker(http, token, load, n)) for n in range(WORKERS)]
        try:
            await asyncio.sleep(kill_after)
        finally:
            # No response is taken in between: the loop does not run until the process is gone.
            load.killing = True
            sigkill(server)
            await asyncio.gather(*tasks)
    return load


# --- reading everything back ----------------------------------------------------------------------

LINE_ITEM = (
    "description productId type currency price { amount quantity unitPrice } user { externalId }"
)
AMOUNTS = "{ expected actual remaining }"
BALANCE = f"currency payins {AMOUNTS} payouts {AMOUNTS}"

INVOICES = f"""
query ReadBack($after: String) {{
  invoices(first: {PAGE}, after: $after, orderBy: {{field: INVOICE_ID, direction: ASC}}) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id invoiceId status version
      tags {{ key value }}
      lineItems {{ id {LINE_ITEM} }}
      balances {{ {BALANCE} }}
      users {{ user {{ externalId }} balances {{ {BALANCE} }} }}
      payments {{ id type amount currency user {{ externalId }} transaction {{ externalId }} }}
      history(first: {HISTORY_PAGE}) {{
        totalCount
        pageInfo {{ hasNextPage }}
        nodes {{
          version status
          tags {{ key value }}
          lineItems {{ lineItemId {LINE_ITEM} }}
          changes {{ __typename }}
        }}
      }}
    }}
  }}
}}
"""

TRANSACTIONS = """
query ReadBack($after: String) {
  transactions(first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id externalId amount currency version unallocatedAmount
      allocations {
        id type amount currency
        user { externalId }
        invoice { invoiceId }
        transaction { externalId }
      }
    }
  }
}
"""

FILTERED_INVOICES = """
query Filtered($after: String, $filter: InvoicesFilter) {
  invoices(first: 200, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes { invoiceId }
  }
}
"""

UNALLOCATED_TRANSACTIONS = """
query Unallocated($after: String) {
  transactions(first: 200, after: $after, filter: {hasUnallocated: true}) {
    pageInfo { hasNextPage endCursor }
    nodes { externalId }
  }
}
"""


@dataclass(frozen=True)
class ReadBack:
    invoices: dict[str, dict[str, Any]]
    """By invoiceId."""
    transactions: dict[str, dict[str, Any]]
    """By externalId."""
    with_remaining: set[str]
    """invoiceIds the hasRemaining: true filter finds."""
    charged: set[str]
    """invoiceIds the ignoreZero: true filter finds."""
    unallocated: set[str]
    """externalIds the hasUnallocated: true filter finds."""


async def every_node(
    server: Server,
    http: httpx.AsyncClient,
    token: str,
    document: str,
    field: str,
    **variables: Any,
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        response = await http.post(
            "/graphql",
            json={"query": document, "variables": {**variables, "after": after}},
            headers={"Authorization": f"Bearer {token}"},
        )
        failure = (
            f"{field} read back: {response.status_code} {response.text}\n"
            f"--- server stderr (end) ---\n{server.stderr()[-LOG_TAIL:]}"
        )
        assert response.status_code == 200, failure
        body = response.json()
        assert body.get("errors") is None, failure
        page = body["data"][field]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def read_back(server: Server, client_id: str, client_secret: str) -> ReadBack:
    async with httpx.AsyncClient(base_url=server.base_url, trust_env=False, timeout=60.0) as http:
        token = await fetch_token(http, client_id, client_secret)
        invoices = await every_node(server, http, token, INVOICES, "invoices")
        transactions = await every_node(server, http, token, TRANSACTIONS, "transactions")
        with_remaining = await every_node(
            server, http, token, FILTERED_INVOICES, "invoices", filter={"hasRemaining": True}
        )
        charged = await every_node(
            server, http, token, FILTERED_INVOICES, "invoices", filter={"ignoreZero": True}
        )
        unallocated = await every_node(
            server, http, token, UNALLOCATED_TRANSACTIONS, "transactions"
        )
    by_key = {invoice["invoiceId"]: invoice for invoice in invoices}
    by_external_id = {transaction["externalId"]: transaction for transaction in transactions}
    assert len(by_key) == len(invoices), "an invoice was listed twice"
    assert len(by_external_id) == len(transactions), "a transaction was listed twice"
    return ReadBack(
        invoices=by_key,
        transactions=by_external_id,
        with_remaining={node["invoiceId"] for node in with_remaining},
        charged={node["invoiceId"] for node in charged},
        unallocated={node["externalId"] for node in unallocated},
    )


# --- the checks -----------------------------------------------------------------------------------

MoneyKey = tuple[str, str, str]
"""(user, currency, type)."""
FLOWS = (("payins", "PAYIN"), ("payouts", "PAYOUT"))


def check_invoice_whole(invoice: dict[str, Any], read: ReadBack) -> list[str]:
    """History complete and matching, money invariant, PAID rule, and the stored filter flags."""
    where = f"invoice {invoice['invoiceId']} (version {invoice['version']}, {invoice['status']})"
    problems: list[str] = []
    history = invoice["history"]
    versions = [node["version"] for node in history["nodes"]]
    version = invoice["version"]
    if versions != list(range(version, 0, -1)) or history["totalCount"] != version:
        problems.append(f"{where}: history versions {versions}, totalCount {history['totalCount']}")
    if history["pageInfo"]["hasNextPage"]:
        problems.append(f"{where}: more than {HISTORY_PAGE} versions")
    if versions:
        newest = history["nodes"][0]
        if content_of(newest, "lineItemId") != content_of(invoice, "id"):
            problems.append(
                f"{where}: current line items/tags {content_of(invoice, 'id')} differ from the "
                f"newest snapshot {content_of(newest, 'lineItemId')}"
            )
        if newest["status"] != invoice["status"]:
            problems.append(f"{where}: newest snapshot is {newest['status']}")
        if history["nodes"][-1]["changes"] != []:
            problems.append(f"{where}: version 1 has changes {history['nodes'][-1]['changes']}")
        if any(node["changes"] == [] for node in history["nodes"][:-1]):
            problems.append(f"{where}: a version after 1 without changes: {history['nodes']}")

    expected: Counter[MoneyKey] = Counter()
    actual: Counter[MoneyKey] = Counter()
    for item in invoice["lineItems"]:
        key = (item["user"]["externalId"], item["currency"], item["type"])
        expected[key] += int(item["price"]["amount"])
    for payment in invoice["payments"]:
        key = (payment["user"]["externalId"], payment["currency"], payment["type"])
        actual[key] += int(payment["amount"])
    keys = set(expected) | set(actual)
    reported: set[MoneyKey] = set()
    totals: Counter[tuple[str, str]] = Counter()
    for entry in invoice["users"]:
        user = entry["user"]["externalId"]
        for balance in entry["balances"]:
            for flow, type in FLOWS:
                key = (user, balance["currency"], type)
                reported.add(key)
                amounts = balance[flow]
                shown = int(amounts["expected"]), int(amounts["actual"]), int(amounts["remaining"])
                if shown != (expected[key], actual[key], expected[key] - actual[key]):
                    problems.append(
                        f"{where}: {key} shows {shown}, line items and payments "
                        f"make {expected[key]} expected, {actual[key]} actual"
                    )
                if not 0 <= shown[1] <= shown[0]:
                    problems.append(f"{where}: {key} breaks 0 <= actual <= expected: {shown}")
    for key in keys - reported:
        if expected[key] or actual[key]:
            problems.append(f"{where}: no balance shown for {key}")
    for (_, currency, type), amount in expected.items():
        totals[(currency, type)] += amount
    paid_totals: Counter[tuple[str, str]] = Counter()
    for (_, currency, type), amount in actual.items():
        paid_totals[(currency, type)] += amount
    for balance in invoice["balances"]:
        for flow, type in FLOWS:
            key2 = (balance["currency"], type)
            amounts = balance[flow]
            shown = int(amounts["expected"]), int(amounts["actual"]), int(amounts["remaining"])
            if shown != (totals[key2], paid_totals[key2], totals[key2] - paid_totals[key2]):
                problems.append(f"{where}: balance {key2} shows {shown}")

    has_remaining = any(expected[key] != actual[key] for key in keys)
    charged = any(int(item["price"]["amount"]) != 0 for item in invoice["lineItems"])
    if invoice["status"] in ("OPEN", "PAID", "UNCOLLECTIBLE"):
        settled = charged and not has_remaining
        if settled != (invoice["status"] == "PAID"):
            problems.append(
                f"{where}: settled is {settled}; expected {dict(expected)}, actual {dict(actual)}"
            )
    if (invoice["invoiceId"] in read.with_remaining) != has_remaining:
        problems.append(f"{where}: hasRemaining filter disagrees (remaining: {has_remaining})")
    if (invoice["invoiceId"] in read.charged) != charged:
        problems.append(f"{where}: ignoreZero filter disagrees (charged: {charged})")
    return problems


def check_transaction_whole(transaction: dict[str, Any], read: ReadBack) -> list[str]:
    where = f"transaction {transaction['externalId']} (version {transaction['version']})"
    problems: list[str] = []
    amount = int(transaction["amount"])
    allocated = sum(int(found["amount"]) for found in transaction["allocations"])
    unallocated = int(transaction["unallocatedAmount"])
    if unallocated != abs(amount) - allocated or unallocated < 0:
        problems.append(
            f"{where}: unallocatedAmount {unallocated}, amount {amount}, allocated {allocated}"
        )
    if (transaction["externalId"] in read.unallocated) != (unallocated != 0):
        problems.append(f"{where}: hasUnallocated filter disagrees ({unallocated})")
    if transaction["version"] < 1:
        problems.append(f"{where}: version below 1")
    for found in transaction["allocations"]:
        direction = "PAYIN" if amount > 0 else "PAYOUT"
        if found["currency"] != transaction["currency"] or found["type"] != direction:
            problems.append(f"{where}: allocation {found}")
        if found["transaction"]["externalId"] != transaction["externalId"]:
            problems.append(f"{where}: allocation {found} names another transaction")
    return problems


def check_whole(read: ReadBack) -> list[str]:
    """Every object that exists is whole, whoever wrote it; payments agree from both sides."""
    problems: list[str] = []
    for invoice in read.invoices.values():
        problems += check_invoice_whole(invoice, read)
    for transaction in read.transactions.values():
        problems += check_transaction_whole(transaction, read)
    from_invoices = {
        (p["id"], invoice["invoiceId"], p["transaction"]["externalId"], p["user"]["externalId"],
         p["type"], p["amount"])
        for invoice in read.invoices.values()
        for p in invoice["payments"]
    }  # fmt: skip
    from_transactions = {
        (a["id"], a["invoice"]["invoiceId"], transaction["externalId"], a["user"]["externalId"],
         a["type"], a["amount"])
        for transaction in read.transactions.values()
        for a in transaction["allocations"]
    }  # fmt: skip
    if from_invoices != from_transactions:
        problems.append(
            f"payments seen only from invoices: {sorted(from_invoices - from_transactions)[:5]}; "
            f"only from transactions: {sorted(from_transactions - from_invoices)[:5]}"
        )
    return problems


def check_load(load: Load, read: ReadBack, outcomes: Counter[str]) -> list[str]:
    """Acknowledged writes exactly as acknowledged; in-flight writes wholly there or absent."""
    problems: list[str] = []
    unsent = {id(pending) for pending in load.unsent}

    def outcome(pending: InFlight, present: bool) -> None:
        if id(pending) in unsent:
            if present:
                problems.append(f"{pending.operation} never sent, yet there: {pending}")
            return
        outcomes[f"{pending.operation} {'present' if present else 'absent'}"] += 1

    every_pending = [*load.in_flight, *load.unsent]
    pending_on_invoice = {pending.invoice.key: pending for pending in every_pending}
    pending_on_transaction = {
        pending.transaction.external_id: pending
        for pending in every_pending
        if pending.transaction is not None
    }
    for record in load.invoices:
        where = f"invoice {record.key}"
        found = read.invoices.get(record.key)
        pending = pending_on_invoice.get(record.key)
        if record.id is None:
            assert pending is not None, record
            assert pending.content is not None, pending
            if found is None:
                outcome(pending, present=False)
                continue
            outcome(pending, present=True)
            if found["version"] != 1 or (
                content_of(found, "id").anonymous() != pending.content.anonymous()
            ):
                problems.append(f"{where}: the createInvoice in flight is there in part: {found}")
            continue
        if found is None:
            problems.append(f"{where}: its acknowledged createInvoice is lost")
            continue
        if found["id"] != record.id:
            problems.append(f"{where}: id {found['id']}, acknowledged as {record.id}")
        history = {node["version"]: node for node in found["history"]["nodes"]}
        for version, content in record.contents.items():
            node = history.get(version)
            if node is None:
                problems.append(f"{where}: acknowledged version {version} is lost")
            elif content_of(node, "lineItemId") != content:
                problems.append(
                    f"{where}: version {version} is {content_of(node, 'lineItemId')}, "
                    f"acknowledged as {content}"
                )
        for version, status in record.statuses.items():
            node = history.get(version)
            if node is not None and node["status"] != status:
                problems.append(
                    f"{where}: version {version} is {node['status']}, acknowledged {status}"
                )
        allowed = {record.version} if pending is None else {record.version, record.version + 1}
        if found["version"] not in allowed:
            problems.append(
                f"{where}: at version {found['version']}, newest acknowledged {record.version}, "
                f"in flight: {pending.operation if pending else None}"
            )
        if pending is not None and pending.operation == "updateInvoice":
            assert pending.content is not None
            if found["version"] == record.version:
                outcome(pending, present=False)
            elif (node := history.get(record.version + 1)) is not None:
                outcome(pending, present=True)
                if content_of(node, "lineItemId").anonymous() != pending.content.anonymous():
                    problems.append(
                        f"{where}: the updateInvoice in flight made "
                        f"{content_of(node, 'lineItemId')}, not {pending.content}"
                    )
    for transaction in load.transactions:
        where = f"transaction {transaction.external_id}"
        found = read.transactions.get(transaction.external_id)
        pending = pending_on_transaction.get(transaction.external_id)
        if found is not None and found["amount"] != transaction.amount:
            problems.append(f"{where}: amount {found['amount']}, sent {transaction.amount}")
        if transaction.version == 0:
            assert pending is not None, transaction
            assert pending.allocations is not None, pending
            if found is None:
                outcome(pending, present=False)
                continue
            outcome(pending, present=True)
            if found["version"] != 1 or anonymous(allocations_of(found)) != pending.allocations:
                problems.append(
                    f"{where}: the recordTransaction in flight is there in part: {found}"
                )
            continue
        if found is None:
            problems.append(f"{where}: its acknowledged recordTransaction is lost")
            continue
        state = (found["version"], allocations_of(found))
        if state == (transaction.version, transaction.allocations):
            if pending is not None:
                outcome(pending, present=False)
        elif (
            pending is not None
            and pending.operation == "updateAllocations"
            and found["version"] == transaction.version + 1
            and anonymous(state[1]) == pending.allocations
        ):
            outcome(pending, present=True)
        else:
            problems.append(
                f"{where}: version {found['version']} with {allocations_of(found)}, acknowledged "
                f"version {transaction.version} with {transaction.allocations}, in flight: "
                f"{pending}"
            )
    return problems


def check_nothing_unknown(loads: list[Load], read: ReadBack) -> list[str]:
    """Every object read back was sent by some worker."""
    keys = {record.key for load in loads for record in load.invoices}
    external_ids = {record.external_id for load in loads for record in load.transactions}
    return [f"invoice {key} was never sent" for key in set(read.invoices) - keys] + [
        f"transaction {external_id} was never sent"
        for external_id in set(read.transactions) - external_ids
    ]


def check_unchanged(earlier: Load, before: ReadBack, after: ReadBack) -> list[str]:
    """The objects of an earlier round read back as they did after its own restart."""
    problems = [
        f"invoice {record.key} changed across a later kill"
        for record in earlier.invoices
        if before.invoices.get(record.key) != after.invoices.get(record.key)
    ]
    problems += [
        f"transaction {record.external_id} changed across a later kill"
        for record in earlier.transactions
        if before.transactions.get(record.external_id) != after.transactions.get(record.external_id)
    ]
    return problems


# --- the test -------------------------------------------------------------------------------------


async def test_acknowledged_writes_survive_sigkill_and_nothing_is_half_written(
    tmp_path: Path,
) -> None:
    database_url = sqlite_url(tmp_path / "invoicegraph.db")
    workspace_id = await asyncio.to_thread(
        create_workspace, "Crash safety", cwd=tmp_path, database_url=database_url
    )
    client_id, client_secret = await asyncio.to_thread(
        create_client, workspace_id, cwd=tmp_path, database_url=database_url
    )
    servers = [await asyncio.to_thread(start_server, database_url, tmp_path)]
    loads: list[Load] = []
    reads: list[ReadBack] = []
    try:
        for round_number, kill_after in enumerate(KILL_AFTER_SECONDS, start=1):
            # given a server under a concurrent write load
            async with httpx.AsyncClient(
                base_url=servers[-1].base_url, trust_env=False, timeout=30.0
            ) as http:
                token = await fetch_token(http, client_id, client_secret)
            # when it is killed with SIGKILL while writes are in flight, and started again
            load = await load_then_sigkill(servers[-1], token, round_number, kill_after)
            loads.append(load)
            killed = servers[-1]
            servers.append(await asyncio.to_thread(start_server, database_url, tmp_path))
            read = await read_back(servers[-1], client_id, client_secret)
            reads.append(read)

            # then everything acknowledged is there, nothing is half there, the money adds up
            outcomes: Counter[str] = Counter()
            problems = [f"unexpected during the load: {message}" for message in load.unexpected]
            problems += check_load(load, read, outcomes)
            problems += check_whole(read)
            problems += check_nothing_unknown(loads, read)
            for earlier, before in zip(loads[:-1], reads[:-1], strict=True):
                problems += check_unchanged(earlier, before, read)
            print(
                f"\nround {round_number}: SIGKILL after {kill_after} s; "
                f"{sum(load.acknowledged.values())} writes acknowledged {dict(load.acknowledged)}; "
                f"{len(load.in_flight)} in flight {dict(outcomes)}; "
                f"{len(load.unsent)} never sent; read back "
                f"{len(read.invoices)} invoices, {len(read.transactions)} transactions"
            )
            assert load.acknowledged["updateAllocations"] > 0, load.acknowledged
            assert load.in_flight, "no write was in flight at the kill"
            assert not problems, f"{len(problems)} problems:\n" + "\n".join(
                problems[:SHOWN_PROBLEMS]
            )
            assert_clean_log(killed)
            assert_clean_log(servers[-1])
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)
    assert_clean_log(servers[-1])
