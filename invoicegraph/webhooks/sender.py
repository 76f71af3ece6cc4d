"""One attempt of one delivery: POST the stored body, signed, within the timeout.

Any 2xx answer is a success; anything else (3xx included: redirects are not followed, so a
moved endpoint must be updated), a timeout, a refused connection or a URL that now resolves
to a refused address is a failure, recorded with what is known of it.
"""

import time
from dataclasses import dataclass

import httpx

from invoicegraph.webhooks.signing import HEADER, signature_header
from invoicegraph.webhooks.urls import UrlRefused, check_url

USER_AGENT = "invoicegraph-webhooks/1"
MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None


async def send(
    client: httpx.AsyncClient,
    *,
    url: str,
    body: str,
    secret: str,
    event_id: str,
    timeout_seconds: float,
    allow_private: bool,
) -> Outcome:
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        await check_url(url, allow_private=allow_private)
    except UrlRefused as refused:
        return Outcome(ok=False, status_code=None, latency_ms=0, error=str(refused))
    content = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Invoicegraph-Event-Id": event_id,
        HEADER: signature_header([secret], int(time.time()), content),
    }
    try:
        async with client.stream(
            "POST", url, content=content, headers=headers, timeout=timeout_seconds
        ) as response:
            code = response.status_code
    except httpx.TimeoutException:
        return Outcome(False, None, elapsed(), f"no answer within {timeout_seconds:g} s")
    except httpx.HTTPError as error:
        text = f"{type(error).__name__}: {error}"[:MAX_ERROR]
        return Outcome(False, None, elapsed(), text)
    if 200 <= code < 300:
        return Outcome(True, code, elapsed(), None)
    return Outcome(False, code, elapsed(), f"HTTP {code}")
