"""Which GraphQL requests may use the database now: as many at once as there are connections,
and at most `per_client` of one API client.

Each admitted request holds at most one connection at a time (authentication's read session
is released before a mutation's write transaction takes one), so admitting no more requests
than the pool has connections means no admitted request waits for the pool. A request that is
not admitted within `wait_seconds` is answered 503 SERVICE_BUSY with Retry-After at once,
instead of every tenant stalling behind a full pool; one client past its own share is
answered 429 TOO_MANY_REQUESTS, so a single client cannot take every connection.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

ADMISSION_WAIT_SECONDS = 5.0
"""How long a request waits for a free connection's turn before it is told to retry: long enough
for a queue of writers on one row (each holding a connection while it waits for the lock) to
drain, far shorter than the 30 s every tenant stalled for behind a full pool."""
RETRY_AFTER_SECONDS = 1


class ServiceBusy(Exception):
    """Every connection is in use and none came free in time."""


class TooManyRequests(Exception):
    """This client already has its share of requests in flight."""


class Admission:
    """The database's turns for requests, counted per process."""

    def __init__(
        self, *, capacity: int, per_client: int, wait_seconds: float = ADMISSION_WAIT_SECONDS
    ) -> None:
        self.capacity = capacity
        self.per_client = per_client
        self.wait_seconds = wait_seconds
        self._turns = asyncio.Semaphore(capacity)
        self._in_flight: Counter[str] = Counter()

    @property
    def admitted(self) -> int:
        """Requests that hold a turn now."""
        return self.capacity - self._turns._value

    def in_flight(self, client_id: str) -> int:
        return self._in_flight[client_id]

    @asynccontextmanager
    async def admit(self, client_id: str) -> AsyncIterator[None]:
        """Hold one of the client's request slots and one turn at the database for the block;
        TooManyRequests or ServiceBusy when neither is to be had."""
        if self._in_flight[client_id] >= self.per_client:
            raise TooManyRequests
        self._in_flight[client_id] += 1
        try:
            try:
                async with asyncio.timeout(self.wait_seconds):
                    await self._turns.acquire()
            except TimeoutError:
                raise ServiceBusy from None
            try:
                yield
            finally:
                self._turns.release()
        finally:
            self._in_flight[client_id] -= 1
            if not self._in_flight[client_id]:
                del self._in_flight[client_id]
