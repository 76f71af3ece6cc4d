"""Issue 24, item 4: list filters neither fill SQLAlchemy's statement cache nor take
unbounded lists.

Each list of a filter is one bound parameter (IN lists expand at execution; tag patterns are one
JSON array), so however many values a filter holds, SQLAlchemy compiles no new statement once
each shape has run once: counted as statements compiled (cache misses), not as time or memory.
Past its cap, a list is BAD_USER_INPUT naming the field and the cap, and nothing runs.
"""

from typing import Any

import pytest

from invoicegraph.store.engine import Database
from tests.operations import CREATE_INVOICE_MINIMAL as CREATE
from tests.operations import RECORD_TRANSACTION, invoice_input, line_item, transaction_input
from tests.support import Api, count_statements

INVOICES = """
query Invoices($filter: InvoicesFilter) {
  invoices(first: 5, filter: $filter) { totalCount nodes { invoiceId } }
  alice: user(user: {externalId: "alice"}) { invoices(first: 5, filter: $filter) { nodes { id } } }
}
"""

TRANSACTIONS = """
query Transactions($filter: TransactionsFilter) {
  transactions(first: 5, filter: $filter) { totalCount nodes { externalId } }
}
"""


def tag_patterns(count: int) -> list[dict[str, str]]:
    """`count` patterns; the first matches the invoices made below, the others nothing."""
    return [{"key": "env", "value": "pr*"}] + [
        {"key": f"k{n}", "value": f"v{n}?"} for n in range(1, count)
    ]


def invoice_filter(size: int) -> dict[str, Any]:
    return {
        "tags": {"all": tag_patterns(size)[:1] * size, "any": tag_patterns(size)},
        "productId": {"in": ["p"] + [f"p{n}" for n in range(1, size * 10)]},
        "status": {"in": ["OPEN", "DRAFT", "PAID", "VOID", "UNCOLLECTIBLE"][: 1 + size % 5]},
        "search": " ".join(["prod"] * size),
    }


async def seed(api: Api) -> None:
    for index in range(3):
        await api.ok(
            CREATE,
            input=invoice_input(
                f"inv-{index}",
                line_item(user="alice", product_id="p", description="prod thing"),
                tags=[{"key": "env", "value": "prod"}],
            ),
        )
        await api.ok(
            RECORD_TRANSACTION,
            input=transaction_input(f"t-{index}", "1", tags=[{"key": "env", "value": "prod"}]),
        )


async def test_filters_of_any_size_compile_no_new_statement(api: Api, app_db: Database) -> None:
    await seed(api)
    # given each shape of filter has run once
    first = await api.ok(INVOICES, filter=invoice_filter(1))
    assert first["invoices"]["totalCount"] == 3
    await api.ok(
        TRANSACTIONS,
        filter={
            "tags": {"all": tag_patterns(1), "any": tag_patterns(1)},
            "externalId": {"in": ["t-0"]},
        },
    )
    # when filters with 2 to 20 patterns and up to 200 values run
    with count_statements(app_db) as seen:
        for size in range(2, 21):
            data = await api.ok(INVOICES, filter=invoice_filter(size))
            assert data["invoices"]["totalCount"] == 3, size
            assert len(data["alice"]["invoices"]["nodes"]) == 3, size
            transactions = await api.ok(
                TRANSACTIONS,
                filter={
                    "tags": {"all": tag_patterns(size)[:1] * size, "any": tag_patterns(size)},
                    "externalId": {"in": [f"t-{n}" for n in range(size * 10)]},
                },
            )
            assert transactions["transactions"]["totalCount"] == 3, size
    # then they ran many statements and compiled none
    assert seen.count > 100
    assert seen.compiled == []  # 95 before issue 24, one per shape and size


@pytest.mark.parametrize(
    ("document", "filter", "message"),
    [
        (
            INVOICES,
            {"tags": {"all": tag_patterns(21)}},
            "filter.tags.all takes at most 20 patterns",
        ),
        (
            INVOICES,
            {"tags": {"any": tag_patterns(21)}},
            "filter.tags.any takes at most 20 patterns",
        ),
        (
            INVOICES,
            {"productId": {"in": ["p"] * 201}},
            "filter.productId.in takes at most 200 values",
        ),
        (
            INVOICES,
            {"transactionTags": {"all": tag_patterns(21)}},
            "filter.transactionTags.all takes at most 20 patterns",
        ),
        (
            INVOICES,
            {"transactionTags": {"any": tag_patterns(21)}},
            "filter.transactionTags.any takes at most 20 patterns",
        ),
        (INVOICES, {"status": {"in": ["OPEN"] * 6}}, "filter.status.in takes at most 5 values"),
        (INVOICES, {"search": " ".join(["w"] * 21)}, "filter.search takes at most 20 words"),
        (
            TRANSACTIONS,
            {"tags": {"all": tag_patterns(21)}},
            "filter.tags.all takes at most 20 patterns",
        ),
        (
            TRANSACTIONS,
            {"tags": {"any": tag_patterns(21)}},
            "filter.tags.any takes at most 20 patterns",
        ),
        (
            TRANSACTIONS,
            {"externalId": {"in": ["t"] * 201}},
            "filter.externalId.in takes at most 200 values",
        ),
    ],
)
async def test_a_list_past_its_cap_is_bad_user_input_and_runs_nothing(
    api: Api, app_db: Database, document: str, filter: dict[str, Any], message: str
) -> None:
    with count_statements(app_db) as seen:
        result = await api.query(document, filter=filter)
    assert result.codes, result.errors
    assert set(result.codes) == {"BAD_USER_INPUT"}, result.errors
    assert {error["message"] for error in result.errors or []} == {message}
    assert seen.count <= 2  # the bearer's workspace and client, read before any list


async def test_a_filter_at_every_cap_is_answered(api: Api) -> None:
    await seed(api)
    at_caps = {
        "tags": {"all": tag_patterns(1) * 20, "any": tag_patterns(20)},
        "productId": {"in": ["p"] * 200},
        "status": {"in": ["OPEN"] * 5},
        "search": " ".join(["prod"] * 20),
        "transactionTags": {"any": tag_patterns(20)},
    }
    data = await api.ok(
        INVOICES, filter={k: v for k, v in at_caps.items() if k != "transactionTags"}
    )
    assert data["invoices"]["totalCount"] == 3
    data = await api.ok(INVOICES, filter=at_caps)
    assert data["invoices"]["totalCount"] == 0  # no payment in the seed
    data = await api.ok(
        INVOICES, filter={k: v for k, v in at_caps.items() if k != "transactionTags"}
    )
    assert data["invoices"]["totalCount"] == 3
