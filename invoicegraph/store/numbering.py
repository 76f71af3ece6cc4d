"""Invoice numbers: a workspace's prefix and a gapless sequence, given in the write's own
transaction.

The next numbers are claimed with one `INSERT ... ON CONFLICT DO UPDATE SET last_number =
last_number + n RETURNING last_number` on the workspace's numbering row. On PostgreSQL the
row lock it takes makes a concurrent writer wait until this transaction ends; on SQLite the
write transaction already holds the database's write lock. A transaction that rolls back
gives its numbers back with it, so the numbers given are 1, 2, 3, ... without a gap.
"""

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.store.tables import InvoiceNumberingRow
from invoicegraph.store.upsert import insert_ignoring

DEFAULT_PREFIX = "INV-"
PREFIX_MAX = 32
DIGITS = 6
"""Numbers are zero-padded to this many digits: INV-000001 (longer ones just grow)."""


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:0{DIGITS}d}"


async def next_numbers(session: AsyncSession, *, workspace_id: int, count: int) -> list[str]:
    """The workspace's next `count` invoice numbers, in order, claimed in this transaction."""
    if count <= 0:
        return []
    connection = await session.connection()
    table = InvoiceNumberingRow.__table__  # type: ignore[attr-defined]
    statement = (
        insert_ignoring(connection.dialect.name, InvoiceNumberingRow)
        .values(workspace_id=workspace_id, prefix=DEFAULT_PREFIX, last_number=count)
        .on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={"last_number": table.c.last_number + count},
        )
        .returning(col(InvoiceNumberingRow.prefix), col(InvoiceNumberingRow.last_number))
    )
    prefix, last = (await connection.execute(statement)).one()
    return [format_number(prefix, sequence) for sequence in range(last - count + 1, last + 1)]


async def give_back_numbers(session: AsyncSession, *, workspace_id: int, count: int) -> None:
    """Return the last `count` numbers claimed in this transaction to the sequence (claimed
    for invoices that were then not written)."""
    if count <= 0:
        return
    connection = await session.connection()
    await connection.execute(
        update(InvoiceNumberingRow)
        .where(col(InvoiceNumberingRow.workspace_id) == workspace_id)
        .values(last_number=col(InvoiceNumberingRow.last_number) - count)
    )


async def set_prefix(session: AsyncSession, *, workspace_id: int, prefix: str) -> None:
    """Numbers given from now on start with `prefix`; the sequence goes on where it was."""
    existing = (
        await session.exec(
            select(InvoiceNumberingRow).where(InvoiceNumberingRow.workspace_id == workspace_id)
        )
    ).first()
    if existing is None:
        session.add(InvoiceNumberingRow(workspace_id=workspace_id, prefix=prefix, last_number=0))
    else:
        await session.exec(
            update(InvoiceNumberingRow)
            .where(col(InvoiceNumberingRow.workspace_id) == workspace_id)
            .values(prefix=prefix)
        )
