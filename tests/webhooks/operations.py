"""GraphQL documents and waiting helpers of the webhook tests."""

import asyncio
from collections.abc import Callable
from typing import Any

ENDPOINT_FIELDS = """
fragment EndpointFields on WebhookEndpoint {
  id url description eventTypes enabled disabledReason failingSince created modified
}
"""

ERRORS = """
    ... on Error { code message retryable }
    ... on BadRequestError { fieldErrors { field message } }
"""

CREATE_ENDPOINT = (
    """
mutation CreateEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointSecretResult { secret endpoint { ...EndpointFields } }
"""
    + ERRORS
    + "} }"
    + ENDPOINT_FIELDS
)

UPDATE_ENDPOINT = (
    """
mutation UpdateEndpoint($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointResult { endpoint { ...EndpointFields } }
"""
    + ERRORS
    + "} }"
    + ENDPOINT_FIELDS
)

DISABLE_ENDPOINT = (
    """
mutation DisableEndpoint($input: WebhookEndpointInput!) {
  disableWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointResult { endpoint { ...EndpointFields } }
    ... on Error { code message retryable }
} }"""
    + ENDPOINT_FIELDS
)

DELETE_ENDPOINT = """
mutation DeleteEndpoint($input: WebhookEndpointInput!) {
  deleteWebhookEndpoint(input: $input) {
    __typename
    ... on DeleteWebhookEndpointResult { deletedId }
    ... on Error { code message retryable }
} }"""

ROTATE_SECRET = (
    """
mutation RotateSecret($input: WebhookEndpointInput!) {
  rotateWebhookEndpointSecret(input: $input) {
    __typename
    ... on WebhookEndpointSecretResult { secret endpoint { ...EndpointFields } }
    ... on Error { code message retryable }
} }"""
    + ENDPOINT_FIELDS
)

DELIVERY_FIELDS = """
fragment DeliveryFields on WebhookDelivery {
  id eventId eventType invoiceVersion status attemptCount lastStatusCode lastLatencyMs
  lastError nextAttemptAt created deliveredAt body
  endpoint { id }
  attempts { attempted statusCode latencyMs error }
}
"""

RESEND = (
    """
mutation Resend($input: ResendWebhookDeliveryInput!) {
  resendWebhookDelivery(input: $input) {
    __typename
    ... on ResendWebhookDeliveryResult { delivery { ...DeliveryFields } }
"""
    + ERRORS
    + "} }"
    + DELIVERY_FIELDS
)

ENDPOINTS = (
    """
query Endpoints($first: Int, $after: String) {
  webhookEndpoints(first: $first, after: $after) {
    nodes { ...EndpointFields }
    pageInfo { hasNextPage endCursor }
  }
}"""
    + ENDPOINT_FIELDS
)

ENDPOINT = (
    "query Endpoint($id: ID!) { webhookEndpoint(id: $id) { ...EndpointFields } }" + ENDPOINT_FIELDS
)

DELIVERIES = (
    """
query Deliveries($endpointId: ID, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpointId, status: $status, first: $first, after: $after) {
    nodes { ...DeliveryFields }
    pageInfo { hasNextPage endCursor }
  }
}"""
    + DELIVERY_FIELDS
)

DELIVERY = (
    "query Delivery($id: ID!) { webhookDelivery(id: $id) { ...DeliveryFields } }" + DELIVERY_FIELDS
)

ALL_TYPES = [
    "INVOICE_CREATED",
    "INVOICE_UPDATED",
    "INVOICE_FINALIZED",
    "INVOICE_PAID",
    "INVOICE_REOPENED",
    "INVOICE_VOIDED",
    "INVOICE_MARKED_UNCOLLECTIBLE",
    "PAYMENT_RECORDED",
    "ALLOCATION_CHANGED",
]

WAIT_SECONDS = 30.0
"""A deadline for what must happen, not a measure: a test that reaches it fails."""


async def until(condition: Callable[[], Any], what: str) -> Any:
    """Wait until `condition()` is truthy (async conditions too); its value."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.02)
