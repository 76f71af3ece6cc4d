"""The status lifecycle: the explicit transitions, and the automatic PAID / back-to-OPEN rule."""

from collections.abc import Iterable
from enum import Enum

from invoicegraph.ledger.balances import Balance
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import InvalidState

OPEN, PAID, DRAFT = InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.DRAFT
VOID, UNCOLLECTIBLE = InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE

ALLOCATABLE = frozenset({OPEN, PAID, UNCOLLECTIBLE})
"""Statuses whose invoices can take payments (and have them changed)."""


class Transition(Enum):
    FINALIZE = "finalize"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark uncollectible"


_TRANSITIONS: dict[Transition, tuple[frozenset[InvoiceStatus], InvoiceStatus]] = {
    Transition.FINALIZE: (frozenset({DRAFT}), OPEN),
    Transition.VOID: (frozenset({OPEN, UNCOLLECTIBLE}), VOID),
    Transition.MARK_UNCOLLECTIBLE: (frozenset({OPEN}), UNCOLLECTIBLE),
}


def transition(status: InvoiceStatus, action: Transition) -> InvoiceStatus:
    """The status after an explicit transition, or InvalidState where the table forbids it."""
    allowed_from, target = _TRANSITIONS[action]
    if status not in allowed_from:
        raise InvalidState(status=status, action=action.value)
    return target


def ensure_allocatable(status: InvoiceStatus) -> None:
    if status not in ALLOCATABLE:
        raise InvalidState(status=status, action="allocate payments to")


def settled_status(
    status: InvoiceStatus, balances: Iterable[Balance], *, has_charge: bool
) -> InvoiceStatus:
    """Apply the PAID rule to an invoice's balances after a change.

    OPEN or UNCOLLECTIBLE with every remaining at 0 (and some line item with a non-zero amount)
    becomes PAID; PAID with any remaining above 0 becomes OPEN again; anything else stays.
    """
    remaining = [
        amounts.remaining for balance in balances for amounts in (balance.payins, balance.payouts)
    ]
    settled = all(value == 0 for value in remaining)
    if status in (OPEN, UNCOLLECTIBLE) and settled and has_charge:
        return PAID
    if status is PAID and not settled:
        return OPEN
    return status
