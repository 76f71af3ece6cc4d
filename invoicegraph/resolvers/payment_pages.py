"""Query.searchAllocations: payments across invoices, latest posted first, keyset cursors."""

from invoicegraph.ledger.filters import PaymentFilter
from invoicegraph.resolvers.filter_limits import ensure_payment_filter_within_limits
from invoicegraph.resolvers.posted_pages import PostedList, PostedPage
from invoicegraph.resolvers.views import PaymentView
from invoicegraph.store.payment_lists import PaymentKey, count_payments, list_payments

PAYMENTS: PostedList[PaymentView, PaymentFilter, PaymentKey] = PostedList(
    kind="pay",
    key=lambda posted, public_id: PaymentKey(posted=posted, public_id=public_id),
    rows=list_payments,
    count=count_payments,
    within_limits=ensure_payment_filter_within_limits,
)
PaymentPage = PostedPage[PaymentView, PaymentFilter]
payment_cursor = PAYMENTS.cursor
payment_page = PAYMENTS.page

total_payments = PAYMENTS.total
