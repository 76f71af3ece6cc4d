"""Webhook endpoints, deliveries and their attempts as the graph shows them; not Nodes."""

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from invoicegraph.ledger.webhooks import WEBHOOK_EVENT_TYPES, WebhookEventType
from invoicegraph.resolvers.views import WebhookAttemptView, WebhookEndpointView
from invoicegraph.resolvers.webhooks import DeliveryPage
from invoicegraph.schema.errors import BadRequestError, InternalError, NotFoundError
from invoicegraph.schema.pages import PageInfo

strawberry.enum(
    WebhookEventType,
    name="WebhookEventType",
    description="What an endpoint can subscribe to; the payload's `type` is the value in "
    "lower case with dots (INVOICE_PAID is `invoice.paid`).",
)


@strawberry.enum(description="PENDING: to be sent or retried. FAILED: given up.")
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(description="A URL of the workspace's that receives signed events.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    description: str
    event_types: list[WebhookEventType]
    enabled: bool
    disabled_reason: str | None = strawberry.field(
        description="Why it is disabled: through the API, or because it kept failing."
    )
    failing_since: datetime | None = strawberry.field(
        description="The first failed attempt since the last success."
    )
    created: datetime
    modified: datetime

    @classmethod
    def from_row(cls, row: WebhookEndpointView) -> "WebhookEndpoint":
        return cls(
            id=strawberry.ID(row.public_id),
            url=row.url,
            description=row.description,
            event_types=[WEBHOOK_EVENT_TYPES[kind] for kind in row.event_types],
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            created=row.created,
            modified=row.modified,
        )


@strawberry.type
class WebhookAttempt:
    attempted: datetime
    status_code: int | None = strawberry.field(description="None: no HTTP answer.")
    latency_ms: int
    error: str | None

    @classmethod
    def from_row(cls, row: WebhookAttemptView) -> "WebhookAttempt":
        return cls(
            attempted=row.attempted,
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
        )


@strawberry.type(description="One event for one endpoint, with every attempt to send it.")
class WebhookDelivery:
    id: strawberry.ID
    endpoint: WebhookEndpoint
    event_id: str = strawberry.field(
        description="The payload's `id`: the same for every endpoint and attempt."
    )
    event_type: WebhookEventType
    invoice_version: int
    status: WebhookDeliveryStatus
    attempt_count: int
    attempts: list[WebhookAttempt]
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next (PENDING only)."
    )
    created: datetime
    delivered_at: datetime | None
    body: str = strawberry.field(description="The JSON sent, byte for byte.")


def build_deliveries(page: DeliveryPage) -> list[WebhookDelivery]:
    return [
        WebhookDelivery(
            id=strawberry.ID(row.public_id),
            endpoint=WebhookEndpoint.from_row(page.endpoints[row.endpoint_id]),
            event_id=row.event_id,
            event_type=WEBHOOK_EVENT_TYPES[row.event_type],
            invoice_version=row.invoice_version,
            status=WebhookDeliveryStatus(row.status),
            attempt_count=row.attempts,
            attempts=[WebhookAttempt.from_row(a) for a in page.attempts.get(row.id or 0, [])],
            last_status_code=row.last_status_code,
            last_latency_ms=row.last_latency_ms,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt,
            created=row.created,
            delivered_at=row.delivered,
            body=row.body,
        )
        for row in page.rows
    ]


@strawberry.type
class WebhookEndpointConnection:
    nodes: list[WebhookEndpoint]
    page_info: PageInfo


@strawberry.type
class WebhookDeliveryConnection:
    nodes: list[WebhookDelivery]
    page_info: PageInfo


# ---- inputs and results


@strawberry.input
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="http(s); public addresses only, by default.")
    event_types: list[WebhookEventType]
    description: str = ""


@strawberry.input(description="Changes what is given; `enabled: true` re-enables a disabled one.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = strawberry.UNSET
    event_types: list[WebhookEventType] | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET


@strawberry.input
class WebhookEndpointInput:
    id: strawberry.ID


@strawberry.input
class ResendWebhookDeliveryInput:
    id: strawberry.ID


@strawberry.type
class WebhookEndpointSecretResult:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(
        description="The signing secret, shown this once: keep it where the receiver runs."
    )


@strawberry.type
class WebhookEndpointResult:
    endpoint: WebhookEndpoint


@strawberry.type
class DeleteWebhookEndpointResult:
    deleted_id: strawberry.ID


@strawberry.type
class ResendWebhookDeliveryResult:
    delivery: WebhookDelivery


CreateWebhookEndpointResponse = Annotated[
    WebhookEndpointSecretResult | BadRequestError | InternalError,
    strawberry.union("CreateWebhookEndpointResponse"),
]
UpdateWebhookEndpointResponse = Annotated[
    WebhookEndpointResult | BadRequestError | NotFoundError | InternalError,
    strawberry.union("UpdateWebhookEndpointResponse"),
]
DisableWebhookEndpointResponse = Annotated[
    WebhookEndpointResult | NotFoundError | InternalError,
    strawberry.union("DisableWebhookEndpointResponse"),
]
DeleteWebhookEndpointResponse = Annotated[
    DeleteWebhookEndpointResult | NotFoundError | InternalError,
    strawberry.union("DeleteWebhookEndpointResponse"),
]
RotateWebhookEndpointSecretResponse = Annotated[
    WebhookEndpointSecretResult | NotFoundError | InternalError,
    strawberry.union("RotateWebhookEndpointSecretResponse"),
]
ResendWebhookDeliveryResponse = Annotated[
    ResendWebhookDeliveryResult | BadRequestError | NotFoundError | InternalError,
    strawberry.union("ResendWebhookDeliveryResponse"),
]
