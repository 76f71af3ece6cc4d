"""Request headers are bounded, and every response carries the same safety headers.

Requests whose headers take more than MAX_HEADER_BYTES are refused with 431 (uvicorn's h11
parser is given the same bound by `invoicegraph serve`; httptools has none of its own). Every
response's answers are per caller and never to be cached
by a shared cache or a browser (`Cache-Control: no-store`, unless a route says otherwise, as
the playground's static assets do), and never to be sniffed into another type
(`X-Content-Type-Options: nosniff`)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from invoicegraph.http.errors import error_response

MAX_HEADER_BYTES = 32 * 1024
"""All of a request's header names and values together: far above any real client's."""


class ResponseHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        if sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            refused = error_response(
                f"Request headers over {MAX_HEADER_BYTES} bytes.", code="BAD_USER_INPUT", status=431
            )
            await refused(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, with_headers)
