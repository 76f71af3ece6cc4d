"""A write that committed is answered as a success, however large its events are."""

from tests.operations import (
    INVOICE_BY_KEY,
    RECORD_TRANSACTION,
    allocation,
    make_invoices,
    transaction_input,
)
from tests.support import Api

INVOICES = 260
"""More invoices than one PostgreSQL NOTIFY could name (its payload stops at 8000 bytes)."""


async def test_a_payment_to_260_invoices_is_answered_as_recorded(api: Api) -> None:
    # given: invoices of 100 USD each, for one user apiece
    keys = await make_invoices(api, INVOICES)
    allocations = [allocation(key, "100", user=f"user-{index}-0") for index, key in enumerate(keys)]
    # when
    data = await api.ok(
        RECORD_TRANSACTION,
        input=transaction_input("bank_txn_big", str(100 * INVOICES), *allocations),
    )
    # then: the answer is the committed transaction, not an error to retry
    result = data["recordTransaction"]
    assert result["__typename"] == "RecordTransactionResult", result
    assert result["isIkReplay"] is False
    assert result["transaction"]["unallocatedAmount"] == "0"
    for key in (keys[0], keys[-1]):
        invoice = (await api.ok(INVOICE_BY_KEY, invoiceId=key))["invoice"]
        assert invoice["status"] == "PAID"
