"""The deliverer: fans the outbox out into deliveries and sends those that are due.

Every server process runs one, but only one delivers at a time in a deployment: on
PostgreSQL the one holding a session advisory lock on a connection of its own (the others
try again every few seconds, and the lock passes on when its holder's connection goes, a
SIGKILL included); on SQLite there is one server process. A delivery's result is written
right after its attempt, so a deliverer killed mid-attempt leaves the delivery pending, and
the next deliverer sends it again: at least once, never lost; receivers deduplicate on the
event id.
"""

import asyncio
import logging
import time
from contextlib import suppress
from datetime import datetime

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from invoicegraph.clock import now
from invoicegraph.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_SECONDS
from invoicegraph.store.engine import Database
from invoicegraph.store.webhooks import (
    FAILED,
    PENDING,
    SUCCEEDED,
    DueDelivery,
    due_deliveries,
    get_delivery_by_id,
    get_endpoint_by_id,
    insert_attempt,
    next_due,
)
from invoicegraph.webhooks.config import WebhookConfig
from invoicegraph.webhooks.fanout import Renderer, fan_out
from invoicegraph.webhooks.secrets import SecretUnreadable
from invoicegraph.webhooks.sender import Outcome, send

log = logging.getLogger("invoicegraph.webhooks")

DELIVERER_LOCK = 0x1D0_3E8B
"""The advisory lock key of the one deliverer of a PostgreSQL deployment."""
POLL_SECONDS = 2.0
"""How often the deliverer looks for new events when nothing wakes it (retries falling due
wake it on time). Published events wake it (`wake`), at most every ROUND_SECONDS: an idle
server then costs a few statements every two seconds, a busy one four rounds a second."""
ROUND_SECONDS = 0.25
LEADER_RETRY_SECONDS = 2.0
"""How often a process that is not the deliverer tries to become it."""
BATCH = 50
"""Deliveries attempted at once."""
MAX_PAUSE_SECONDS = 30.0
STOP_SECONDS = 10.0


class Leadership:
    """The deliverer's turn: always this process on SQLite; on PostgreSQL, the holder of a
    session advisory lock on a connection kept for it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: AsyncConnection | None = None

    async def hold(self) -> bool:
        """Whether this process is the deliverer now (taking the turn if it is free)."""
        if self._db.is_sqlite:
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            except Exception:
                log.warning("lost the deliverer's connection; trying to take the turn again")
                await self.release()
        connection = await self._db.engine.connect()
        try:
            taken = await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": DELIVERER_LOCK}
            )
            held = bool(taken.scalar_one())
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not held:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with suppress(Exception):
                await connection.close()  # closing the session releases the lock


class WebhookWorker:
    def __init__(self, db: Database, config: WebhookConfig, render: Renderer) -> None:
        self._db = db
        self._config = config
        self._render = render
        self._leadership = Leadership(db)
        self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()

    async def fan_out_all(self) -> int:
        total = 0
        while (handled := await fan_out(self._db, self._render)) > 0:
            total += handled
        return total

    async def deliver_due(self) -> int:
        """Attempt every delivery due now, batch after batch: the number of attempts."""
        total = 0
        while not self._stopping:
            async with self._db.read() as session:
                due = await due_deliveries(session, now=now(), limit=BATCH)
            if not due:
                break
            await asyncio.gather(*(self._attempt(delivery) for delivery in due))
            total += len(due)
        return total

    async def _attempt(self, delivery: DueDelivery) -> None:
        try:
            secret = self._config.box.open(delivery.secret_ciphertext)
        except SecretUnreadable as error:
            outcome = Outcome(ok=False, status_code=None, latency_ms=0, error=str(error))
        else:
            outcome = await send(
                self._client,
                url=delivery.url,
                body=delivery.body,
                secret=secret,
                event_id=delivery.event_id,
                timeout_seconds=self._config.timeout_seconds,
                allow_private=self._config.allow_private,
            )
        result = await self._record(delivery, outcome)
        WEBHOOK_ATTEMPTS.labels(result).inc()
        if outcome.status_code is not None:
            WEBHOOK_SECONDS.observe(outcome.latency_ms / 1000)

    async def _record(self, due: DueDelivery, outcome: Outcome) -> str:
        """The attempt, the delivery's new standing, and the endpoint's (failing since when;
        disabled once it has failed for the whole window); returns how it ended for the
        metrics: delivered, failed (to be retried) or given_up."""
        schedule = self._config.schedule
        async with self._db.write() as session:
            at = now()
            delivery = await get_delivery_by_id(session, delivery_id=due.id)
            if delivery is None or delivery.status != PENDING:
                return "given_up"  # deleted with its endpoint meanwhile
            endpoint = await get_endpoint_by_id(session, endpoint_id=due.endpoint_id)
            await insert_attempt(
                session,
                delivery_id=due.id,
                workspace_id=due.workspace_id,
                attempted=at,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
            delivery.attempts += 1
            delivery.last_status_code = outcome.status_code
            delivery.last_latency_ms = outcome.latency_ms
            delivery.last_error = outcome.error
            if outcome.ok:
                delivery.status = SUCCEEDED
                delivery.delivered = at
                delivery.next_attempt = None
                endpoint.failing_since = None
            else:
                if schedule.gives_up(delivery.retry_from, at):
                    delivery.status = FAILED
                    delivery.next_attempt = None
                else:
                    delivery.next_attempt = at + schedule.pause(delivery.attempts)
                since = endpoint.failing_since or at
                endpoint.failing_since = since
                if endpoint.enabled and schedule.gives_up(since, at):
                    endpoint.enabled = False
                    endpoint.modified = at
                    endpoint.disabled_reason = (
                        f"Every delivery attempt failed from {_instant(since)} to "
                        f"{_instant(at)} (last: {outcome.error}); enable it again once it "
                        "answers 2xx."
                    )
                    log.warning("disabled webhook endpoint %s", endpoint.public_id)
            session.add(delivery)
            session.add(endpoint)
        return {SUCCEEDED: "delivered", FAILED: "given_up"}.get(delivery.status, "failed")

    def wake(self) -> None:
        """Events were published: look for them now rather than at the next poll."""
        self._wake.set()

    async def _wait(self, round_started: float) -> None:
        """Until the next poll, or sooner when a retry falls due or events wake it, but not
        before ROUND_SECONDS from the start of the last round."""
        pause = POLL_SECONDS
        async with self._db.read() as session:
            due = await next_due(session)
        if due is not None:
            pause = min(pause, max(0.0, (due - now()).total_seconds()))
        await self._sleep(pause)
        rest = round_started + ROUND_SECONDS - time.monotonic()
        if rest > 0:
            await self._pause(rest)

    async def _sleep(self, seconds: float) -> None:
        """A pause that `wake` and `stop` cut short."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        if not self._stopping:
            self._wake.clear()

    async def _pause(self, seconds: float) -> None:
        """A pause that only `stop` cuts short."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    async def _run(self) -> None:
        pause = 0.0
        while not self._stopping:
            try:
                if await self._leadership.hold():
                    round_started = time.monotonic()
                    await self.fan_out_all()
                    await self.deliver_due()
                    pause = 0.0
                    await self._wait(round_started)
                else:
                    await self._pause(LEADER_RETRY_SECONDS)
            except Exception:
                if self._stopping:
                    return
                pause = min(MAX_PAUSE_SECONDS, max(0.1, pause * 2))
                log.exception("delivering webhooks failed; retrying in %.1f s", pause)
                await self._leadership.release()
                await self._pause(pause)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._stopped.clear()
            self._task = asyncio.create_task(self._run(), name="invoicegraph webhooks")

    async def stop(self) -> None:
        """Let the attempts in flight finish (up to STOP_SECONDS), then release the turn."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            self._stopped.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_SECONDS)
            except TimeoutError:
                self._task.cancel()
                with suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        await self._leadership.release()
        await self._client.aclose()


def _instant(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")
