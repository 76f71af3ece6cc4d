"""users' expected totals per currency and type, kept instead of summed on every write

The 2^96 rule on a user's expected total over every invoice that is not VOID summed all of the
user's line items in each write that could raise it: a write for a user with 50,000 invoices
took 160 ms of CPU, holding the write lock. The totals are now rows that every writer keeps in
step; this backfills them from the line items.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoicegraph.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INT96 = invoicegraph.store.types.Int96Type
PART = 10**10
"""SQLite keeps Int96 amounts as decimal strings: summed in three parts of 10 digits, exactly."""


def upgrade() -> None:
    totals = op.create_table(
        "user_expected_totals",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("expected", INT96(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("user_id", "currency", "type"),
    )
    _backfill(totals)


def _backfill(totals: sa.Table) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        sums = "sum(li.due)"
    else:
        sums = ", ".join(
            f"sum(CAST(substr(li.due, {-10 * (part + 1)}, 10) AS INTEGER))" for part in range(3)
        )
    rows = bind.execute(
        sa.text(
            f"SELECT li.user_id, li.currency, li.type, li.workspace_id, {sums} "
            "FROM line_items li JOIN invoices i ON i.id = li.invoice_id "
            "WHERE i.status != 'VOID' "
            "GROUP BY li.user_id, li.currency, li.type, li.workspace_id"
        )
    ).all()
    values = [
        {
            "user_id": user_id,
            "currency": currency,
            "type": flow,
            "workspace_id": workspace_id,
            "expected": sum(int(part or 0) * PART**index for index, part in enumerate(parts)),
        }
        for user_id, currency, flow, workspace_id, *parts in rows
    ]
    if values:
        op.bulk_insert(totals, values)


def downgrade() -> None:
    op.drop_table("user_expected_totals")
