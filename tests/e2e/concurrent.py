"""Helpers for concurrency tests against a live server: requests released all at once."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from tests.e2e.server import Deployment

T = TypeVar("T")


def concurrent_client(deployed: Deployment, connections: int) -> httpx.AsyncClient:
    """A client with a connection per concurrent request, so that none waits for a free one."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    return httpx.AsyncClient(
        base_url=deployed.base_url, trust_env=False, timeout=60.0, limits=limits
    )


async def post(
    http: httpx.AsyncClient, token: str, document: str, variables: dict[str, Any]
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


def data_of(response: httpx.Response) -> Any:
    """The data of a response that must have no HTTP failure (no 5xx) and no top-level errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body
    return body["data"]


async def query(http: httpx.AsyncClient, token: str, document: str, **variables: Any) -> Any:
    return data_of(await post(http, token, document, variables))


async def released_together(workers: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """Start every worker, let them all wait on one event, set it, and gather the results."""
    start = asyncio.Event()

    async def run(worker: Callable[[], Awaitable[T]]) -> T:
        await start.wait()
        return await worker()

    tasks = [asyncio.create_task(run(worker)) for worker in workers]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)
