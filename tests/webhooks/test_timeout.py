"""An attempt that gets no answer within the timeout is a failure, retried like any other."""

from typing import Any

import pytest

from invoicegraph.settings import Settings
from tests.support import Api
from tests.webhooks.operations import ALL_TYPES, CREATE_ENDPOINT, DELIVERIES, until
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import create_invoice

TIMEOUT_SECONDS = 0.3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The webhook tests' settings with a timeout short enough to meet."""
    return settings.replace(webhooks_timeout_seconds=TIMEOUT_SECONDS)


async def test_no_answer_within_the_timeout_is_a_failure_then_retried(
    api: Api, receiver: Receiver
) -> None:
    await api.ok(CREATE_ENDPOINT, input={"url": receiver.url, "eventTypes": ALL_TYPES})
    receiver.hold()
    await create_invoice(api, "slow-1")

    async def timed_out() -> dict[str, Any] | None:
        nodes = (await api.ok(DELIVERIES))["webhookDeliveries"]["nodes"]
        return nodes[0] if nodes and nodes[0]["attemptCount"] >= 1 else None

    delivery = await until(timed_out, "the first attempt given up on")
    (attempt, *_) = delivery["attempts"]
    assert attempt["statusCode"] is None
    assert attempt["error"] == f"no answer within {TIMEOUT_SECONDS:g} s"
    assert delivery["status"] == "PENDING"
    receiver.release()

    async def delivered() -> bool:
        nodes = (await api.ok(DELIVERIES, status="SUCCEEDED"))["webhookDeliveries"]["nodes"]
        return bool(nodes)

    await until(delivered, "the retry answered")
