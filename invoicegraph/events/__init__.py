"""Invoice events, published from the outbox after each write commits, for subscriptions.

`outbox.py` publishes what writes left in the outbox; `bus.py` fans events out to the
subscribers of one process; `postgres.py` carries them across server processes through
LISTEN/NOTIFY. This package may import `ledger` and `store` only: the resolvers wake it and
subscribe through it, never the other way round.
"""

from invoicegraph.events.bus import EventBus

__all__ = ["EventBus"]
