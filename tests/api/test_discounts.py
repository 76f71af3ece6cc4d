"""Coupons, promotion codes and discounts through GraphQL, with their unhappy paths."""

import asyncio
from typing import Any

from sqlmodel import func, select

from invoicegraph.store.engine import Database
from invoicegraph.store.tables import CouponRow, InvoiceDiscountRow, InvoiceVersionRow
from tests.operations import (
    RECORD_TRANSACTION,
    allocation,
    invoice_input,
    line_item,
    transaction_input,
)
from tests.support import Api

CREATE_COUPON = """
mutation CreateCoupon($input: CreateCouponInput!) {
  createCoupon(input: $input) {
    __typename
    ... on CreateCouponResult { isIkReplay coupon { id couponId percentOff amountOff currency
                                                    duration maxRedemptions timesRedeemed } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

CREATE_CODE = """
mutation CreateCode($input: CreatePromotionCodeInput!) {
  createPromotionCode(input: $input) {
    __typename
    ... on CreatePromotionCodeResult { isIkReplay promotionCode { id code timesRedeemed
                                                                  coupon { couponId } } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on Error { code message }
  }
}
"""

CREATE_INVOICE = """
mutation Create($input: CreateInvoiceInput!) {
  createInvoice(input: $input) {
    ... on CreateInvoiceResult { invoice { id version lineItems { id } } }
  }
}
"""

APPLY = """
mutation Apply($input: ApplyDiscountInput!) {
  applyDiscount(input: $input) {
    __typename
    ... on ApplyDiscountResult { invoice {
      version status
      lineItems { discount tax total }
      totals { currency type subtotal discountTotal taxTotal total }
      balances { currency payins { expected actual remaining } }
      discounts { coupon { couponId } promotionCode lineItems { lineItemId amount } }
      history(first: 1) { nodes { changes { __typename
        ... on DiscountApplied { couponId promotionCode amounts { lineItemId amount } } } } }
    } }
    ... on BadRequestError { fieldErrors { field message } }
    ... on InvalidStateError { status }
    ... on VersionConflictError { currentVersion }
    ... on Error { code message }
  }
}
"""

COUPONS = "{ coupons { couponId timesRedeemed promotionCodes { code timesRedeemed } } }"


async def coupon(api: Api, key: str, **fields: Any) -> str:
    data = await api.ok(CREATE_COUPON, input={"couponId": key, "name": key, **fields})
    result = data["createCoupon"]
    assert result["__typename"] == "CreateCouponResult", result
    coupon_id: str = result["coupon"]["id"]
    return coupon_id


async def invoice(api: Api, key: str, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = await api.ok(CREATE_INVOICE, input=invoice_input(key, *items, **extra))
    created: dict[str, Any] = data["createInvoice"]["invoice"]
    return created


async def apply(api: Api, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.ok(APPLY, input=input))["applyDiscount"]
    return result


async def versions(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(InvoiceVersionRow))).one()


async def test_a_percent_coupon_takes_half_even_off_each_line_and_balances_follow(
    api: Api,
) -> None:
    # given 12.5% off, and an invoice of 100 + 30 (taxed 10%) and a payout
    ten = await coupon(api, "spring", percentOff="12.5")
    created = await invoice(
        api,
        "d-1",
        line_item(amount="100"),
        {**line_item(amount="30"), "taxPercent": "10"},
        line_item(amount="500", type="PAYOUT", user="vendor"),
    )
    # when
    result = await apply(api, invoice=created["id"], expectedVersion=1, coupon=ten)
    # then 12.5 -> 12 (half-even), 3.75 -> 4; the tax is on what is left: 26 * 10% = 2.6 -> 3
    assert result["__typename"] == "ApplyDiscountResult", result
    applied = result["invoice"]
    assert applied["version"] == 2
    assert [(i["discount"], i["tax"], i["total"]) for i in applied["lineItems"]] == [
        ("12", "0", "88"),
        ("4", "3", "29"),
        ("0", "0", "500"),
    ]
    assert applied["totals"][0] == {
        "currency": "USD", "type": "PAYIN", "subtotal": "130", "discountTotal": "16",
        "taxTotal": "3", "total": "117",
    }  # fmt: skip
    assert applied["balances"][0]["payins"] == {
        "expected": "117",
        "actual": "0",
        "remaining": "117",
    }
    ids = [item["id"] for item in created["lineItems"]]
    amounts = [{"lineItemId": ids[0], "amount": "12"}, {"lineItemId": ids[1], "amount": "4"}]
    assert applied["discounts"] == [
        {"coupon": {"couponId": "spring"}, "promotionCode": None, "lineItems": amounts}
    ]
    [change] = applied["history"]["nodes"][0]["changes"]
    assert change == {
        "__typename": "DiscountApplied", "couponId": ten, "promotionCode": None, "amounts": amounts
    }  # fmt: skip


async def test_a_fixed_amount_never_takes_a_line_below_zero(api: Api) -> None:
    off = await coupon(api, "big", amountOff="1000", currency="USD")
    created = await invoice(
        api,
        "d-2",
        line_item(amount="300"),
        line_item(amount="200"),
        line_item(amount="50", currency="EUR"),
    )
    ids = [item["id"] for item in created["lineItems"]]
    result = await apply(api, invoice=created["id"], expectedVersion=1, coupon=off)
    applied = result["invoice"]
    assert [item["total"] for item in applied["lineItems"]] == ["0", "0", "50"]
    assert applied["discounts"][0]["lineItems"] == [
        {"lineItemId": ids[0], "amount": "300"},
        {"lineItemId": ids[1], "amount": "200"},
    ]
    # an invoice expecting nothing is not PAID: it has no charge
    assert applied["status"] == "OPEN"


async def test_chosen_line_items_only(api: Api) -> None:
    off = await coupon(api, "one-line", amountOff="10", currency="USD")
    created = await invoice(api, "d-3", line_item(amount="300"), line_item(amount="200"))
    second = created["lineItems"][1]["id"]
    result = await apply(
        api, invoice=created["id"], expectedVersion=1, coupon=off, lineItems=[second]
    )
    assert [item["discount"] for item in result["invoice"]["lineItems"]] == ["0", "10"]


async def test_a_promotion_code_names_a_coupon_and_counts_its_own_redemptions(api: Api) -> None:
    off = await coupon(api, "welcome", percentOff="50")
    code = await api.ok(
        CREATE_CODE, input={"code": "WELCOME-50", "coupon": off, "maxRedemptions": 1}
    )
    assert code["createPromotionCode"]["__typename"] == "CreatePromotionCodeResult"
    again = await api.ok(
        CREATE_CODE, input={"code": "WELCOME-50", "coupon": off, "maxRedemptions": 1}
    )
    assert again["createPromotionCode"]["isIkReplay"] is True
    first = await invoice(api, "d-4a", line_item(amount="100"))
    second = await invoice(api, "d-4b", line_item(amount="100"))
    used = await apply(api, invoice=first["id"], expectedVersion=1, promotionCode="WELCOME-50")
    assert used["invoice"]["discounts"][0]["promotionCode"] == "WELCOME-50"
    assert used["invoice"]["lineItems"][0]["total"] == "50"
    spent = await apply(api, invoice=second["id"], expectedVersion=1, promotionCode="WELCOME-50")
    assert spent["__typename"] == "BadRequestError"
    assert spent["fieldErrors"][0]["field"] == ["promotionCode"]
    listed = (await api.ok(COUPONS))["coupons"]
    assert listed == [
        {"couponId": "welcome", "timesRedeemed": 1,
         "promotionCodes": [{"code": "WELCOME-50", "timesRedeemed": 1}]}
    ]  # fmt: skip


async def test_a_coupon_past_its_redemptions_is_refused_and_changes_nothing(
    api: Api, app_db: Database
) -> None:
    once = await coupon(api, "once", percentOff="10", maxRedemptions=1)
    first = await invoice(api, "d-5a", line_item(amount="100"))
    second = await invoice(api, "d-5b", line_item(amount="100"))
    assert (await apply(api, invoice=first["id"], expectedVersion=1, coupon=once))[
        "__typename"
    ] == "ApplyDiscountResult"
    before = await versions(app_db)
    refused = await apply(api, invoice=second["id"], expectedVersion=1, coupon=once)
    assert refused["__typename"] == "BadRequestError"
    assert refused["fieldErrors"] == [
        {"field": ["coupon"], "message": "has been redeemed 1 times, its limit"}
    ]
    assert await versions(app_db) == before


async def test_concurrent_redemptions_never_pass_the_limit(api: Api, app_db: Database) -> None:
    three = await coupon(api, "three", amountOff="5", currency="USD", maxRedemptions=3)
    invoices = [await invoice(api, f"d-6-{n}", line_item(amount="100")) for n in range(8)]
    results = await asyncio.gather(
        *(apply(api, invoice=inv["id"], expectedVersion=1, coupon=three) for inv in invoices)
    )
    kinds = sorted(result["__typename"] for result in results)
    assert kinds == ["ApplyDiscountResult"] * 3 + ["BadRequestError"] * 5
    async with app_db.read() as session:
        [row] = (await session.exec(select(CouponRow))).all()
        applied = (await session.exec(select(func.count()).select_from(InvoiceDiscountRow))).one()
    assert (row.times_redeemed, applied) == (3, 3)


async def test_discounts_only_while_draft_or_open(api: Api) -> None:
    off = await coupon(api, "late", percentOff="10")
    created = await invoice(api, "d-7", line_item(amount="100"))
    paid = await api.ok(
        RECORD_TRANSACTION, input=transaction_input("t-7", "100", allocation("d-7", "100"))
    )
    assert paid["recordTransaction"]["__typename"] == "RecordTransactionResult"
    refused = await apply(api, invoice=created["id"], expectedVersion=2, coupon=off)
    assert refused["__typename"] == "InvalidStateError"
    assert refused["status"] == "PAID"
    draft = await invoice(api, "d-7b", line_item(amount="100"), draft=True)
    allowed = await apply(api, invoice=draft["id"], expectedVersion=1, coupon=off)
    assert allowed["invoice"]["status"] == "DRAFT"


async def test_a_discount_below_what_is_paid_is_refused(api: Api) -> None:
    off = await coupon(api, "half", percentOff="50")
    created = await invoice(api, "d-8", line_item(amount="100"))
    await api.ok(RECORD_TRANSACTION, input=transaction_input("t-8", "80", allocation("d-8", "80")))
    refused = await apply(api, invoice=created["id"], expectedVersion=1, coupon=off)
    assert refused["__typename"] == "BadRequestError"
    assert "below the 80 already paid" in refused["fieldErrors"][0]["message"]


async def test_a_discount_that_covers_what_remains_settles_the_invoice(api: Api) -> None:
    off = await coupon(api, "twenty", amountOff="20", currency="USD")
    created = await invoice(api, "d-9", line_item(amount="100"))
    await api.ok(RECORD_TRANSACTION, input=transaction_input("t-9", "80", allocation("d-9", "80")))
    result = await apply(api, invoice=created["id"], expectedVersion=1, coupon=off)
    assert result["invoice"]["status"] == "PAID"
    changes = result["invoice"]["history"]["nodes"][0]["changes"]
    assert [change["__typename"] for change in changes] == ["DiscountApplied", "StatusChanged"]


async def test_bad_coupons_and_applications_are_refused_with_paths(api: Api) -> None:
    bad = await api.ok(
        CREATE_COUPON,
        input={"couponId": "", "name": "x", "percentOff": "100.5", "amountOff": "5",
               "duration": "REPEATING"},
    )  # fmt: skip
    fields = sorted(e["field"] for e in bad["createCoupon"]["fieldErrors"])
    assert fields == [
        ["couponId"], ["currency"], ["durationInMonths"], ["percentOff"], ["percentOff"]
    ]  # fmt: skip
    off = await coupon(api, "ok", percentOff="10")
    created = await invoice(
        api, "d-10", line_item(amount="100"), line_item(amount="5", type="PAYOUT", user="v")
    )
    payout = created["lineItems"][1]["id"]
    neither = await apply(api, invoice=created["id"], expectedVersion=1)
    assert neither["fieldErrors"][0]["field"] == ["coupon"]
    stale = await apply(api, invoice=created["id"], expectedVersion=7, coupon=off)
    assert stale["__typename"] == "VersionConflictError"
    wrong_line = await apply(
        api, invoice=created["id"], expectedVersion=1, coupon=off, lineItems=[payout, "li_nope"]
    )
    assert [e["field"] for e in wrong_line["fieldErrors"]] == [
        ["lineItems", "0"],
        ["lineItems", "1"],
    ]
    assert (await apply(api, invoice=created["id"], expectedVersion=1, coupon=off))["invoice"]
    twice = await apply(api, invoice=created["id"], expectedVersion=2, coupon=off)
    assert twice["fieldErrors"] == [
        {"field": ["coupon"], "message": "is already applied to this invoice"}
    ]


UPDATE_PRICE = """
mutation Update($input: UpdateInvoiceInput!) {
  updateInvoice(input: $input) {
    __typename
    ... on UpdateInvoiceResult { invoice { version lineItems { discount total } } }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""


async def test_a_price_below_a_lines_discount_is_refused(api: Api) -> None:
    off = await coupon(api, "forty", amountOff="40", currency="USD")
    created = await invoice(api, "d-11", line_item(amount="100"))
    line = created["lineItems"][0]["id"]
    await apply(api, invoice=created["id"], expectedVersion=1, coupon=off)

    async def reprice(amount: str) -> dict[str, Any]:
        data = await api.ok(
            UPDATE_PRICE,
            input={
                "id": created["id"],
                "expectedVersion": 2,
                "lineItems": [{"update": {"id": line, "price": {"amount": amount}}}],
            },
        )
        result: dict[str, Any] = data["updateInvoice"]
        return result

    below = await reprice("39")
    assert below["fieldErrors"] == [
        {
            "field": ["lineItems", "0", "update", "price", "amount"],
            "message": "is below the line item's discount of 40",
        }
    ]
    kept = await reprice("60")
    assert kept["invoice"]["lineItems"] == [{"discount": "40", "total": "20"}]


async def test_an_invoice_discounted_to_nothing_is_paid(api: Api) -> None:
    free = await coupon(api, "free", percentOff="100")
    created = await invoice(api, "d-12", line_item(amount="100"))
    result = await apply(api, invoice=created["id"], expectedVersion=1, coupon=free)
    assert result["invoice"]["status"] == "PAID"
    assert result["invoice"]["balances"][0]["payins"] == {
        "expected": "0", "actual": "0", "remaining": "0"
    }  # fmt: skip
