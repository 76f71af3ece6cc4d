"""application/graphql-response+json, as the GraphQL-over-HTTP specification describes it.

Strawberry answers every request with application/json and status 200. A client that accepts
application/graphql-response+json gets that media type instead, and then a request error (one
that stopped the operation before it ran: syntax, validation, variables, limits) is a 400
without a `data` entry, so HTTP tooling can tell a refused request from a result.
"""

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

GRAPHQL_RESPONSE = "application/graphql-response+json"


def prefers_graphql_response(accept: str) -> bool:
    """True when the Accept header lists graphql-response+json before (or without) plain JSON."""
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE not in types:
        return False
    return "application/json" not in types or types.index(GRAPHQL_RESPONSE) < types.index(
        "application/json"
    )


def as_graphql_response(status: int, body: bytes) -> tuple[int, bytes]:
    try:
        result = json.loads(body)
    except ValueError:
        return status, body
    if not isinstance(result, dict):
        return status, body
    errors = result.get("errors") or []
    request_error = (
        status == 200
        and result.get("data") is None
        and bool(errors)
        and all(isinstance(e, dict) and "path" not in e for e in errors)
    )
    if request_error:
        result.pop("data", None)
        return 400, json.dumps(result).encode()
    return status, body


class GraphQLResponseMediaType:
    """Wraps the GraphQL view: rewrites JSON responses for clients that prefer the new type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accept = Headers(scope=scope).get("accept", "")
        if scope["type"] != "http" or not prefers_graphql_response(accept):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            status, body = start["status"], b"".join(chunks)
            if headers.get("content-type", "").startswith("application/json"):
                status, body = as_graphql_response(status, body)
                headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                headers["content-length"] = str(len(body))
            await send({**start, "status": status, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
