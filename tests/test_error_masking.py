"""Unexpected failures: masked in the response, told in full in the log, tied by a request id.

The faults are real: the database is damaged from outside while the app runs.
"""

import json
import re
import sqlite3

import pytest

from invoicegraph.logs import JsonFormatter
from tests.operations import CREATE_INVOICE, invoice_input
from tests.support import Api

LEAKS = ("Traceback", "sqlite", "SELECT", "INSERT", "no such table", "/", "boom")


def database_file(database_url: str) -> str:
    return database_url.removeprefix("sqlite+aiosqlite:///")


def logged_for(caplog: pytest.LogCaptureFixture, request_id: str) -> dict[str, str]:
    records = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    entry: dict[str, str] = json.loads(JsonFormatter().format(records[0]))
    return entry


async def test_a_failing_query_is_masked_and_logged_with_its_request_id(
    api: Api, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await api.ok(CREATE_INVOICE, input=invoice_input("i"))
    with sqlite3.connect(database_file(database_url)) as side:
        side.execute("DROP TABLE invoice_tags")
    result = await api.query("{ invoices { nodes { invoiceId tags { key } } } }")
    assert result.status == 200
    [error] = result.errors or []
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    match = re.fullmatch(r"Internal server error \(request id ([0-9a-f]{32})\)\.", error["message"])
    assert match is not None, error["message"]
    assert not any(leak in json.dumps(result.body) for leak in LEAKS)
    entry = logged_for(caplog, match.group(1))
    assert entry["level"] == "error"
    assert "no such table: invoice_tags" in entry["traceback"]


async def test_a_failing_mutation_answers_internal_error_and_logs_it(
    api: Api, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(database_file(database_url)) as side:
        side.execute(
            "CREATE TRIGGER broken BEFORE INSERT ON invoices BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    result = (await api.ok(CREATE_INVOICE, input=invoice_input("i")))["createInvoice"]
    assert result["__typename"] == "InternalError"
    assert result["code"] == "INTERNAL"
    assert result["retryable"] is True
    match = re.fullmatch(r"Internal error \(request id ([0-9a-f]{32})\)\.", result["message"])
    assert match is not None, result["message"]
    entry = logged_for(caplog, match.group(1))
    assert "boom" in entry["traceback"]
    assert (await api.ok('{ invoice(invoice: {invoiceId: "i"}) { id } }')) == {"invoice": None}
