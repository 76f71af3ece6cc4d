"""strawberry's graphql-transport-ws handler, made to keep a socket within its rights.

- A message that is JSON but not shaped as the protocol says (a payload that is not an object,
  an id that is not a string) closes the socket with 4400, as malformed JSON does, instead of
  raising in the handler (a traceback per frame).
- A text message over the HTTP body limit closes it with 1009 (Message Too Big).
- Every subscribe re-reads the client's standing first (`sockets.py`): a revoked client's or an
  expired token's socket is closed with 4403 / 4401 before the operation runs.
- A socket refused at connection_init for a reason of ours (too many sockets of one client)
  closes with that reason's code.
"""

from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from invoicegraph.http.sockets import Close, RevocationWatch, SocketRefused, SocketStanding
from invoicegraph.resolvers.context import Context

MESSAGE_TOO_BIG = 1009


@dataclass
class SocketLink:
    """What connection_init (the view's `on_ws_connect`) and the handler share about one
    socket: how to close it, and once it is admitted, its standing and the watch."""

    close: Close
    standing: SocketStanding | None = None
    watch: RevocationWatch | None = None


socket_link: ContextVar[SocketLink | None] = ContextVar("invoicegraph_socket_link", default=None)
"""Set by the handler while connection_init is handled, for `on_ws_connect` to fill in."""


class GuardedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    link: SocketLink | None = None

    async def handle_message(self, message: Message) -> None:
        try:
            if message.get("type") == "subscribe" and not _well_formed(message):
                await self.handle_invalid_message("Invalid subscribe message")
                return
            await super().handle_message(message)
        except (TypeError, AttributeError):  # a field of the wrong JSON type
            await self.handle_invalid_message("Failed to parse message")

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        self.link = SocketLink(close=self.close_with)
        token = socket_link.set(self.link)
        try:
            await super().handle_connection_init(message)
        except SocketRefused as refused:
            await self.close_with(refused.code, refused.reason)
        finally:
            socket_link.reset(token)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        link = self.link
        if link is not None and link.standing is not None and link.watch is not None:
            refusal = await link.watch.recheck(link.standing)
            if refusal is not None:
                await self.close_with(*refusal)
                return
        await super().handle_subscribe(message)

    async def close_with(self, code: int, reason: str) -> None:
        """Close the socket (once) and stop its operations: nothing more is sent on it."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with suppress(RuntimeError):  # already closed
            await self.websocket.close(code=code, reason=reason)

    async def shutdown(self) -> None:
        await super().shutdown()
        link = self.link
        if link is not None and link.standing is not None and link.watch is not None:
            link.watch.forget(link.standing)


def _well_formed(message: Message) -> bool:
    payload = message.get("payload")
    return (
        isinstance(message.get("id"), str)
        and isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables") or {}, dict)
        and isinstance(payload.get("operationName") or "", str)
    )
