"""Coupons, promotion codes and the discounts applied to invoices.

Redeeming is one conditional UPDATE (`times_redeemed + 1 WHERE times_redeemed <
max_redemptions`): on PostgreSQL a concurrent redeemer waits for the row and re-checks the
condition, on SQLite writers hold the write lock, so a coupon is never redeemed past its limit.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.discounts import ValidCoupon
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.tables import CouponRow, InvoiceDiscountRow, PromotionCodeRow
from invoicegraph.store.upsert import insert_ignoring


async def insert_coupon(
    session: AsyncSession, *, workspace_id: int, coupon: ValidCoupon, now: datetime
) -> CouponRow | None:
    """The new coupon, or None when the workspace already has its couponId."""
    connection = await session.connection()
    values: dict[str, Any] = {
        "public_id": new_public_id("cpn"),
        "workspace_id": workspace_id,
        "coupon_key": coupon.coupon_id,
        "name": coupon.name,
        "percent_off": coupon.percent_off,
        "amount_off": coupon.amount_off,
        "currency": coupon.currency,
        "duration": coupon.duration.value,
        "duration_in_months": coupon.duration_in_months,
        "max_redemptions": coupon.max_redemptions,
        "times_redeemed": 0,
        "created": now,
        "request_hash": coupon.fingerprint(),
    }
    claimed = await connection.execute(
        insert_ignoring(connection.dialect.name, CouponRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["workspace_id", "coupon_key"])
        .returning(col(CouponRow.id))
    )
    row_id = claimed.scalar()
    return None if row_id is None else CouponRow(id=row_id, **values)


async def get_coupon(
    session: AsyncSession,
    *,
    workspace_id: int,
    public_id: str | None = None,
    key: str | None = None,
    row_id: int | None = None,
) -> CouponRow | None:
    query = select(CouponRow).where(CouponRow.workspace_id == workspace_id)
    if public_id is not None:
        query = query.where(CouponRow.public_id == public_id)
    if key is not None:
        query = query.where(CouponRow.coupon_key == key)
    if row_id is not None:
        query = query.where(CouponRow.id == row_id)
    return (await session.exec(query)).first()


async def insert_promotion_code(
    session: AsyncSession,
    *,
    workspace_id: int,
    coupon_id: int,
    code: str,
    max_redemptions: int | None,
    fingerprint: str,
    now: datetime,
) -> PromotionCodeRow | None:
    """The new code, or None when the workspace already has it."""
    connection = await session.connection()
    values: dict[str, Any] = {
        "public_id": new_public_id("promo"),
        "workspace_id": workspace_id,
        "coupon_id": coupon_id,
        "code": code,
        "max_redemptions": max_redemptions,
        "times_redeemed": 0,
        "created": now,
        "request_hash": fingerprint,
    }
    claimed = await connection.execute(
        insert_ignoring(connection.dialect.name, PromotionCodeRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["workspace_id", "code"])
        .returning(col(PromotionCodeRow.id))
    )
    row_id = claimed.scalar()
    return None if row_id is None else PromotionCodeRow(id=row_id, **values)


async def get_promotion_code(
    session: AsyncSession, *, workspace_id: int, code: str
) -> PromotionCodeRow | None:
    query = select(PromotionCodeRow).where(
        PromotionCodeRow.workspace_id == workspace_id, PromotionCodeRow.code == code
    )
    return (await session.exec(query)).first()


async def redeem(
    session: AsyncSession, *, model: type[CouponRow | PromotionCodeRow], row_id: int
) -> bool:
    """Count one more redemption, unless the limit is reached (then False, nothing written)."""
    connection = await session.connection()
    times, limit = col(model.times_redeemed), col(model.max_redemptions)
    result = await connection.execute(
        update(model)
        .where(col(model.id) == row_id, or_(limit.is_(None), times < limit))
        .values(times_redeemed=times + 1)
    )
    return bool(result.rowcount)


async def insert_invoice_discount(
    session: AsyncSession,
    *,
    public_id: str,
    workspace_id: int,
    invoice_id: int,
    coupon_id: int,
    promotion_code_id: int | None,
    amounts: Sequence[tuple[str, int]],
    now: datetime,
) -> None:
    """Record the discount the invoice's new version applied."""
    session.add(
        InvoiceDiscountRow(
            public_id=public_id,
            workspace_id=workspace_id,
            invoice_id=invoice_id,
            coupon_id=coupon_id,
            promotion_code_id=promotion_code_id,
            amounts=[[line_item_id, str(amount)] for line_item_id, amount in amounts],
            created=now,
        )
    )
    await session.flush()


async def has_discount(session: AsyncSession, *, invoice_id: int, coupon_id: int) -> bool:
    query = select(InvoiceDiscountRow.id).where(
        InvoiceDiscountRow.invoice_id == invoice_id, InvoiceDiscountRow.coupon_id == coupon_id
    )
    return (await session.exec(query)).first() is not None


async def list_coupons(session: AsyncSession, *, workspace_id: int, limit: int) -> list[CouponRow]:
    rows = await session.exec(
        select(CouponRow)
        .where(CouponRow.workspace_id == workspace_id)
        .order_by(col(CouponRow.id).desc())
        .limit(limit)
    )
    return list(rows)


async def codes_of_coupon(session: AsyncSession, *, coupon_id: int) -> list[PromotionCodeRow]:
    rows = await session.exec(
        select(PromotionCodeRow)
        .where(PromotionCodeRow.coupon_id == coupon_id)
        .order_by(col(PromotionCodeRow.id))
    )
    return list(rows)
