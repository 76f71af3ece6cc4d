"""users as objects (tags), products, external accounts, users' net remaining per invoice

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoicegraph.store.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = invoicegraph.store.types.UtcDateTime
SORTABLE = invoicegraph.store.types.SortableInt96Type
OFFSET = invoicegraph.store.types.SortableInt96Type.OFFSET


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "user_tags",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_index(
        "ix_user_tags_workspace_key_value", "user_tags", ["workspace_id", "key", "value"]
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("created", UTC(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("workspace_id", "code"),
    )
    op.create_table(
        "external_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created", UTC(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
        sa.UniqueConstraint("workspace_id", "external_id"),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_transactions_account_id", "external_accounts", ["account_id"], ["id"]
        )
        batch_op.create_index("ix_transactions_account_id", ["account_id"], unique=False)
    op.create_table(
        "invoice_user_balances",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("net_remaining", SORTABLE(length=31), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("invoice_id", "user_id", "currency"),
    )
    op.create_index(
        "ix_invoice_user_balances_user_net",
        "invoice_user_balances",
        ["user_id", "net_remaining"],
    )
    op.create_index(
        "ix_invoice_user_balances_workspace_net",
        "invoice_user_balances",
        ["workspace_id", "net_remaining"],
    )
    _backfill()


def _backfill() -> None:
    """Every invoice's per-user net remaining, from its line items (due) and payments."""
    bind = op.get_bind()
    nets: dict[tuple[int, int, str], list[int]] = {}
    for table, column, sign in (("line_items", "due", 1), ("payments", "amount", -1)):
        rows = bind.execute(
            sa.text(
                f"SELECT invoice_id, user_id, currency, workspace_id, type, {column} FROM {table}"
            )
        )
        for invoice_id, user_id, currency, workspace_id, flow, amount in rows:
            entry = nets.setdefault((invoice_id, user_id, currency), [workspace_id, 0])
            entry[1] += sign * int(amount) * (1 if flow == "PAYIN" else -1)
    values = [
        {
            "invoice_id": invoice_id,
            "user_id": user_id,
            "currency": currency,
            "workspace_id": workspace_id,
            "net_remaining": net
            if bind.dialect.name == "postgresql"
            else str(net + OFFSET).zfill(31),
        }
        for (invoice_id, user_id, currency), (workspace_id, net) in nets.items()
    ]
    if values:
        bind.execute(
            sa.text(
                "INSERT INTO invoice_user_balances "
                "(invoice_id, user_id, currency, workspace_id, net_remaining) "
                "VALUES (:invoice_id, :user_id, :currency, :workspace_id, :net_remaining)"
            ),
            values,
        )


def downgrade() -> None:
    op.drop_index("ix_invoice_user_balances_workspace_net", table_name="invoice_user_balances")
    op.drop_index("ix_invoice_user_balances_user_net", table_name="invoice_user_balances")
    op.drop_table("invoice_user_balances")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_account_id")
        batch_op.drop_constraint("fk_transactions_account_id", type_="foreignkey")
        batch_op.drop_column("account_id")
    op.drop_table("external_accounts")
    op.drop_table("products")
    op.drop_index("ix_user_tags_workspace_key_value", table_name="user_tags")
    op.drop_table("user_tags")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("request_hash")
