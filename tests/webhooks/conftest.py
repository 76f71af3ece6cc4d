"""The app of the webhook tests: private hosts allowed (the receivers are on 127.0.0.1) and
a retry schedule in fractions of a second, so that tests count attempts instead of waiting."""

from collections.abc import Iterator

import pytest

from invoicegraph.settings import Settings
from tests.webhooks.receiver import Receiver, receiving

RETRY_BASE_SECONDS = 0.05
RETRY_WINDOW_SECONDS = 60.0


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        signing_key="test-signing-key-" + "x" * 32,
        webhooks_allow_private=True,
        webhooks_retry_base_seconds=RETRY_BASE_SECONDS,
        webhooks_retry_window_seconds=RETRY_WINDOW_SECONDS,
        webhooks_timeout_seconds=5.0,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running
