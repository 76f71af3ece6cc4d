"""GET /metrics in Prometheus text format, and the count of every HTTP response.

Who may scrape is a setting (`INVOICEGRAPH_METRICS`): `loopback` (the default) answers only
requests from this machine, `token` only those with `Authorization: Bearer <metrics token>`,
`off` answers 404. Behind a reverse proxy on the same machine every request looks local: use
`token` there.
"""

import hmac
from collections.abc import Iterator
from ipaddress import ip_address

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from invoicegraph.http.errors import error_response
from invoicegraph.http.state import app_state
from invoicegraph.metrics import CONTENT_TYPE, HTTP_RESPONSES, exposition
from invoicegraph.store.outbox import pending_count

ROUTES = frozenset({"/graphql", "/oauth2/token", "/healthz", "/metrics"})


class _OutboxBacklog(Collector):
    """Events committed but not yet published, as read for this scrape."""

    def __init__(self, pending: int) -> None:
        self.pending = pending

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "invoicegraph_outbox_backlog",
            "Committed events the outbox publisher has not sent yet",
            value=self.pending,
        )


async def metrics_endpoint(request: Request) -> Response:
    settings = app_state(request.app).settings
    if settings.metrics == "off":
        return Response(status_code=404)
    if settings.metrics == "loopback" and not _from_this_machine(request):
        return error_response("/metrics answers only this machine", code="FORBIDDEN", status=403)
    if settings.metrics == "token" and not _bearer_matches(request, settings.metrics_token):
        return error_response(
            "/metrics needs the metrics bearer token", code="UNAUTHENTICATED", status=401
        )
    async with app_state(request.app).db.read() as session:
        backlog = await pending_count(session)
    return Response(exposition(_OutboxBacklog(backlog)), media_type=CONTENT_TYPE)


def _from_this_machine(request: Request) -> bool:
    host = request.client.host if request.client is not None else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _bearer_matches(request: Request, token: str | None) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return (
        token is not None
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.encode(), token.encode())
    )


class ResponseCounter:
    """Counts every HTTP response by route and status, those GraphQL never sees included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        route = path if path in ROUTES else "other"

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                HTTP_RESPONSES.labels(route, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counted)
