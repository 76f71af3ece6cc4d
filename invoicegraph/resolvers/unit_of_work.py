"""The one write path: a transaction, the events it produces, commit, then publish.

Every mutation runs inside `unit_of_work`: a domain error (or any exception) raised in it rolls
the whole write back and leaves no event. Events are collected while writing and kept in the
outbox in the same transaction; once it commits, the outbox publisher is woken
(events/outbox.py), and nothing it does can turn the committed write into a failure. The
request's read snapshot is renewed afterwards, so the mutation's answer shows what it wrote.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.errors import IkConflict
from invoicegraph.ledger.events import InvoiceEvent
from invoicegraph.resolvers.context import Context
from invoicegraph.store.outbox import add_events
from invoicegraph.store.tables import InvoiceRow, TransactionRow


@dataclass
class UnitOfWork:
    """What a mutation writes with: the transaction's session and the events it collects."""

    session: AsyncSession
    workspace_id: int
    events: list[InvoiceEvent] = field(default_factory=list)

    def emit(
        self,
        event_type: EventType,
        invoice: InvoiceRow,
        *,
        transaction: TransactionRow | None = None,
    ) -> None:
        """Publish this event about the invoice as the write leaves it, once the write has
        committed (never if it rolls back); `transaction`: the one whose allocations it is."""
        assert invoice.id is not None
        self.events.append(
            InvoiceEvent(
                type=event_type,
                workspace_id=invoice.workspace_id,
                invoice_id=invoice.id,
                version=invoice.version,
                transaction_id=None if transaction is None else transaction.id,
                transaction_version=None if transaction is None else transaction.version,
            )
        )

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the write that may fail alone: its rows and its events go, the rest stays
        (one item of a batch)."""
        mark = len(self.events)
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            del self.events[mark:]
            raise


@asynccontextmanager
async def unit_of_work(context: Context) -> AsyncIterator[UnitOfWork]:
    """The write transaction; the request's read session is closed first, so that a request
    holds one connection at a time, never two (the write reads what it needs itself)."""
    await context.reader.close()
    try:
        async with context.db.write() as session:
            work = UnitOfWork(session=session, workspace_id=context.workspace_id)
            yield work
            await add_events(session, work.events, now())
        if work.events:
            context.events.committed()
    finally:
        await context.after_write()


class Keyed(Protocol):
    """A row written under the caller's idempotency key, with the digest of its input."""

    request_hash: str


Row = TypeVar("Row", bound=Keyed)
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Written(Generic[Result]):
    value: Result
    is_replay: bool


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    name: str
    """The input field that carries the key, for IkConflictError's message."""
    value: str
    fingerprint: str
    """A digest of the normalized input: equal for a replay, different for a reuse."""


async def write_once(
    context: Context,
    key: IdempotencyKey,
    *,
    find: Callable[[AsyncSession], Awaitable[Row | None]],
    write: Callable[[UnitOfWork], Awaitable[Row | None]],
) -> Written[Row]:
    """Write a new row under the caller's key, or answer the stored one: a replay of the same
    input, or IkConflict (which rolls back whatever the attempt wrote) for another input.

    `write` claims the key as it inserts (INSERT ... ON CONFLICT DO NOTHING) and answers None
    when it is taken; on PostgreSQL a concurrent writer of the same key is waited for, so the
    loser finds the winner's row.
    """
    async with unit_of_work(context) as work:
        written = await write(work)
        if written is not None:
            return Written(written, is_replay=False)
        existing = await find(work.session)
        assert existing is not None, "a taken key has its row"
        return replay_of(existing, key)


def replay_of(existing: Row, key: IdempotencyKey) -> Written[Row]:
    """The stored row for a repeat of the same input; IkConflict for another input."""
    if existing.request_hash != key.fingerprint:
        raise IkConflict(key_name=key.name, key=key.value)
    return Written(existing, is_replay=True)
