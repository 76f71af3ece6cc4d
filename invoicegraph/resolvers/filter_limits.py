"""How much one list filter may hold: the document's token limit does not see variables, so a
filter's lists are capped here, each refusal a BAD_USER_INPUT naming the field and its cap."""

from collections.abc import Sized

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.filters import InvoiceFilter, PaymentFilter, TransactionFilter
from invoicegraph.resolvers.pagination import BadUserInput
from invoicegraph.store.search import search_words

MAX_TAG_PATTERNS = 20
"""Patterns in `tags.all` and in `tags.any`, each."""
MAX_VALUES = 200
"""Values in `productId.in` and `externalId.in`: as many as a page holds."""
MAX_STATUSES = len(InvoiceStatus)
MAX_SEARCH_WORDS = 20
"""Words in `search` (each a term of the full-text query; its length is the body limit's)."""


def _capped(values: Sized | None, field: str, cap: int, unit: str = "values") -> None:
    if values is not None and len(values) > cap:
        raise BadUserInput(f"filter.{field} takes at most {cap} {unit}")


def ensure_invoice_filter_within_limits(filter: InvoiceFilter) -> None:
    _capped(filter.tags_all, "tags.all", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.tags_any, "tags.any", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.transaction_tags_all, "transactionTags.all", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.transaction_tags_any, "transactionTags.any", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.product_ids, "productId.in", MAX_VALUES)
    _capped(filter.statuses, "status.in", MAX_STATUSES)
    if filter.search is not None:
        _capped(search_words(filter.search), "search", MAX_SEARCH_WORDS, "words")


def ensure_transaction_filter_within_limits(filter: TransactionFilter) -> None:
    _capped(filter.tags_all, "tags.all", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.tags_any, "tags.any", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.external_ids, "externalId.in", MAX_VALUES)


def ensure_payment_filter_within_limits(filter: PaymentFilter) -> None:
    invoices = [*filter.invoice_public_ids, *filter.invoice_keys]
    _capped(invoices, "invoices", MAX_VALUES, "invoices")
    _capped(filter.transaction_tags_all, "transactionTags.all", MAX_TAG_PATTERNS, "patterns")
    _capped(filter.transaction_tags_any, "transactionTags.any", MAX_TAG_PATTERNS, "patterns")
