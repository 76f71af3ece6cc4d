"""Versions of a transaction: its allocations and tags as they stood, and what changed."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from invoicegraph.ledger import transaction_history as ledger
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.history import TagsChanged as LedgerTagsChanged
from invoicegraph.resolvers.context import Info
from invoicegraph.resolvers.invoices import invoice_by_db_id
from invoicegraph.resolvers.transaction_history import (
    TransactionVersionPage,
    transaction_version_cursor,
)
from invoicegraph.resolvers.users import user_by_id
from invoicegraph.resolvers.views import TransactionVersionView
from invoicegraph.schema.history import TagsChanged, to_tags
from invoicegraph.schema.limits import building
from invoicegraph.schema.money import Tag
from invoicegraph.schema.pages import Edge, PageInfo, edges_of
from invoicegraph.schema.scalars import Int96
from invoicegraph.schema.user import User

if TYPE_CHECKING:
    from invoicegraph.schema.invoice import Invoice


@strawberry.type(
    description=(
        "An allocation as it stood in one version. Not a Node: versions of one allocation "
        "share paymentId, and a removed one is no longer a Payment."
    )
)
class AllocationSnapshot:
    payment_id: strawberry.ID
    type: FlowType
    amount: Int96
    invoice_db_id: strawberry.Private[int]
    user_db_id: strawberry.Private[int]

    @classmethod
    def from_state(cls, allocation: ledger.AllocationState) -> "AllocationSnapshot":
        return cls(
            payment_id=strawberry.ID(allocation.payment_id),
            type=allocation.type,
            amount=Int96(allocation.amount),
            invoice_db_id=allocation.invoice_id,
            user_db_id=allocation.user_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User:
        return User.from_view(await user_by_id(info.context, self.user_db_id))

    @strawberry.field
    async def invoice(
        self, info: Info
    ) -> Annotated["Invoice", strawberry.lazy("invoicegraph.schema.invoice")]:
        from invoicegraph.schema.invoice import build_invoice

        return await build_invoice(info, await invoice_by_db_id(info.context, self.invoice_db_id))


@strawberry.type
class AllocationAdded:
    allocation: AllocationSnapshot


@strawberry.type
class AllocationChanged:
    payment_id: strawberry.ID
    old_amount: Int96
    new_amount: Int96


@strawberry.type
class AllocationRemoved:
    allocation: AllocationSnapshot


TransactionChange = Annotated[
    AllocationAdded | AllocationChanged | AllocationRemoved | TagsChanged,
    strawberry.union("TransactionChange"),
]


def to_change(change: ledger.TransactionChange) -> TransactionChange:
    match change:
        case ledger.AllocationAdded(allocation=allocation):
            return AllocationAdded(allocation=AllocationSnapshot.from_state(allocation))
        case ledger.AllocationRemoved(allocation=allocation):
            return AllocationRemoved(allocation=AllocationSnapshot.from_state(allocation))
        case ledger.AllocationChanged():
            return AllocationChanged(
                payment_id=strawberry.ID(change.payment_id),
                old_amount=Int96(change.old_amount),
                new_amount=Int96(change.new_amount),
            )
        case LedgerTagsChanged():
            return TagsChanged(old_tags=to_tags(change.old_tags), new_tags=to_tags(change.new_tags))


@strawberry.type
class TransactionVersion:
    version: int
    modified: datetime = strawberry.field(description="When this version was written.")
    tags: list[Tag]
    allocations: list[AllocationSnapshot]
    unallocated_amount: Int96
    changes: list[TransactionChange] = strawberry.field(
        description=(
            "What changed from the previous version; empty for the oldest version recorded."
        )
    )

    @classmethod
    def from_view(cls, view: TransactionVersionView) -> "TransactionVersion":
        state = view.state
        return cls(
            version=view.version,
            modified=view.modified,
            tags=to_tags(state.tags),
            allocations=[AllocationSnapshot.from_state(a) for a in state.allocations],
            unallocated_amount=Int96(state.unallocated),
            changes=[to_change(change) for change in view.changes],
        )


@strawberry.type
class TransactionVersionConnection:
    edges: list[Edge[TransactionVersion]]
    nodes: list[TransactionVersion]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description=(
            "Versions recorded: from 1 (or, for a transaction written before versions were "
            "recorded, the version it had then) to the current one."
        )
    )

    @classmethod
    def from_page(
        cls, page: TransactionVersionPage, *, total_count: int
    ) -> "TransactionVersionConnection":
        versions = page.versions
        building(sum(1 + len(v.state.allocations) + len(v.changes) for v in versions))
        nodes = [TransactionVersion.from_view(version) for version in versions]
        return cls(
            edges=edges_of((transaction_version_cursor(version) for version in versions), nodes),
            nodes=nodes,
            page_info=PageInfo.from_data(page.page_info),
            total_count=total_count,
        )
