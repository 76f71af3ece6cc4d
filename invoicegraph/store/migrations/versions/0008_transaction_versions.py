"""transaction versions, and the indexes of payment search and transaction-tag filters

Every transaction gets one snapshot at the version it has now (its tags, allocations and
unallocated amount, no changes): what came before was never recorded, so its history starts
there.

Revision ID: 0008
Revises: 0007
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import invoicegraph.store.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TYPE = invoicegraph.store.types.UtcDateTime
INT96 = invoicegraph.store.types.Int96Type
BATCH = 1000


def upgrade() -> None:
    versions = op.create_table(
        "transaction_versions",
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("modified", UTC_TYPE(timezone=True), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("unallocated", INT96(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["transaction_id"], ["transactions.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("transaction_id", "version"),
    )
    op.create_index(
        "ix_payments_workspace_posted", "payments", ["workspace_id", "posted", "id"], unique=False
    )
    op.create_index(
        "ix_transaction_tags_workspace_key_value",
        "transaction_tags",
        ["workspace_id", "key", "value"],
        unique=False,
    )
    _backfill(versions)
    _forbid_rewriting_history()


def _forbid_rewriting_history() -> None:
    """As invoice_versions: the database itself refuses UPDATE and DELETE of a version."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION transaction_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'transaction versions are immutable'; END $$"
        )
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER transaction_versions_no_{verb.lower()} BEFORE {verb} ON "
                "transaction_versions FOR EACH ROW "
                "EXECUTE FUNCTION transaction_versions_immutable()"
            )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER transaction_versions_no_{verb.lower()} BEFORE {verb} ON "
            "transaction_versions "
            "BEGIN SELECT RAISE(ABORT, 'transaction versions are immutable'); END"
        )


def _backfill(versions: sa.Table) -> None:
    """One version row per existing transaction, in batches of ids."""
    bind = op.get_bind()
    meta = sa.MetaData()
    transactions = sa.Table("transactions", meta, autoload_with=bind)
    tags = sa.Table("transaction_tags", meta, autoload_with=bind)
    payments = sa.Table("payments", meta, autoload_with=bind)
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                transactions.c.id,
                transactions.c.workspace_id,
                transactions.c.version,
                transactions.c.unallocated,
                transactions.c.created,
            )
            .where(transactions.c.id > last)
            .order_by(transactions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        last = ids[-1]
        tags_of: defaultdict[int, list[list[str]]] = defaultdict(list)
        for tag in bind.execute(
            sa.select(tags.c.transaction_id, tags.c.key, tags.c.value)
            .where(tags.c.transaction_id.in_(ids))
            .order_by(tags.c.transaction_id, tags.c.position)
        ):
            tags_of[tag.transaction_id].append([tag.key, tag.value])
        allocations_of: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
        for payment in bind.execute(
            sa.select(payments).where(payments.c.transaction_id.in_(ids)).order_by(payments.c.id)
        ):
            allocations_of[payment.transaction_id].append(
                {
                    "paymentId": payment.public_id,
                    "invoiceId": payment.invoice_id,
                    "userId": payment.user_id,
                    "type": payment.type,
                    "amount": str(payment.amount),
                }
            )
        now = datetime.now(UTC)
        bind.execute(
            versions.insert(),
            [
                {
                    "transaction_id": row.id,
                    "version": row.version,
                    "workspace_id": row.workspace_id,
                    "modified": row.created if row.version == 1 else now,
                    "tags": tags_of[row.id],
                    "allocations": allocations_of[row.id],
                    "unallocated": row.unallocated,
                    "changes": [],
                }
                for row in rows
            ],
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for verb in ("update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS transaction_versions_no_{verb}"
            + (" ON transaction_versions" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS transaction_versions_immutable()")
    op.drop_index("ix_transaction_tags_workspace_key_value", table_name="transaction_tags")
    op.drop_index("ix_payments_workspace_posted", table_name="payments")
    op.drop_table("transaction_versions")
