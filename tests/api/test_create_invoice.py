"""createInvoice: the seed example, validation, idempotency, and Int96 money."""

import asyncio

from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import InvoiceRow, LineItemRow, UserRow
from tests.operations import CREATE_INVOICE, INVOICE_BY_KEY, invoice_input, line_item
from tests.support import Api


async def row_counts(db: Database) -> tuple[int, int, int]:
    async with db.read() as session:
        counts = []
        for model in (InvoiceRow, LineItemRow, UserRow):
            counts.append((await session.exec(select(func.count()).select_from(model))).one())
    return counts[0], counts[1], counts[2]


async def test_seed_create_example_round_trips_with_its_balances(api: Api) -> None:
    # given the seed's example: a 1000 USD payout to user_abc123
    seed = invoice_input(
        "invoice_2024_001",
        line_item(
            amount="1000",
            type="PAYOUT",
            user="user_abc123",
            description="Professional services for January 2026",
            product_id="prod_1234567890",
        ),
        tags=[{"key": "region", "value": "us-east"}],
    )
    # when
    created = (await api.ok(CREATE_INVOICE, input=seed))["createInvoice"]
    fetched = (await api.ok(INVOICE_BY_KEY, invoiceId="invoice_2024_001"))["invoice"]
    # then
    assert created["__typename"] == "CreateInvoiceResult"
    assert created["isIkReplay"] is False
    assert fetched == created["invoice"]
    assert fetched["id"].startswith("inv_")
    assert fetched["workspaceId"] == api.workspace_id
    assert fetched["status"] == "OPEN"
    assert fetched["version"] == 1
    assert fetched["created"] == fetched["modified"]
    assert fetched["created"].endswith("Z")
    assert len(fetched["created"]) == len("2026-01-13T00:00:00.000Z")
    assert fetched["tags"] == [{"key": "region", "value": "us-east"}]
    [item] = fetched["lineItems"]
    assert item["price"] == {"amount": "1000", "quantity": 1, "unitPrice": "1000"}
    assert item["user"]["externalId"] == "user_abc123"
    assert item["user"]["id"].startswith("usr_")
    usd = {
        "currency": "USD",
        "payins": {"expected": "0", "actual": "0", "remaining": "0"},
        "payouts": {"expected": "1000", "actual": "0", "remaining": "1000"},
        "net": {"expected": "-1000", "actual": "0", "remaining": "-1000"},
    }
    assert fetched["balances"] == [usd]
    assert fetched["users"] == [{"user": {"externalId": "user_abc123"}, "balances": [usd]}]


async def test_balances_split_by_currency_and_user(api: Api) -> None:
    items = [
        line_item(amount="4900", user="cust_acme"),
        line_item(amount=None, unitPrice="1500", quantity=3, user="cust_acme"),
        line_item(amount="700", user="partner_1", type="PAYOUT"),
        line_item(amount="120000", user="cust_acme", currency="EUR"),
    ]
    created = (await api.ok(CREATE_INVOICE, input=invoice_input("mixed", *items)))["createInvoice"]
    invoice = created["invoice"]
    assert [b["currency"] for b in invoice["balances"]] == ["EUR", "USD"]
    eur, usd = invoice["balances"]
    assert eur["payins"]["expected"] == "120000"
    assert usd["payins"] == {"expected": "9400", "actual": "0", "remaining": "9400"}
    assert usd["payouts"]["expected"] == "700"
    assert usd["net"]["expected"] == "8700"
    assert [u["user"]["externalId"] for u in invoice["users"]] == ["cust_acme", "partner_1"]
    acme_usd = next(b for b in invoice["users"][0]["balances"] if b["currency"] == "USD")
    assert acme_usd["payins"]["expected"] == "9400"
    assert acme_usd["payouts"]["expected"] == "0"


async def test_draft_flag_creates_a_draft(api: Api) -> None:
    created = await api.ok(CREATE_INVOICE, input=invoice_input("d-1", draft=True))
    assert created["createInvoice"]["invoice"]["status"] == "DRAFT"


async def test_every_problem_is_reported_with_its_path_and_nothing_is_written(
    api: Api, app_db: Database
) -> None:
    bad = invoice_input(
        "",
        line_item(amount="-5"),
        line_item(amount="100", unitPrice="30", quantity=3),
        line_item(amount=None, unitPrice="10"),
        line_item(amount=None, unitPrice="10", quantity=0),
        line_item(amount="1", description="", product_id="p" * 129, user=""),
        line_item(amount=None),
        tags=[
            {"key": "a#b", "value": "x"},
            {"key": "k", "value": "v" * 201},
            {"key": "k", "value": "ok"},
            {"key": "", "value": ""},
        ],
    )
    before = await row_counts(app_db)
    result = (await api.ok(CREATE_INVOICE, input=bad))["createInvoice"]
    assert result["__typename"] == "BadRequestError"
    assert result["code"] == "BAD_REQUEST"
    assert result["retryable"] is False
    paths = {"/".join(error["field"]) for error in result["fieldErrors"]}
    assert paths == {
        "invoiceId",
        "tags/0/key",
        "tags/1/value",
        "tags/2/key",
        "tags/3/key",
        "tags/3/value",
        "lineItems/0/price/amount",
        "lineItems/1/price/amount",
        "lineItems/2/price/quantity",
        "lineItems/3/price/quantity",
        "lineItems/4/description",
        "lineItems/4/productId",
        "lineItems/4/user/externalId",
        "lineItems/5/price",
    }
    assert await row_counts(app_db) == before


async def test_an_unknown_user_id_is_a_bad_request_and_creates_no_other_user(
    api: Api, app_db: Database
) -> None:
    items = [line_item(user="new_user"), {**line_item(), "user": {"id": "usr_doesnotexist"}}]
    before = await row_counts(app_db)
    result = (await api.ok(CREATE_INVOICE, input=invoice_input("u-1", *items)))["createInvoice"]
    assert result["__typename"] == "BadRequestError"
    assert result["fieldErrors"] == [
        {
            "field": ["lineItems", "1", "user", "id"],
            "message": "no user has the id 'usr_doesnotexist'",
        }
    ]
    assert await row_counts(app_db) == before


async def test_a_user_named_by_id_is_reused(api: Api) -> None:
    first = await api.ok(CREATE_INVOICE, input=invoice_input("a", line_item(user="ext_9")))
    user_id = first["createInvoice"]["invoice"]["lineItems"][0]["user"]["id"]
    second = await api.ok(
        CREATE_INVOICE, input=invoice_input("b", {**line_item(), "user": {"id": user_id}})
    )
    [item] = second["createInvoice"]["invoice"]["lineItems"]
    assert item["user"] == {"id": user_id, "externalId": "ext_9"}


async def test_too_many_line_items_is_a_bad_request(api: Api) -> None:
    items = [line_item(amount="1")] * 501
    result = (await api.ok(CREATE_INVOICE, input=invoice_input("big", *items)))["createInvoice"]
    assert result["__typename"] == "BadRequestError"
    assert ["lineItems"] in [error["field"] for error in result["fieldErrors"]]


async def test_replay_returns_the_stored_invoice_and_writes_nothing(
    api: Api, app_db: Database
) -> None:
    request = invoice_input("ik-1", line_item(amount="250"))
    first = (await api.ok(CREATE_INVOICE, input=request))["createInvoice"]
    counts = await row_counts(app_db)
    again = (await api.ok(CREATE_INVOICE, input=request))["createInvoice"]
    assert again["isIkReplay"] is True
    assert again["invoice"] == first["invoice"]
    assert await row_counts(app_db) == counts


async def test_an_equal_price_given_another_way_is_still_a_replay(api: Api) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("ik-2", line_item(amount="300")))
    same = invoice_input("ik-2", line_item(amount=None, unitPrice="300", quantity=1))
    again = (await api.ok(CREATE_INVOICE, input=same))["createInvoice"]
    assert again["isIkReplay"] is True


async def test_reusing_a_key_with_another_input_is_an_ik_conflict(
    api: Api, app_db: Database
) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("ik-3", line_item(amount="300")))
    counts = await row_counts(app_db)
    other = await api.ok(CREATE_INVOICE, input=invoice_input("ik-3", line_item(amount="301")))
    result = other["createInvoice"]
    assert result["__typename"] == "IkConflictError"
    assert result["code"] == "IK_CONFLICT"
    assert "ik-3" in result["message"]
    assert await row_counts(app_db) == counts


async def test_concurrent_creates_with_one_key_make_one_invoice(api: Api, app_db: Database) -> None:
    request = invoice_input("ik-race", line_item(amount="999", user="racer"))
    results = await asyncio.gather(*(api.ok(CREATE_INVOICE, input=request) for _ in range(12)))
    outcomes = [r["createInvoice"] for r in results]
    assert [o["__typename"] for o in outcomes] == ["CreateInvoiceResult"] * 12
    assert sorted(o["isIkReplay"] for o in outcomes) == [False] + [True] * 11
    assert len({o["invoice"]["id"] for o in outcomes}) == 1
    assert await row_counts(app_db) == (1, 1, 1)


async def test_amounts_beyond_two_to_the_64_are_exact(api: Api) -> None:
    huge = str(2**95 + 1)
    unit = str(2**70 + 3)
    items = [line_item(amount=huge), line_item(amount=None, unitPrice=unit, quantity=5)]
    created = await api.ok(CREATE_INVOICE, input=invoice_input("huge", *items))
    invoice = created["createInvoice"]["invoice"]
    assert invoice["lineItems"][0]["price"]["amount"] == huge
    assert invoice["lineItems"][1]["price"]["amount"] == str((2**70 + 3) * 5)
    expected = (2**95 + 1) + (2**70 + 3) * 5
    assert invoice["balances"][0]["payins"]["expected"] == str(expected)


async def test_totals_that_would_reach_two_to_the_96_are_a_bad_request(api: Api) -> None:
    items = [line_item(amount=str(2**95)), line_item(amount=str(2**95))]
    result = (await api.ok(CREATE_INVOICE, input=invoice_input("sum", *items)))["createInvoice"]
    assert result["__typename"] == "BadRequestError"
    assert result["fieldErrors"] == [
        {"field": ["lineItems"], "message": "the PAYIN amounts in USD must sum to below 2^96"}
    ]


async def test_amounts_at_two_to_the_96_or_not_strings_are_refused_by_graphql(api: Api) -> None:
    for amount in (str(2**96), "12.5", "1e3", " 1", "+1", "0x10", "٣"):
        result = await api.query(CREATE_INVOICE, input=invoice_input("x", line_item(amount=amount)))
        assert result.data is None, amount
        assert result.codes == ["BAD_USER_INPUT"], (amount, result.errors)
    literal = await api.query(
        'mutation { createInvoice(input: {invoiceId: "lit", lineItems: [{description: "d", '
        'productId: "p", type: PAYIN, user: {externalId: "u"}, price: {amount: 5}}]}) '
        "{ __typename } }"
    )
    assert literal.codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_the_type_system_refuses_unknown_currencies_and_two_one_of_members(api: Api) -> None:
    unknown = await api.query(
        CREATE_INVOICE, input=invoice_input("c", line_item(currency="DOGECOIN"))
    )
    assert unknown.codes == ["BAD_USER_INPUT"]
    both = {**line_item(), "user": {"id": "usr_x", "externalId": "u"}}
    two = await api.query(CREATE_INVOICE, input=invoice_input("o", both))
    assert two.codes == ["BAD_USER_INPUT"]
