"""The generated invoicegraph client against a live server, end to end.

    python demo.py --base-url http://127.0.0.1:8000 --client-id ID --client-secret SECRET

(or INVOICEGRAPH_BASE_URL, INVOICEGRAPH_CLIENT_ID and INVOICEGRAPH_CLIENT_SECRET). It gets a token
from POST /oauth2/token, creates an invoice, updates it with a version that another writer has
made stale, handles the VersionConflictError by refetching and retrying under the current
version, records a payment that settles the invoice, reads the balances back and prints a JSON
summary on stdout. Progress goes to stderr. Any unexpected outcome exits with status 1.

Amounts are Python ints throughout and decimal strings on the wire; the licence line item is
2**53 + 1 cents, which no float can hold, so a float anywhere on the way would show.
"""

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from invoicegraph_client.client import InvoicegraphClient
from invoicegraph_client.create_invoice import CreateInvoiceCreateInvoiceCreateInvoiceResult
from invoicegraph_client.enums import CurrencyCode, FlowType, InvoiceStatus
from invoicegraph_client.exceptions import GraphQLClientError, GraphQLClientHttpError
from invoicegraph_client.input_types import (
    AllocationInput,
    CreateInvoiceInput,
    InvoiceMatchInput,
    LineItemInput,
    LineItemOperation,
    PriceInput,
    RecordTransactionInput,
    TagInput,
    TagsUpdate,
    UpdateInvoiceInput,
    UserMatchInput,
)
from invoicegraph_client.invoice_by_key import InvoiceByKeyInvoice
from invoicegraph_client.record_transaction import (
    RecordTransactionRecordTransactionRecordTransactionResult,
)
from invoicegraph_client.update_invoice import (
    UpdateInvoiceUpdateInvoiceUpdateInvoiceResult,
    UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoice,
    UpdateInvoiceUpdateInvoiceVersionConflictError,
)

CURRENCY = CurrencyCode.USD
CONSULTING_UNIT_PRICE = 12_500
CONSULTING_HOURS = 4
LICENCE_AMOUNT = 2**53 + 1
SUPPORT_AMOUNT = 7_500
MAX_UPDATE_ATTEMPTS = 5
HTTP_TIMEOUT_SECONDS = 30.0


class UnexpectedOutcome(Exception):
    """The server answered something the demo did not expect."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise UnexpectedOutcome(message)


# --- credentials ------------------------------------------------------------------------------


async def fetch_token(base_url: str, client_id: str, client_secret: str) -> str:
    """An access token by the OAuth2 client-credentials grant (HTTP Basic client auth)."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
        response = await http.post(
            f"{base_url}/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
    expect(
        response.status_code == 200,
        f"POST /oauth2/token answered {response.status_code}: {response.text}",
    )
    body = response.json()
    expect(
        str(body.get("token_type", "")).lower() == "bearer",
        f"token_type is not Bearer: {body}",
    )
    token = body.get("access_token")
    expect(isinstance(token, str) and token != "", f"no access_token in {body}")
    assert isinstance(token, str)
    return token


# --- steps ------------------------------------------------------------------------------------


def customer(external_id: str) -> UserMatchInput:
    return UserMatchInput(external_id=external_id)


async def create_invoice(client: InvoicegraphClient, invoice_id: str, customer_id: str) -> str:
    """Create an OPEN invoice with two line items; return its id."""
    response = await client.create_invoice(
        CreateInvoiceInput(
            invoice_id=invoice_id,
            tags=[TagInput(key="source", value="python-client-demo")],
            line_items=[
                LineItemInput(
                    description="Consulting, hours",
                    product_id="consulting",
                    type_=FlowType.PAYIN,
                    user=customer(customer_id),
                    currency=CURRENCY,
                    price=PriceInput(unit_price=CONSULTING_UNIT_PRICE, quantity=CONSULTING_HOURS),
                ),
                LineItemInput(
                    description="Licence",
                    product_id="licence",
                    type_=FlowType.PAYIN,
                    user=customer(customer_id),
                    currency=CURRENCY,
                    price=PriceInput(amount=LICENCE_AMOUNT),
                ),
            ],
        )
    )
    result = response.create_invoice
    expect(
        isinstance(result, CreateInvoiceCreateInvoiceCreateInvoiceResult),
        f"createInvoice failed: {result!r}",
    )
    assert isinstance(result, CreateInvoiceCreateInvoiceCreateInvoiceResult)
    invoice = result.invoice
    expect(not result.is_ik_replay, f"invoice {invoice_id} existed already")
    expect(invoice.status == InvoiceStatus.OPEN, f"new invoice is {invoice.status}, not OPEN")
    expect(invoice.version == 1, f"new invoice has version {invoice.version}, not 1")
    amounts = sorted(item.price.amount for item in invoice.line_items)
    wanted = sorted([CONSULTING_UNIT_PRICE * CONSULTING_HOURS, LICENCE_AMOUNT])
    expect(amounts == wanted, f"line item amounts {amounts}, not {wanted}")
    log(f"created {invoice.id} ({invoice.invoice_id}) version {invoice.version}")
    return invoice.id


async def current_invoice(client: InvoicegraphClient, invoice_id: str) -> InvoiceByKeyInvoice:
    response = await client.invoice_by_key(invoice_id)
    expect(response.invoice is not None, f"invoice {invoice_id} not found")
    assert response.invoice is not None
    return response.invoice


async def tag_as_another_writer(client: InvoicegraphClient, invoice_id: str, version: int) -> int:
    """Someone else changes the invoice, so the version the demo holds becomes stale."""
    response = await client.update_invoice(
        UpdateInvoiceInput(
            id=invoice_id,
            expected_version=version,
            tags=TagsUpdate(set_=[TagInput(key="reviewed-by", value="finance")]),
        )
    )
    result = response.update_invoice
    expect(
        isinstance(result, UpdateInvoiceUpdateInvoiceUpdateInvoiceResult),
        f"tag update failed: {result!r}",
    )
    assert isinstance(result, UpdateInvoiceUpdateInvoiceUpdateInvoiceResult)
    log(f"another writer tagged the invoice: version {result.invoice.version}")
    return result.invoice.version


async def update_with_retry(
    client: InvoicegraphClient,
    *,
    invoice_key: str,
    invoice_id: str,
    expected_version: int,
    operations: list[LineItemOperation],
) -> tuple[
    UpdateInvoiceUpdateInvoiceUpdateInvoiceResultInvoice,
    list[UpdateInvoiceUpdateInvoiceVersionConflictError],
]:
    """updateInvoice under optimistic concurrency: on a VersionConflictError, refetch the invoice
    and apply the same operations again under its current version."""
    conflicts: list[UpdateInvoiceUpdateInvoiceVersionConflictError] = []
    version = expected_version
    for _attempt in range(MAX_UPDATE_ATTEMPTS):
        response = await client.update_invoice(
            UpdateInvoiceInput(id=invoice_id, expected_version=version, line_items=operations)
        )
        result = response.update_invoice
        if isinstance(result, UpdateInvoiceUpdateInvoiceUpdateInvoiceResult):
            return result.invoice, conflicts
        if not isinstance(result, UpdateInvoiceUpdateInvoiceVersionConflictError):
            raise UnexpectedOutcome(f"updateInvoice failed: {result!r}")
        log(
            f"version conflict: expected {result.expected_version}, "
            f"current {result.current_version}; refetching and retrying"
        )
        conflicts.append(result)
        version = (await current_invoice(client, invoice_key)).version
    raise UnexpectedOutcome(f"updateInvoice still conflicting after {MAX_UPDATE_ATTEMPTS} tries")


async def settle(
    client: InvoicegraphClient, invoice_key: str, customer_id: str
) -> RecordTransactionRecordTransactionRecordTransactionResult:
    """Record money received for everything the invoice still expects, allocated to it."""
    invoice = await current_invoice(client, invoice_key)
    balances = [balance for balance in invoice.balances if balance.currency == CURRENCY]
    expect(len(balances) == 1, f"no single {CURRENCY.value} balance: {invoice.balances!r}")
    remaining = balances[0].payins.remaining
    expect(remaining > 0, f"nothing remains to be paid: {balances[0]!r}")
    response = await client.record_transaction(
        RecordTransactionInput(
            external_id=f"{invoice_key}-payment-1",
            amount=remaining,
            currency=CURRENCY,
            posted=datetime.now(UTC),
            allocations=[
                AllocationInput(
                    invoice=InvoiceMatchInput(invoice_id=invoice_key),
                    type_=FlowType.PAYIN,
                    user=customer(customer_id),
                    amount=remaining,
                )
            ],
        )
    )
    result = response.record_transaction
    expect(
        isinstance(result, RecordTransactionRecordTransactionRecordTransactionResult),
        f"recordTransaction failed: {result!r}",
    )
    assert isinstance(result, RecordTransactionRecordTransactionRecordTransactionResult)
    transaction = result.transaction
    expect(transaction.amount == remaining, f"transaction amount {transaction.amount}")
    expect(transaction.unallocated_amount == 0, f"unallocated {transaction.unallocated_amount}")
    log(f"recorded {transaction.id}: {transaction.amount} {CURRENCY.value} received")
    return result


def amounts_json(expected: int, actual: int, remaining: int) -> dict[str, str]:
    return {"expected": str(expected), "actual": str(actual), "remaining": str(remaining)}


def balances_json(invoice: InvoiceByKeyInvoice) -> list[dict[str, Any]]:
    """The balances in the API's own shape, amounts as decimal strings."""
    return [
        {
            "currency": balance.currency.value,
            "payins": amounts_json(
                balance.payins.expected, balance.payins.actual, balance.payins.remaining
            ),
            "payouts": amounts_json(
                balance.payouts.expected, balance.payouts.actual, balance.payouts.remaining
            ),
            "net": amounts_json(balance.net.expected, balance.net.actual, balance.net.remaining),
        }
        for balance in invoice.balances
    ]


# --- the demo ---------------------------------------------------------------------------------


async def run_demo(base_url: str, client_id: str, client_secret: str, invoice_key: str) -> Any:
    token = await fetch_token(base_url, client_id, client_secret)
    log("got an access token")
    customer_id = f"{invoice_key}-customer"
    # The client makes its own httpx.AsyncClient with these headers and closes it on exit.
    headers = {"Authorization": f"Bearer {token}"}
    async with InvoicegraphClient(url=f"{base_url}/graphql", headers=headers) as client:
        invoice_id = await create_invoice(client, invoice_key, customer_id)
        seen_version = 1
        newer_version = await tag_as_another_writer(client, invoice_id, seen_version)
        expect(newer_version == seen_version + 1, f"tagging made version {newer_version}")

        support = LineItemOperation(
            add=LineItemInput(
                description="Support plan",
                product_id="support",
                type_=FlowType.PAYIN,
                user=customer(customer_id),
                currency=CURRENCY,
                price=PriceInput(amount=SUPPORT_AMOUNT),
            )
        )
        updated, conflicts = await update_with_retry(
            client,
            invoice_key=invoice_key,
            invoice_id=invoice_id,
            expected_version=seen_version,
            operations=[support],
        )
        expect(len(conflicts) == 1, f"{len(conflicts)} version conflicts, not 1")
        conflict = conflicts[0]
        expect(
            (conflict.expected_version, conflict.current_version) == (seen_version, newer_version),
            f"conflict reported {conflict.expected_version}/{conflict.current_version}",
        )
        expect(updated.version == newer_version + 1, f"retry made version {updated.version}")
        log(f"retried under version {newer_version}: now version {updated.version}")

        recorded = await settle(client, invoice_key, customer_id)
        transaction = recorded.transaction

        final = await current_invoice(client, invoice_key)
        total = CONSULTING_UNIT_PRICE * CONSULTING_HOURS + LICENCE_AMOUNT + SUPPORT_AMOUNT
        usd = [balance for balance in final.balances if balance.currency == CURRENCY]
        expect(len(usd) == 1, f"balances: {final.balances!r}")
        payins = usd[0].payins
        expect(
            (payins.expected, payins.actual, payins.remaining) == (total, total, 0),
            f"payins after payment: {payins!r}",
        )
        expect(final.status == InvoiceStatus.PAID, f"status after payment: {final.status}")
        # Settling it changed the status, and a status change is a new version.
        expect(final.version == updated.version + 1, f"version after payment: {final.version}")
        paid = sum(payment.amount for payment in final.payments)
        expect(paid == total, f"payments add up to {paid}, not {total}")
        log(f"invoice is {final.status.value} at version {final.version}")

        return {
            "id": final.id,
            "invoiceId": final.invoice_id,
            "status": final.status.value,
            "version": final.version,
            "versionConflict": {
                "expectedVersion": conflict.expected_version,
                "currentVersion": conflict.current_version,
            },
            "transaction": {
                "id": transaction.id,
                "externalId": transaction.external_id,
                "amount": str(transaction.amount),
            },
            "balances": balances_json(final),
        }


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--base-url",
        default=os.environ.get("INVOICEGRAPH_BASE_URL"),
        help="server URL without /graphql (default: $INVOICEGRAPH_BASE_URL)",
    )
    parser.add_argument(
        "--client-id",
        default=os.environ.get("INVOICEGRAPH_CLIENT_ID"),
        help="API client id (default: $INVOICEGRAPH_CLIENT_ID)",
    )
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("INVOICEGRAPH_CLIENT_SECRET"),
        help="API client secret (default: $INVOICEGRAPH_CLIENT_SECRET)",
    )
    parser.add_argument(
        "--invoice-id",
        default=f"demo-{uuid.uuid4().hex[:12]}",
        help="invoiceId of the invoice to create (default: a new random one)",
    )
    arguments = parser.parse_args(argv)
    for name in ("base_url", "client_id", "client_secret"):
        if not getattr(arguments, name):
            parser.error(f"--{name.replace('_', '-')} is required (or its environment variable)")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        summary = asyncio.run(
            run_demo(
                arguments.base_url.rstrip("/"),
                arguments.client_id,
                arguments.client_secret,
                arguments.invoice_id,
            )
        )
    except UnexpectedOutcome as error:
        log(f"unexpected outcome: {error}")
        return 1
    except GraphQLClientHttpError as error:
        body = getattr(error.response, "text", "")
        log(f"request failed: HTTP {error.status_code}: {body}")
        return 1
    except (GraphQLClientError, httpx.HTTPError) as error:
        log(f"request failed: {type(error).__name__}: {error}")
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
