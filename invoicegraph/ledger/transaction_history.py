"""Versions of a transaction: what it held (tags, allocations) and what changed between two.

Changes are derived from the two snapshots, so every writer (recordTransaction,
updateAllocations with allocations, tags or both) records them the same way.
"""

from dataclasses import dataclass

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.history import TagsChanged
from invoicegraph.ledger.tags import Tag


@dataclass(frozen=True, slots=True)
class AllocationState:
    payment_id: str
    invoice_id: int
    """Row id (never shown; resolved to the invoice)."""
    user_id: int
    type: FlowType
    amount: int


@dataclass(frozen=True, slots=True)
class TransactionState:
    tags: tuple[Tag, ...]
    allocations: tuple[AllocationState, ...]
    unallocated: int


@dataclass(frozen=True, slots=True)
class AllocationAdded:
    allocation: AllocationState


@dataclass(frozen=True, slots=True)
class AllocationChanged:
    payment_id: str
    old_amount: int
    new_amount: int


@dataclass(frozen=True, slots=True)
class AllocationRemoved:
    allocation: AllocationState


TransactionChange = AllocationAdded | AllocationChanged | AllocationRemoved | TagsChanged


def transaction_changes(old: TransactionState, new: TransactionState) -> list[TransactionChange]:
    """Removed, changed and added allocations (each in the order it is held), then tags."""
    before = {a.payment_id: a for a in old.allocations}
    after = {a.payment_id: a for a in new.allocations}
    changes: list[TransactionChange] = [
        AllocationRemoved(a) for a in old.allocations if a.payment_id not in after
    ]
    changes += [
        AllocationChanged(a.payment_id, old_amount=before[a.payment_id].amount, new_amount=a.amount)
        for a in new.allocations
        if a.payment_id in before and before[a.payment_id].amount != a.amount
    ]
    changes += [AllocationAdded(a) for a in new.allocations if a.payment_id not in before]
    if old.tags != new.tags:
        changes.append(TagsChanged(old_tags=old.tags, new_tags=new.tags))
    return changes
