"""Coupons, promotion codes and discounts: their types, inputs and mutation results."""

from datetime import datetime
from typing import Annotated

import strawberry

from invoicegraph.ledger.discounts import (
    ApplyDiscount,
    CouponDuration,
    CreateCoupon,
    CreatePromotionCode,
)
from invoicegraph.ledger.totals import format_percent
from invoicegraph.resolvers import discounts
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.discounts import CouponData, DiscountData, PromotionCodeData
from invoicegraph.schema.arguments import given
from invoicegraph.schema.errors import (
    BadRequestError,
    IkConflictError,
    InternalError,
)
from invoicegraph.schema.scalars import CurrencyCode, Int96, currency_code

strawberry.enum(CouponDuration, name="CouponDuration")


@strawberry.type(description="A percentage or a fixed amount in one currency off.")
class Coupon:
    id: strawberry.ID
    coupon_id: str = strawberry.field(
        description="The caller's key; createCoupon's idempotency key."
    )
    name: str
    percent_off: str | None = strawberry.field(description='A percentage, e.g. "12.5".')
    amount_off: Int96 | None
    currency: CurrencyCode | None
    duration: CouponDuration
    duration_in_months: int | None
    max_redemptions: int | None
    times_redeemed: int
    created: datetime
    data: strawberry.Private[CouponData]

    @classmethod
    def of(cls, data: CouponData) -> "Coupon":
        return cls(
            id=strawberry.ID(data.public_id),
            coupon_id=data.coupon_id,
            name=data.name,
            percent_off=None if data.percent_off is None else format_percent(data.percent_off),
            amount_off=None if data.amount_off is None else Int96(data.amount_off),
            currency=None if data.currency is None else currency_code(data.currency),
            duration=CouponDuration(data.duration),
            duration_in_months=data.duration_in_months,
            max_redemptions=data.max_redemptions,
            times_redeemed=data.times_redeemed,
            created=data.created,
            data=data,
        )

    @strawberry.field
    async def promotion_codes(self, info: Info) -> list["PromotionCode"]:
        return [
            PromotionCode.of(code)
            for code in await discounts.promotion_codes(info.context, self.data)
        ]


@strawberry.type(description="A code customers type, naming a coupon, with its own limit.")
class PromotionCode:
    id: strawberry.ID
    code: str
    coupon: Coupon
    max_redemptions: int | None
    times_redeemed: int

    @classmethod
    def of(cls, data: PromotionCodeData) -> "PromotionCode":
        return cls(
            id=strawberry.ID(data.public_id),
            code=data.code,
            coupon=Coupon.of(data.coupon),
            max_redemptions=data.max_redemptions,
            times_redeemed=data.times_redeemed,
        )


@strawberry.type
class LineItemDiscount:
    line_item_id: strawberry.ID
    amount: Int96


@strawberry.type(description="A coupon applied to an invoice, and what it took off each line.")
class InvoiceDiscount:
    id: strawberry.ID
    coupon: Coupon
    promotion_code: str | None
    line_items: list[LineItemDiscount]
    created: datetime

    @classmethod
    def of(cls, data: DiscountData) -> "InvoiceDiscount":
        return cls(
            id=strawberry.ID(data.public_id),
            coupon=Coupon.of(data.coupon),
            promotion_code=data.promotion_code,
            line_items=[
                LineItemDiscount(line_item_id=strawberry.ID(key), amount=Int96(amount))
                for key, amount in data.amounts
            ],
            created=data.created,
        )


@strawberry.input
class CreateCouponInput:
    coupon_id: str = strawberry.field(description="Your unique key, 1-128 characters.")
    name: str
    percent_off: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='Above 0, at most 100, at most 4 decimals ("12.5"). Or amountOff.',
    )
    amount_off: Int96 | None = strawberry.field(
        default=strawberry.UNSET, description="A fixed amount off, with its currency."
    )
    currency: CurrencyCode | None = strawberry.UNSET
    duration: CouponDuration = CouponDuration.ONCE
    duration_in_months: int | None = strawberry.field(
        default=strawberry.UNSET, description="REPEATING only: 1 or more."
    )
    max_redemptions: int | None = strawberry.UNSET

    def to_command(self) -> CreateCoupon:
        currency = given(self.currency)
        return CreateCoupon(
            coupon_id=self.coupon_id,
            name=self.name,
            percent_off=given(self.percent_off),
            amount_off=given(self.amount_off),
            currency=None if currency is None else currency.value,
            duration=self.duration,
            duration_in_months=given(self.duration_in_months),
            max_redemptions=given(self.max_redemptions),
        )


@strawberry.input
class CreatePromotionCodeInput:
    code: str = strawberry.field(description="1-64 letters, digits, _ or -; unique; the key.")
    coupon: strawberry.ID
    max_redemptions: int | None = strawberry.UNSET

    def to_command(self) -> CreatePromotionCode:
        return CreatePromotionCode(
            code=self.code, coupon_id=self.coupon, max_redemptions=given(self.max_redemptions)
        )


@strawberry.input(
    description=(
        "Exactly one of coupon or promotionCode. While the invoice is DRAFT or OPEN; each "
        "coupon once per invoice; never below zero."
    )
)
class ApplyDiscountInput:
    invoice: strawberry.ID
    expected_version: int
    coupon: strawberry.ID | None = strawberry.UNSET
    promotion_code: str | None = strawberry.UNSET
    line_items: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The PAYIN line items to discount; default all (of the coupon's currency).",
    )

    def to_command(self) -> ApplyDiscount:
        chosen = given(self.line_items)
        return ApplyDiscount(
            invoice_id=self.invoice,
            expected_version=self.expected_version,
            coupon_id=given(self.coupon),
            promotion_code=given(self.promotion_code),
            line_item_ids=None if chosen is None else tuple(str(key) for key in chosen),
        )


@strawberry.type
class CreateCouponResult:
    coupon: Coupon
    is_ik_replay: bool


CreateCouponResponse = Annotated[
    CreateCouponResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreateCouponResponse"),
]


@strawberry.type
class CreatePromotionCodeResult:
    promotion_code: PromotionCode
    is_ik_replay: bool


CreatePromotionCodeResponse = Annotated[
    CreatePromotionCodeResult | BadRequestError | IkConflictError | InternalError,
    strawberry.union("CreatePromotionCodeResponse"),
]
