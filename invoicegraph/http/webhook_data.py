"""The `data` of a webhook: the invoice as the API shows it, read through the schema itself.

The deliverer hands in a workspace and the invoices of a fan-out batch; they are read with
one `nodes` query per 200 invoices (the page limit) in that workspace's name, so the payload
shows exactly the fields, formats and balances the graph does, for a few statements per
batch whatever its size.
"""

from collections.abc import Sequence
from typing import Any

from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.pagination import MAX_PAGE
from invoicegraph.schema import InvoiceSchema
from invoicegraph.store.engine import Database
from invoicegraph.webhooks.fanout import Renderer

INVOICE_SELECTION = """
  id invoiceId workspaceId status version created modified
  tags { key value }
  lineItems {
    id description productId type currency
    price { amount quantity unitPrice }
    user { id externalId }
    tags { key value }
  }
  balances {
    currency
    payins { expected actual remaining }
    payouts { expected actual remaining }
    net { expected actual remaining }
  }
  payments { id amount currency type posted transaction { id externalId } }
"""
"""The invoice as a webhook's `data` shows it: what the `invoice` query answers for it."""

INVOICE_DATA = (
    """
query WebhookData($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Invoice {"""
    + INVOICE_SELECTION
    + "} }\n}\n"
)


def invoice_renderer(schema: InvoiceSchema, db: Database) -> Renderer:
    async def render(
        workspace_id: int, workspace_public_id: str, invoice_ids: Sequence[str]
    ) -> dict[str, Any]:
        principal = Principal(
            client_id="webhooks", workspace_id=workspace_id, workspace_public_id=workspace_public_id
        )
        context = Context.open(db, principal, EventBus())
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(invoice_ids), MAX_PAGE):
                chunk = list(invoice_ids[start : start + MAX_PAGE])
                result = await schema.execute(
                    INVOICE_DATA, variable_values={"ids": chunk}, context_value=context
                )
                if result.errors:
                    raise RuntimeError(f"reading webhook data failed: {result.errors[0]}")
                assert result.data is not None
                for invoice in result.data["nodes"]:
                    if invoice:
                        found[invoice["id"]] = invoice
        finally:
            await context.reader.close()
        return found

    return render
