"""Media types: the one Accept parser, and application/graphql-response+json.

Every header of the Accept family (Accept, Accept-Encoding) is read by `parse_accept` here: the
playground's page-or-GraphQL choice, its gzip choice and the response type below.

application/graphql-response+json is the GraphQL-over-HTTP specification's response type.
Strawberry answers every request with application/json and status 200. A client that accepts
application/graphql-response+json gets that media type instead, and then a request error (one
that stopped the operation before it ran: syntax, validation, variables, limits) is a 400
without a `data` entry, so HTTP tooling can tell a refused request from a result.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_MEDIA_TYPES = (JSON, GRAPHQL_RESPONSE)


@dataclass(frozen=True, slots=True)
class MediaRange:
    name: str
    """Lower-cased, parameters removed: `text/html`, `*/*`, `gzip`."""
    quality: float
    """Its `q` parameter; 1.0 without one, 0.0 when it is not a number."""


@lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The ranges of an Accept-style header, in the order they were sent.

    Cached: clients send the same few headers again and again, and this runs on every request.
    """
    ranges = []
    for part in header.split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(name=name.lower(), quality=quality))
    return tuple(ranges)


def quality(header: str, names: Iterable[str]) -> float:
    """The highest q the header gives any of `names` by name (wildcards ignored); 0 if none."""
    wanted = set(names)
    return max((r.quality for r in parse_accept(header) if r.name in wanted), default=0.0)


def prefers_graphql_response(accept: str) -> bool:
    """True when the Accept header lists graphql-response+json before (or without) plain JSON."""
    names = [r.name for r in parse_accept(accept)]
    if GRAPHQL_RESPONSE not in names:
        return False
    return JSON not in names or names.index(GRAPHQL_RESPONSE) < names.index(JSON)


def as_graphql_response(status: int, body: bytes) -> tuple[int, bytes]:
    """A request error's 200 becomes a 400 without `data`; anything else is left as it is."""
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
        return 400, json.dumps(result, separators=(",", ":")).encode()
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
            if headers.get("content-type", "").startswith(JSON):
                status, body = as_graphql_response(status, body)
                headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                headers["content-length"] = str(len(body))
            await send({**start, "status": status, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
