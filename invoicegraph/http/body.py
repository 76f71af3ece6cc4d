"""Request bodies over the limit are refused with 413 before they are read into memory; a
client that hangs up before its body arrives gets nothing (and leaves no traceback)."""

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from invoicegraph.http.errors import error_response


class BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body has passed the limit."""


class BodyLimit:
    """Refuse bodies over `max_bytes`: by Content-Length at once, else while they stream in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)
        except ClientDisconnect:
            pass  # the client hung up before its body arrived: nobody is left to answer

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            f"Request body over {self.max_bytes} bytes.", code="BAD_USER_INPUT", status=413
        )
        await response(scope, receive, send)


def replaying(message: Message, receive: Receive) -> Receive:
    """A `receive` that gives `message` first (a body already read), then what `receive` gives."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return message

    return replay
