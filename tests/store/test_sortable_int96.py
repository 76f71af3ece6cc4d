"""SortableInt96Type: exact both ways, and SQL compares and orders it as the numbers, on both
backends (SQLite keeps offset, zero-padded text; PostgreSQL NUMERIC)."""

import random

from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.store.engine import Database
from invoicegraph.store.types import SortableInt96Type

EDGES = [
    -(2 * INT96_LIMIT) + 1,
    -INT96_LIMIT,
    -(10**20),
    -(2**63) - 1,
    -10,
    -9,
    -1,
    0,
    1,
    9,
    10,
    2**63,
    10**20,
    INT96_LIMIT - 1,
    2 * INT96_LIMIT - 1,
]


async def test_values_compare_and_sort_as_numbers(db: Database) -> None:
    rng = random.Random(7)
    values = EDGES + [rng.randint(-(2 * INT96_LIMIT) + 1, 2 * INT96_LIMIT - 1) for _ in range(60)]
    table = Table(
        "sortable_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("value", SortableInt96Type(), nullable=False),
    )
    async with db.write() as session:
        connection = await session.connection()
        await connection.run_sync(table.create)
        await connection.execute(insert(table), [{"value": v} for v in values])
        ordered = (await connection.execute(select(table.c.value).order_by(table.c.value))).all()
        assert [row[0] for row in ordered] == sorted(values)
        for bound in (-10, -1, 0, 1, 9, 10**20, INT96_LIMIT - 1):
            above = await connection.execute(select(table.c.value).where(table.c.value > bound))
            assert sorted(row[0] for row in above) == sorted(v for v in values if v > bound)
            equal = await connection.execute(select(table.c.value).where(table.c.value == bound))
            assert [row[0] for row in equal] == [v for v in values if v == bound]
        await connection.run_sync(table.drop)
