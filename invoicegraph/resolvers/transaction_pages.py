"""Transaction reads: the filtered list, latest posted first, with keyset cursors."""

from invoicegraph.ledger.filters import TransactionFilter
from invoicegraph.resolvers.filter_limits import ensure_transaction_filter_within_limits
from invoicegraph.resolvers.posted_pages import PostedList, PostedPage
from invoicegraph.resolvers.views import TransactionView
from invoicegraph.store.transactions import (
    TransactionKey,
    count_transactions,
    list_transactions,
)

TRANSACTIONS: PostedList[TransactionView, TransactionFilter, TransactionKey] = PostedList(
    kind="txn",
    key=lambda posted, public_id: TransactionKey(posted=posted, public_id=public_id),
    rows=list_transactions,
    count=count_transactions,
    within_limits=ensure_transaction_filter_within_limits,
)
TransactionPage = PostedPage[TransactionView, TransactionFilter]
transaction_cursor = TRANSACTIONS.cursor
transaction_page = TRANSACTIONS.page

total_transactions = TRANSACTIONS.total
