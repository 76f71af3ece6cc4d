"""What the webhook code needs of the server's settings, read once when the app starts."""

from dataclasses import dataclass

from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import get_or_create_server_secret
from invoicegraph.webhooks.schedule import RetrySchedule
from invoicegraph.webhooks.secrets import KEY_NAME, SecretBox


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    box: SecretBox
    allow_private: bool
    timeout_seconds: float
    schedule: RetrySchedule


async def load_config(db: Database, settings: Settings) -> WebhookConfig:
    """The configured secret key, or the database's own (made on first use, shared by every
    server process); the URL policy, the timeout and the retry schedule."""
    key = settings.webhooks_secret_key
    if not key:
        async with db.write() as session:
            key = await get_or_create_server_secret(session, name=KEY_NAME)
    return WebhookConfig(
        box=SecretBox(key),
        allow_private=settings.webhooks_allow_private,
        timeout_seconds=settings.webhooks_timeout_seconds,
        schedule=RetrySchedule(
            base_seconds=settings.webhooks_retry_base_seconds,
            window_seconds=settings.webhooks_retry_window_seconds,
        ),
    )
