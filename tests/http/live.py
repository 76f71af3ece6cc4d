"""A real uvicorn server for an app whose lifespan the test already runs, in the test's own
event loop: requests pass uvicorn's HTTP parser and sockets, and the test can still watch the
app's pool and state."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette

STARTUP_TIMEOUT_SECONDS = 10.0
GRACE_SECONDS = 2
"""How long stopping waits for open requests (a failed test may leave some hanging)."""


@asynccontextmanager
async def live_server(app: Starlette, **config: object) -> AsyncIterator[int]:
    """Serve `app` on a free loopback port (yielded) until the block ends; `config`: more
    uvicorn settings."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port: int = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=GRACE_SECONDS,
            **config,  # type: ignore[arg-type]
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
            while not server.started:
                if serving.done():
                    serving.result()
                await asyncio.sleep(0.01)
        yield port
    finally:
        server.should_exit = True
        await serving
        listener.close()
