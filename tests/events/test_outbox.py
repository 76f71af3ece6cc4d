"""NOTIFY payloads: a batch cut into pieces PostgreSQL accepts, in order, nothing lost."""

from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.events.postgres import PAYLOAD_LIMIT, decode, encode
from invoicegraph.ledger.enums import EventType
from invoicegraph.ledger.events import InvoiceEvent

events = st.builds(
    InvoiceEvent,
    type=st.sampled_from(EventType),
    workspace_id=st.integers(1, 2**31),
    invoice_id=st.integers(1, 2**63),
    version=st.integers(1, 2**31),
)


@given(st.lists(events, max_size=1_500))
def test_payloads_stay_under_the_limit_and_keep_every_event_in_order(
    batch: list[InvoiceEvent],
) -> None:
    payloads = encode(batch)
    assert all(len(payload.encode()) < PAYLOAD_LIMIT for payload in payloads)
    assert [event for payload in payloads for event in decode(payload)] == batch
    assert (payloads == []) == (batch == [])
