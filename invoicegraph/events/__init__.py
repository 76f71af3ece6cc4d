"""Invoice events, published after each write commits, for `invoiceEvents` subscriptions.

`bus.py` fans events out to the subscribers of one process; `postgres.py` carries them across
server processes through LISTEN/NOTIFY. This package may import `ledger` and `store` only: the
resolvers publish into it and the schema subscribes from it, never the other way round.
"""

from invoicegraph.events.bus import EventBus, InvoiceEvent, invoice_event

__all__ = ["EventBus", "InvoiceEvent", "invoice_event"]
