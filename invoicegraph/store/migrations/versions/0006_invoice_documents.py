"""invoice documents: numbers, texts, due dates, periods, kinds, links, taxes

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoicegraph.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = invoicegraph.store.types.UtcDateTime
INT96 = invoicegraph.store.types.Int96Type


def upgrade() -> None:
    op.create_table(
        "invoice_numbering",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=160), nullable=True))
        batch_op.add_column(
            sa.Column("kind", sa.String(length=32), nullable=False, server_default="STANDARD")
        )
        batch_op.add_column(sa.Column("description", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("footer", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("due_date", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("period_start", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("period_end", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("subscription_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("recovered_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stake_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_invoices_stake_id", "invoices", ["stake_id"], ["id"])
        batch_op.create_index("ix_invoices_stake_id", ["stake_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_invoices_recovered_from_id", "invoices", ["recovered_from_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            "uq_invoices_workspace_number", ["workspace_id", "number"]
        )
        batch_op.create_index(
            "ix_invoices_workspace_due_date", ["workspace_id", "due_date"], unique=False
        )
        batch_op.create_index(
            "ix_invoices_workspace_subscription", ["workspace_id", "subscription_id"], unique=False
        )
        batch_op.create_index("ix_invoices_recovered_from", ["recovered_from_id"], unique=False)
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tax_rate", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("discount", INT96(length=30), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("due", INT96(length=30), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("period_start", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("period_end", UTC(timezone=True), nullable=True))
    _create_discount_tables()
    # Before taxes and discounts, a line item expected exactly its amount.
    op.execute("UPDATE line_items SET due = amount")
    _number_existing_invoices()


def _create_discount_tables() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("coupon_key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("amount_off", INT96(length=30), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("duration", sa.String(length=16), nullable=False),
        sa.Column("duration_in_months", sa.Integer(), nullable=True),
        sa.Column("max_redemptions", sa.Integer(), nullable=True),
        sa.Column("times_redeemed", sa.Integer(), nullable=False),
        sa.Column("created", UTC(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("workspace_id", "coupon_key"),
    )
    op.create_table(
        "promotion_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("coupon_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("max_redemptions", sa.Integer(), nullable=True),
        sa.Column("times_redeemed", sa.Integer(), nullable=False),
        sa.Column("created", UTC(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("workspace_id", "code"),
    )
    op.create_index("ix_promotion_codes_coupon_id", "promotion_codes", ["coupon_id"])
    op.create_table(
        "invoice_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("coupon_id", sa.Integer(), nullable=False),
        sa.Column("promotion_code_id", sa.Integer(), nullable=True),
        sa.Column("amounts", sa.JSON(), nullable=False),
        sa.Column("created", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"]),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.ForeignKeyConstraint(["promotion_code_id"], ["promotion_codes.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("invoice_id", "coupon_id"),
    )
    op.create_index("ix_invoice_discounts_invoice_id", "invoice_discounts", ["invoice_id"])


def _number_existing_invoices() -> None:
    """Invoices that left DRAFT before numbers existed get theirs, in creation order."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, workspace_id FROM invoices WHERE status != 'DRAFT' ORDER BY id")
    ).all()
    last: dict[int, int] = {}
    for invoice_id, workspace_id in rows:
        last[workspace_id] = last.get(workspace_id, 0) + 1
        connection.execute(
            sa.text("UPDATE invoices SET number = :number WHERE id = :id"),
            {"number": f"INV-{last[workspace_id]:06d}", "id": invoice_id},
        )
    for workspace_id, number in last.items():
        connection.execute(
            sa.text(
                "INSERT INTO invoice_numbering (workspace_id, prefix, last_number) "
                "VALUES (:workspace_id, 'INV-', :number)"
            ),
            {"workspace_id": workspace_id, "number": number},
        )


def downgrade() -> None:
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        for column in ("period_end", "period_start", "due", "discount", "tax_rate"):
            batch_op.drop_column(column)
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_stake_id")
        batch_op.drop_constraint("fk_invoices_stake_id", type_="foreignkey")
        batch_op.drop_index("ix_invoices_recovered_from")
        batch_op.drop_index("ix_invoices_workspace_subscription")
        batch_op.drop_index("ix_invoices_workspace_due_date")
        batch_op.drop_constraint("uq_invoices_workspace_number", type_="unique")
        batch_op.drop_constraint("fk_invoices_recovered_from_id", type_="foreignkey")
        for column in (
            "stake_id",
            "recovered_from_id",
            "subscription_id",
            "period_end",
            "period_start",
            "due_date",
            "footer",
            "description",
            "kind",
            "number",
        ):
            batch_op.drop_column(column)
    op.drop_index("ix_invoice_discounts_invoice_id", table_name="invoice_discounts")
    op.drop_table("invoice_discounts")
    op.drop_index("ix_promotion_codes_coupon_id", table_name="promotion_codes")
    op.drop_table("promotion_codes")
    op.drop_table("coupons")
    op.drop_table("invoice_numbering")
