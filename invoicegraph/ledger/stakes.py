"""Stakes and their returns: how much of a paid stake can still come back, per currency.

What can come back is what was paid in (the stake's PAYIN payments) less its returns (the
PAYOUT amounts of its STAKE_RETURN invoices that are not VOID). A return may take any part of
that, never more, so all returns together give back exactly what was paid in at most.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from invoicegraph.ledger.documents import InvoiceKind
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, InvalidState
from invoicegraph.ledger.money import INT96_LIMIT

STAKES = frozenset({InvoiceKind.STAKE.value, InvoiceKind.STAKE_OVERDRAFT_PROTECTION.value})
KEY_MAX = 128


@dataclass(frozen=True, slots=True)
class ReturnStake:
    stake_id: str
    """Our id of the stake (inv_...)."""
    return_id: str
    """The caller's invoiceId for the return invoice: the idempotency key."""
    amount: int | None = None
    """None: everything still returnable."""
    currency: str | None = None
    """Needed only when more than one currency can be returned."""

    def problems(self) -> list[FieldProblem]:
        found = []
        if not 1 <= len(self.return_id) <= KEY_MAX:
            found.append(FieldProblem(("returnId",), f"must be 1-{KEY_MAX} characters"))
        if self.amount is not None and not 0 < self.amount < INT96_LIMIT:
            found.append(FieldProblem(("amount",), "must be above 0"))
        return found

    def fingerprint(self) -> str:
        canonical = [self.stake_id, self.return_id, self.amount and str(self.amount), self.currency]
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def returnable(paid_in: Mapping[str, int], returned: Mapping[str, int]) -> dict[str, int]:
    """Per currency paid in, what can still be returned (never negative)."""
    return {
        currency: max(0, amount - returned.get(currency, 0))
        for currency, amount in sorted(paid_in.items())
    }


def ensure_returnable_stake(kind: str, status: str) -> None:
    if kind not in STAKES:
        raise BadRequest([FieldProblem(("stake",), "is not a stake")])
    if status != InvoiceStatus.PAID.value:
        raise InvalidState(status=InvoiceStatus(status), action="return")


def chosen_return(left: Mapping[str, int], command: ReturnStake) -> tuple[str, int]:
    """(currency, amount) of the return, or BadRequest when it asks for more than is left."""
    if command.currency is None:
        open_currencies = [currency for currency, amount in left.items() if amount > 0]
        if len(open_currencies) > 1:
            raise BadRequest(
                [FieldProblem(("currency",), f"choose one of {', '.join(open_currencies)}")]
            )
        currency = open_currencies[0] if open_currencies else next(iter(left), "")
    else:
        currency = command.currency
    available = left.get(currency, 0)
    amount = available if command.amount is None else command.amount
    if available == 0 or amount > available:
        raise BadRequest(
            [
                FieldProblem(
                    ("amount",),
                    f"is more than the {available} {currency} this stake can still return",
                )
            ]
        )
    return currency, amount
