"""returnStake (idempotent on the return's invoiceId, one unit of work) and returnableStake.

A return locks its stake first (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's write lock),
then reads what was paid in and what earlier returns took: concurrent returns of one stake
queue there, and each sees the ones before it, so together they never exceed what was paid in.
"""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.clock import now
from invoicegraph.ledger.documents import InvoiceDocument, InvoiceKind
from invoicegraph.ledger.enums import EventType, FlowType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, NotFound
from invoicegraph.ledger.history import InvoiceState, LineItemState
from invoicegraph.ledger.prices import Price
from invoicegraph.ledger.settlement import state_money
from invoicegraph.ledger.stakes import (
    STAKES,
    ReturnStake,
    chosen_return,
    ensure_returnable_stake,
    returnable,
)
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.unit_of_work import IdempotencyKey, UnitOfWork, write_once
from invoicegraph.resolvers.views import InvoiceView
from invoicegraph.store.ids import new_public_id
from invoicegraph.store.invoices import NewInvoice, get_invoice, insert_invoices
from invoicegraph.store.records import InvoiceRecord, record_of
from invoicegraph.store.stakes import returned_of_stakes, stake_payers
from invoicegraph.store.tables import InvoiceRow


@dataclass(frozen=True, slots=True)
class StakeReturn:
    returned: InvoiceView
    """The STAKE_RETURN invoice: one PAYOUT line item to the user who paid the stake in."""
    stake: InvoiceView
    is_replay: bool


async def _left(
    session: AsyncSession, stake_id: int
) -> tuple[dict[str, dict[int, int]], dict[str, int]]:
    payers = await stake_payers(session, stake_id=stake_id)
    paid_in = {currency: sum(users.values()) for currency, users in payers.items()}
    returned = (await returned_of_stakes(session, stake_ids=[stake_id])).get(stake_id, {})
    return payers, returnable(paid_in, returned)


def _return_state(stake: InvoiceRow, currency: str, amount: int, user_id: int) -> InvoiceState:
    item = LineItemState(
        line_item_id=new_public_id("li"),
        description=f"Return of stake {stake.invoice_id}"[:1000],
        product_id="stake_return",
        type=FlowType.PAYOUT,
        currency=currency,
        price=Price(amount=amount, unit_price=amount, quantity=1),
        user_id=user_id,
        tags=(),
    )
    return InvoiceState(status=InvoiceStatus.OPEN, tags=(), line_items=(item,))


async def return_stake(context: Context, command: ReturnStake) -> StakeReturn:
    """Create the return of (part of) a paid stake, or answer the stored one for a replay."""
    if problems := command.problems():
        raise BadRequest(problems)
    key = IdempotencyKey("returnId", command.return_id, command.fingerprint())

    async def find(session: AsyncSession) -> InvoiceRow | None:
        return await get_invoice(
            session, workspace_id=context.workspace_id, invoice_id=command.return_id
        )

    async def write(work: UnitOfWork) -> InvoiceRow | None:
        session = work.session
        stake = await get_invoice(
            session, workspace_id=work.workspace_id, public_id=command.stake_id, for_update=True
        )
        if stake is None or stake.id is None:
            raise NotFound(f"No invoice has the id {command.stake_id!r}.")
        if await find(session) is not None:
            return None  # a replay (or a reuse of the key): answered by write_once
        ensure_returnable_stake(stake.kind, stake.status)
        payers, left = await _left(session, stake.id)
        currency, amount = chosen_return(left, command)
        users = payers[currency]
        if len(users) != 1:
            raise BadRequest(
                [FieldProblem(("stake",), "was paid in by several users: not returnable here")]
            )
        state = _return_state(stake, currency, amount, next(iter(users)))
        new = NewInvoice(
            invoice_id=command.return_id,
            state=state,
            flags=state_money(state, paid={}).flags(),
            fingerprint=key.fingerprint,
            document=InvoiceDocument(kind=InvoiceKind.STAKE_RETURN),
            stake_id=stake.id,
        )
        rows = await insert_invoices(
            session, workspace_id=work.workspace_id, invoices=[new], now=now()
        )
        row = rows.get(command.return_id)
        if row is not None:
            work.emit(EventType.CREATED, row)
        return row

    written = await write_once(context, key, find=find, write=write)
    returned = written.value
    assert returned.stake_id is not None, "only a return has this fingerprint"
    stake = await context.loaders.invoices_by_id.load(returned.stake_id)
    assert stake is not None
    return StakeReturn(
        returned=record_of(InvoiceRecord, returned), stake=stake, is_replay=written.is_replay
    )


async def returnable_stake(context: Context, invoice: InvoiceView) -> dict[str, int]:
    """Per currency, what a paid stake can still return; empty for anything else. Read
    through the loaders, so a page of stakes costs a few statements, not a few per stake."""
    if invoice.kind not in STAKES or invoice.status != InvoiceStatus.PAID.value:
        return {}
    loaders = context.loaders
    paid_in: dict[str, int] = {}
    for payment in await loaders.payments_by_invoice_id.load(invoice.id):
        if payment.type == FlowType.PAYIN.value:
            paid_in[payment.currency] = paid_in.get(payment.currency, 0) + payment.amount
    live = [
        row
        for row in await loaders.stake_returns_by_stake_id.load(invoice.id)
        if row.status != InvoiceStatus.VOID.value
    ]
    returned: dict[str, int] = {}
    for items in await loaders.line_items_by_invoice_id.load_many([row.id for row in live]):
        for item in items:
            if item.type == FlowType.PAYOUT.value:
                returned[item.currency] = returned.get(item.currency, 0) + item.due
    return returnable(paid_in, returned)


async def stake_returns(context: Context, invoice: InvoiceView) -> list[InvoiceView]:
    """The returns of a stake, oldest first."""
    if invoice.kind not in STAKES:
        return []
    return list(await context.loaders.stake_returns_by_stake_id.load(invoice.id))
