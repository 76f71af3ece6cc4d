"""Webhook endpoints and deliveries through the API: create, change, disable, delete, rotate
the secret, list, and re-send a delivery; always within the caller's workspace.

A signing secret leaves the server only in the answer to the mutation that made it; it is
stored encrypted (webhooks/secrets.py). URLs pass the URL policy (webhooks/urls.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.errors import BadRequest, FieldProblem, NotFound
from invoicegraph.ledger.webhooks import WebhookEventType
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import (
    BadUserInput,
    PageInfoData,
    decode_cursor,
    encode_cursor,
    page_info,
    page_request,
)
from invoicegraph.resolvers.unit_of_work import unit_of_work
from invoicegraph.store import webhooks as store
from invoicegraph.store.tables import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow
from invoicegraph.webhooks.secrets import new_signing_secret
from invoicegraph.webhooks.urls import UrlRefused, check_url

MAX_DESCRIPTION = 500
DISABLED_BY_CALLER = "Disabled through the API."


@dataclass(frozen=True, slots=True)
class EndpointWithSecret:
    endpoint: WebhookEndpointRow
    secret: str
    """Shown once: only an encrypted copy is kept."""


async def _problems(
    context: Context,
    *,
    url: str | None,
    description: str | None,
    event_types: Sequence[WebhookEventType] | None,
) -> list[FieldProblem]:
    problems = []
    if url is not None:
        try:
            await check_url(url, allow_private=context.webhook_config().allow_private)
        except UrlRefused as refused:
            problems.append(FieldProblem(("url",), str(refused)))
    if description is not None and len(description) > MAX_DESCRIPTION:
        problems.append(FieldProblem(("description",), f"At most {MAX_DESCRIPTION} characters."))
    if event_types is not None and not event_types:
        problems.append(FieldProblem(("eventTypes",), "Name at least one event type."))
    return problems


def _types(event_types: Sequence[WebhookEventType]) -> list[str]:
    return list(dict.fromkeys(kind.value for kind in event_types))


async def create_endpoint(
    context: Context, *, url: str, description: str, event_types: Sequence[WebhookEventType]
) -> EndpointWithSecret:
    problems = await _problems(context, url=url, description=description, event_types=event_types)
    if problems:
        raise BadRequest(problems)
    secret = new_signing_secret()
    async with unit_of_work(context) as work:
        endpoint = await store.insert_endpoint(
            work.session,
            workspace_id=work.workspace_id,
            url=url,
            description=description,
            event_types=_types(event_types),
            secret_ciphertext=context.webhook_config().box.seal(secret),
            now=now(),
        )
    return EndpointWithSecret(endpoint, secret)


async def _endpoint_for_update(
    context: Context, session: AsyncSession, public_id: str
) -> WebhookEndpointRow:
    endpoint = await store.get_endpoint(
        session, workspace_id=context.workspace_id, public_id=public_id, for_update=True
    )
    if endpoint is None:
        raise NotFound(f"No webhook endpoint has the id {public_id!r}.")
    return endpoint


async def update_endpoint(
    context: Context,
    *,
    endpoint_id: str,
    url: str | None,
    description: str | None,
    event_types: Sequence[WebhookEventType] | None,
    enabled: bool | None,
) -> WebhookEndpointRow:
    """Change what is given; `enabled: true` also forgets why it was disabled and when it
    started failing, so its pending deliveries go out again."""
    problems = await _problems(context, url=url, description=description, event_types=event_types)
    if problems:
        raise BadRequest(problems)
    async with unit_of_work(context) as work:
        endpoint = await _endpoint_for_update(context, work.session, endpoint_id)
        if url is not None:
            endpoint.url = url
        if description is not None:
            endpoint.description = description
        if event_types is not None:
            endpoint.event_types = _types(event_types)
        if enabled is True and not endpoint.enabled:
            endpoint.enabled = True
            endpoint.disabled_reason = None
            endpoint.failing_since = None
        elif enabled is False and endpoint.enabled:
            endpoint.enabled = False
            endpoint.disabled_reason = DISABLED_BY_CALLER
        endpoint.modified = now()
        work.session.add(endpoint)
    return endpoint


async def disable_endpoint(context: Context, *, endpoint_id: str) -> WebhookEndpointRow:
    return await update_endpoint(
        context,
        endpoint_id=endpoint_id,
        url=None,
        description=None,
        event_types=None,
        enabled=False,
    )


async def delete_endpoint(context: Context, *, endpoint_id: str) -> str:
    """Delete the endpoint with its deliveries; answers its id."""
    async with unit_of_work(context) as work:
        endpoint = await _endpoint_for_update(context, work.session, endpoint_id)
        assert endpoint.id is not None
        await store.delete_endpoint(work.session, endpoint_id=endpoint.id)
    return endpoint_id


async def rotate_secret(context: Context, *, endpoint_id: str) -> EndpointWithSecret:
    """A new signing secret, used from the next attempt on; the old one stops at once."""
    secret = new_signing_secret()
    async with unit_of_work(context) as work:
        endpoint = await _endpoint_for_update(context, work.session, endpoint_id)
        endpoint.secret_ciphertext = context.webhook_config().box.seal(secret)
        endpoint.modified = now()
        work.session.add(endpoint)
    return EndpointWithSecret(endpoint, secret)


async def resend_delivery(context: Context, *, delivery_id: str) -> WebhookDeliveryRow:
    """Send the delivery again (the same body and event id) as soon as the deliverer can,
    with a fresh retry window; refused while its endpoint is disabled."""
    async with unit_of_work(context) as work:
        delivery = await store.get_delivery(
            work.session, workspace_id=work.workspace_id, public_id=delivery_id
        )
        if delivery is None:
            raise NotFound(f"No webhook delivery has the id {delivery_id!r}.")
        endpoint = await store.get_endpoint_by_id(work.session, endpoint_id=delivery.endpoint_id)
        if not endpoint.enabled:
            raise BadRequest([FieldProblem(("id",), "Its endpoint is disabled: enable it first.")])
        at = now()
        delivery.status = store.PENDING
        delivery.next_attempt = at
        delivery.retry_from = at
        work.session.add(delivery)
    return delivery


# ---- reads


Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    rows: list[Row]
    info: PageInfoData
    attempts: dict[int, list[WebhookAttemptRow]] = field(default_factory=dict)
    """For deliveries: the attempts of each (by delivery row id), read with the page."""
    endpoints: dict[int, WebhookEndpointRow] = field(default_factory=dict)
    """For deliveries: the endpoint of each (by endpoint row id), read with the page."""


DeliveryPage = Page[WebhookDeliveryRow]


def _after(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (row_id,) = decode_cursor(kind, cursor, 1)
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise BadUserInput("the cursor is not valid for this list")
    return row_id


async def endpoint_page(
    context: Context, *, first: int | None, after: str | None
) -> Page[WebhookEndpointRow]:
    request = page_request(first=first, after=after, last=None, before=None)
    async with context.reader.session() as session:
        rows = await store.list_endpoints(
            session,
            workspace_id=context.workspace_id,
            after=_after("whe", after),
            limit=request.limit + 1,
        )
    trimmed, info = page_info(rows, request, lambda row: encode_cursor("whe", row.id))
    return Page(trimmed, info)


async def find_endpoint(context: Context, public_id: str) -> WebhookEndpointRow | None:
    async with context.reader.session() as session:
        return await store.get_endpoint(
            session, workspace_id=context.workspace_id, public_id=public_id
        )


async def delivery_page(
    context: Context,
    *,
    endpoint_id: str | None,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page[WebhookDeliveryRow]:
    """Newest first; an unknown endpoint id lists nothing."""
    request = page_request(first=first, after=after, last=None, before=None)
    before = _after("whd", after)
    async with context.reader.session() as session:
        endpoint_row_id: int | None = None
        if endpoint_id is not None:
            endpoint = await store.get_endpoint(
                session, workspace_id=context.workspace_id, public_id=endpoint_id
            )
            if endpoint is None or endpoint.id is None:
                return Page([], page_info([], request, str)[1])
            endpoint_row_id = endpoint.id
        rows = await store.list_deliveries(
            session,
            workspace_id=context.workspace_id,
            endpoint_id=endpoint_row_id,
            status=status,
            before=before,
            limit=request.limit + 1,
        )
        trimmed, info = page_info(rows, request, lambda row: encode_cursor("whd", row.id))
        return await _with_parts(session, context, trimmed, info)


async def delivery_by_id(context: Context, public_id: str) -> Page[WebhookDeliveryRow]:
    """One delivery (or none) with its attempts and endpoint, as a page of at most one."""
    async with context.reader.session() as session:
        row = await store.get_delivery(
            session, workspace_id=context.workspace_id, public_id=public_id
        )
        rows = [] if row is None else [row]
        return await _with_parts(session, context, rows, PageInfoData(False, False, None, None))


async def _with_parts(
    session: AsyncSession,
    context: Context,
    rows: list[WebhookDeliveryRow],
    info: PageInfoData,
) -> Page[WebhookDeliveryRow]:
    """A page of deliveries with their attempts and endpoints: two statements for any page."""
    if not rows:
        return Page(rows, info)
    endpoints = await store.endpoints_by_ids(
        session,
        workspace_id=context.workspace_id,
        ids=sorted({row.endpoint_id for row in rows}),
    )
    attempts = await store.attempts_of(session, delivery_ids=[row.id for row in rows if row.id])
    return Page(rows, info, attempts=attempts, endpoints=endpoints)
