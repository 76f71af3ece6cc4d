"""The typed per-request context: who is calling, the database, and this request's loaders."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import strawberry

from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.resolvers.loaders import Loaders
from invoicegraph.resolvers.reader import Reader
from invoicegraph.store.engine import Database
from invoicegraph.webhooks.config import WebhookConfig

NOBODY = Principal(client_id="", workspace_id=-1, workspace_public_id="")
"""The principal of a WebSocket before it authenticates: a workspace with no rows."""


@dataclass
class Context:
    db: Database
    principal: Principal
    reader: Reader
    loaders: Loaders
    events: EventBus
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    connection_params: dict[str, object] | None = None
    """The payload of a WebSocket's connection_init, where its credentials travel."""
    in_standing: Callable[[], bool] = field(default=lambda: True)
    """Whether the caller may still read and write: always, for an HTTP request (checked as it
    came in); for a WebSocket, whether its token is unexpired and its client unrevoked (asked
    per delivered event, from memory: http/sockets.py)."""
    selections: dict[str, tuple[object, frozenset[str]]] = field(default_factory=dict)
    """Field names selected below each path (schema/selection.py), with their operation."""
    webhooks: WebhookConfig | None = None
    """The server's webhook settings and secret key; None outside the server (CLI, demo)."""

    @classmethod
    def open(
        cls,
        db: Database,
        principal: Principal,
        events: EventBus,
        reader: Reader | None = None,
        *,
        webhooks: WebhookConfig | None = None,
    ) -> "Context":
        """`reader`: the one the credentials were checked in, if any, to share its snapshot."""
        reader = reader or Reader(db)
        return cls(
            db=db,
            principal=principal,
            reader=reader,
            loaders=Loaders(reader, principal),
            events=events,
            webhooks=webhooks,
        )

    def webhook_config(self) -> WebhookConfig:
        if self.webhooks is None:
            raise RuntimeError("webhook endpoints are managed through the server only")
        return self.webhooks

    def authenticated_as(self, principal: Principal) -> None:
        """Bind a WebSocket's context to the principal its connection_init proved."""
        self.principal = principal
        self.loaders = Loaders(self.reader, principal)

    @property
    def workspace_id(self) -> int:
        return self.principal.workspace_id

    async def after_write(self) -> None:
        """Forget what this request read before a write, so its result shows the write."""
        await self.reader.close()
        self.loaders = Loaders(self.reader, self.principal)


Info = strawberry.Info[Context, None]
"""What every resolver receives: `info.context` is a `Context`, never a dict."""
