"""Unexpected failures: masked in the response, told in full in the log, tied by a request id.

The faults are real: the database is damaged from outside while the app runs.
"""

import json
import re

import pytest

from invoicegraph.logs import JsonFormatter
from invoicegraph.store.engine import Database
from tests.operations import CREATE_INVOICE, invoice_input
from tests.support import Api

LEAKS = ("Traceback", "sqlite", "postgres", "SELECT", "INSERT", "invoice_tags", "/")


async def damage(db: Database, statement: str) -> None:
    """Change the schema under the running app, as an operator's mistake or a fault would."""
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql(statement)


def logged_for(caplog: pytest.LogCaptureFixture, request_id: str) -> dict[str, str]:
    records = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    entry: dict[str, str] = json.loads(JsonFormatter().format(records[0]))
    return entry


async def test_a_failing_query_is_masked_and_logged_with_its_request_id(
    api: Api, app_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("i"))
    await damage(app_db, "DROP TABLE invoice_tags")
    result = await api.query("{ invoices { nodes { invoiceId tags { key } } } }")
    assert result.status == 200
    [error] = result.errors or []
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    match = re.fullmatch(r"Internal server error \(request id ([0-9a-f]{32})\)\.", error["message"])
    assert match is not None, error["message"]
    assert not any(leak in json.dumps(result.body) for leak in LEAKS)
    entry = logged_for(caplog, match.group(1))
    assert entry["level"] == "error"
    assert "invoice_tags" in entry["traceback"]


async def test_a_failing_mutation_answers_internal_error_and_logs_it(
    api: Api, app_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await damage(app_db, "ALTER TABLE invoices RENAME TO invoices_gone")
    await damage(app_db, "CREATE TABLE invoices AS SELECT * FROM invoices_gone WHERE 0 = 1")
    result = (await api.ok(CREATE_INVOICE, input=invoice_input("i")))["createInvoice"]
    assert result["__typename"] == "InternalError"
    assert result["code"] == "INTERNAL"
    assert result["retryable"] is True
    match = re.fullmatch(r"Internal error \(request id ([0-9a-f]{32})\)\.", result["message"])
    assert match is not None, result["message"]
    entry = logged_for(caplog, match.group(1))
    assert "Error" in entry["traceback"]
    assert (await api.ok('{ invoice(invoice: {invoiceId: "i"}) { id } }')) == {"invoice": None}
