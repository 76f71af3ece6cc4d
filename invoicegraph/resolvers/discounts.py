"""createCoupon, createPromotionCode (idempotent on the caller's keys), applyDiscount (under
the invoice's expected version, one unit of work, one new version), and their reads."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.discounts import (
    ApplyDiscount,
    CouponTerms,
    CreateCoupon,
    CreatePromotionCode,
    discount_amounts,
    ensure_discountable,
    validate_coupon,
)
from invoicegraph.ledger.enums import EventType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, NotFound, VersionConflict
from invoicegraph.ledger.history import Change, DiscountApplied, StatusChanged, apply_change
from invoicegraph.ledger.settlement import line_item_problems, settle
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.settlement import invoice_money, keep_money_flags
from invoicegraph.resolvers.unit_of_work import (
    IdempotencyKey,
    UnitOfWork,
    Written,
    unit_of_work,
    write_once,
)
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.discounts import (
    codes_of_coupon,
    get_coupon,
    get_promotion_code,
    has_discount,
    insert_coupon,
    insert_invoice_discount,
    insert_promotion_code,
    list_coupons,
    redeem,
)
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoices import get_invoice, get_state, write_version
from invoicegraph.store.records import InvoiceRecord, record_of
from invoicegraph.store.tables import CouponRow, PromotionCodeRow

MAX_COUPONS_LISTED = 200


@dataclass(frozen=True, slots=True)
class CouponData:
    """A coupon as the schema reads it."""

    public_id: str
    coupon_id: str
    name: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None
    duration: str
    duration_in_months: int | None
    max_redemptions: int | None
    times_redeemed: int
    created: datetime
    db_id: int


@dataclass(frozen=True, slots=True)
class PromotionCodeData:
    public_id: str
    code: str
    coupon: CouponData
    max_redemptions: int | None
    times_redeemed: int


@dataclass(frozen=True, slots=True)
class DiscountData:
    """A discount applied to an invoice: its coupon, the code used, the amounts per line."""

    public_id: str
    coupon: CouponData
    promotion_code: str | None
    amounts: tuple[tuple[str, int], ...]
    created: datetime


def coupon_data(row: CouponRow) -> CouponData:
    assert row.id is not None
    return CouponData(
        public_id=row.public_id,
        coupon_id=row.coupon_key,
        name=row.name,
        percent_off=row.percent_off,
        amount_off=row.amount_off,
        currency=row.currency,
        duration=row.duration,
        duration_in_months=row.duration_in_months,
        max_redemptions=row.max_redemptions,
        times_redeemed=row.times_redeemed,
        created=row.created,
        db_id=row.id,
    )


async def create_coupon(context: Context, command: CreateCoupon) -> Written[CouponData]:
    coupon = validate_coupon(command)
    key = IdempotencyKey("couponId", coupon.coupon_id, coupon.fingerprint())

    async def find(session: AsyncSession) -> CouponRow | None:
        return await get_coupon(session, workspace_id=context.workspace_id, key=coupon.coupon_id)

    written = await write_once(
        context,
        key,
        find=find,
        write=lambda work: insert_coupon(
            work.session, workspace_id=work.workspace_id, coupon=coupon, now=now()
        ),
    )
    return Written(coupon_data(written.value), is_replay=written.is_replay)


async def create_promotion_code(
    context: Context, command: CreatePromotionCode
) -> Written[PromotionCodeData]:
    if problems := command.problems():
        raise BadRequest(problems)
    key = IdempotencyKey("code", command.code, command.fingerprint())
    coupons: dict[int, CouponRow] = {}

    async def find(session: AsyncSession) -> PromotionCodeRow | None:
        found = await get_promotion_code(
            session, workspace_id=context.workspace_id, code=command.code
        )
        if found is not None:
            coupon = await get_coupon(
                session, workspace_id=context.workspace_id, row_id=found.coupon_id
            )
            assert coupon is not None
            coupons[found.coupon_id] = coupon
        return found

    async def write(work: UnitOfWork) -> PromotionCodeRow | None:
        coupon = await get_coupon(
            work.session, workspace_id=work.workspace_id, public_id=command.coupon_id
        )
        if coupon is None or coupon.id is None:
            raise BadRequest([FieldProblem(("coupon",), "names no coupon of this workspace")])
        coupons[coupon.id] = coupon
        return await insert_promotion_code(
            work.session,
            workspace_id=work.workspace_id,
            coupon_id=coupon.id,
            code=command.code,
            max_redemptions=command.max_redemptions,
            fingerprint=command.fingerprint(),
            now=now(),
        )

    written = await write_once(context, key, find=find, write=write)
    row = written.value
    return Written(
        PromotionCodeData(
            public_id=row.public_id,
            code=row.code,
            coupon=coupon_data(coupons[row.coupon_id]),
            max_redemptions=row.max_redemptions,
            times_redeemed=row.times_redeemed,
        ),
        is_replay=written.is_replay,
    )


def _terms(row: CouponRow) -> CouponTerms:
    return CouponTerms(
        public_id=row.public_id,
        percent_off=row.percent_off,
        amount_off=row.amount_off,
        currency=row.currency,
    )


def _row_id(row: PromotionCodeRow) -> int:
    assert row.id is not None
    return row.id


def _exhausted(field: str, limit: int | None) -> BadRequest:
    return BadRequest([FieldProblem((field,), f"has been redeemed {limit} times, its limit")])


async def apply_discount(context: Context, command: ApplyDiscount) -> InvoiceView:
    """Take a coupon off the invoice's line items as its next version.

    Refusals, in order: an input naming neither or both of coupon and promotionCode; an
    unknown invoice, a stale version, a status other than DRAFT or OPEN; an unknown coupon or
    code, one already applied here, lines that cannot take it, a discount that would leave
    less expected than is already paid; and last a coupon or code at its redemption limit.
    """
    if (command.coupon_id is None) == (command.promotion_code is None):
        raise BadRequest([FieldProblem(("coupon",), "give exactly one of coupon or promotionCode")])
    async with unit_of_work(context) as work:
        session = work.session
        invoice = await get_invoice(
            session, workspace_id=work.workspace_id, public_id=command.invoice_id, for_update=True
        )
        if invoice is None or invoice.id is None:
            raise NotFound(f"No invoice has the id {command.invoice_id!r}.")
        if invoice.version != command.expected_version:
            raise VersionConflict(expected=command.expected_version, current=invoice.version)
        ensure_discountable(InvoiceStatus(invoice.status))
        code: PromotionCodeRow | None = None
        if command.promotion_code is not None:
            code = await get_promotion_code(
                session, workspace_id=work.workspace_id, code=command.promotion_code
            )
            if code is None:
                raise BadRequest([FieldProblem(("promotionCode",), "no such promotion code")])
            coupon = await get_coupon(
                session, workspace_id=work.workspace_id, row_id=code.coupon_id
            )
        else:
            coupon = await get_coupon(
                session, workspace_id=work.workspace_id, public_id=command.coupon_id
            )
        if coupon is None or coupon.id is None:
            raise BadRequest([FieldProblem(("coupon",), "names no coupon of this workspace")])
        if await has_discount(session, invoice_id=invoice.id, coupon_id=coupon.id):
            raise BadRequest([FieldProblem(("coupon",), "is already applied to this invoice")])
        old = await get_state(session, invoice=invoice)
        change = DiscountApplied(
            discount_id=new_public_id("disc"),
            coupon_id=coupon.public_id,
            promotion_code=None if code is None else code.code,
            amounts=discount_amounts(old, _terms(coupon), command.line_item_ids),
        )
        discounted = apply_change(old, change)
        paid = (await invoice_money(work, [invoice.id]))[invoice.id].actual
        if problems := line_item_problems(discounted, paid, {}):
            raise BadRequest(problems)
        new = settle(discounted, paid)
        changes: list[Change] = [change]
        if new.status is not old.status:
            changes.append(StatusChanged(old=old.status, new=new.status))
        if not await redeem(session, model=CouponRow, row_id=coupon.id):
            raise _exhausted("coupon", coupon.max_redemptions)
        if code is not None and not await redeem(
            session, model=PromotionCodeRow, row_id=_row_id(code)
        ):
            raise _exhausted("promotionCode", code.max_redemptions)
        moment = now()
        await write_version(
            session,
            invoice=invoice,
            expected_version=command.expected_version,
            old=old,
            new=new,
            changes=changes,
            now=moment,
        )
        await insert_invoice_discount(
            session,
            public_id=change.discount_id,
            workspace_id=work.workspace_id,
            invoice_id=invoice.id,
            coupon_id=coupon.id,
            promotion_code_id=None if code is None else code.id,
            amounts=change.amounts,
            now=moment,
        )
        await keep_money_flags(work, await invoice_money(work, [invoice.id]))
        work.emit(EventType.UPDATED, invoice)
        if len(changes) > 1:
            work.emit(EventType.STATUS_CHANGED, invoice)
    return record_of(InvoiceRecord, invoice)


async def invoice_discounts(context: Context, invoice_id: int) -> list[DiscountData]:
    """The invoice's discounts in the order applied (batched across a page by the loaders)."""
    loaders = context.loaders
    rows = await loaders.discounts_by_invoice_id.load(invoice_id)
    coupons = await loaders.coupons_by_id.load_many([row.coupon_id for row in rows])
    code_ids = [row.promotion_code_id for row in rows if row.promotion_code_id is not None]
    codes = {
        code.id: code.code
        for code in await loaders.promotion_codes_by_id.load_many(code_ids)
        if code is not None
    }
    found = []
    for row, coupon in zip(rows, coupons, strict=True):
        assert coupon is not None
        found.append(
            DiscountData(
                public_id=row.public_id,
                coupon=coupon_data(coupon),
                promotion_code=None
                if row.promotion_code_id is None
                else codes.get(row.promotion_code_id),
                amounts=tuple((key, int(amount)) for key, amount in row.amounts),
                created=row.created,
            )
        )
    return found


async def coupons(context: Context) -> list[CouponData]:
    """The workspace's newest coupons, at most MAX_COUPONS_LISTED."""
    async with context.reader.session() as session:
        rows = await list_coupons(
            session, workspace_id=context.workspace_id, limit=MAX_COUPONS_LISTED
        )
    return [coupon_data(row) for row in rows]


async def promotion_codes(context: Context, coupon: CouponData) -> list[PromotionCodeData]:
    async with context.reader.session() as session:
        rows = await codes_of_coupon(session, coupon_id=coupon.db_id)
    return [
        PromotionCodeData(
            public_id=row.public_id,
            code=row.code,
            coupon=coupon,
            max_redemptions=row.max_redemptions,
            times_redeemed=row.times_redeemed,
        )
        for row in rows
    ]
