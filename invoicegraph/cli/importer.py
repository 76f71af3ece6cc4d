"""`invoicegraph import`: JSON Lines of CreateInvoiceInput, written through createInvoices.

Each line is one invoice exactly as the API takes it. Lines go out in batches through the bulk
mutation, either to a running server (with client credentials) or straight into a database
(executed in this process by the same schema the server serves, so both validate alike).
Every invoice is idempotent on its invoiceId, so an import stopped anywhere can be run again
from the start: what was written answers as a replay, nothing is written twice.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import httpx
from tqdm import tqdm

from invoicegraph.auth.principal import Principal
from invoicegraph.events import EventBus
from invoicegraph.resolvers.context import Context
from invoicegraph.schema import schema
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import get_workspace

BATCH = 500
"""Invoices per request: the most createInvoices takes."""
BATCH_BYTES = 512 * 1024
"""A request's body stays well below the server's 1 MiB limit."""

CREATE_INVOICES = """
mutation Import($input: CreateInvoicesInput!) {
  createInvoices(input: $input) {
    __typename
    ... on CreateInvoicesResult {
      results {
        __typename
        ... on CreateInvoiceResult { isIkReplay }
        ... on Error { code message }
        ... on BadRequestError { fieldErrors { field message } }
      }
    }
    ... on Error { code message }
    ... on BadRequestError { fieldErrors { field message } }
  }
}
"""

Response = dict[str, Any]


class Destination(Protocol):
    """Where the batches go: a GraphQL endpoint answering createInvoices."""

    async def send(self, variables: dict[str, Any]) -> Response: ...


@dataclass
class Line:
    number: int
    invoice: dict[str, Any] | None
    problem: str | None = None


@dataclass
class Summary:
    created: int = 0
    replayed: int = 0
    refused: int = 0
    refusals: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, line: Line, reason: dict[str, Any]) -> None:
        self.refused += 1
        invoice_id = line.invoice.get("invoiceId") if line.invoice else None
        self.refusals.append({"line": line.number, "invoiceId": invoice_id, **reason})


def read_lines(stream: IO[str]) -> Iterator[Line]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            invoice = json.loads(text)
        except json.JSONDecodeError as error:
            yield Line(number, None, f"not JSON: {error.msg} at column {error.colno}")
            continue
        if not isinstance(invoice, dict):
            yield Line(number, None, "not a JSON object (one CreateInvoiceInput a line)")
            continue
        yield Line(number, invoice)


def batches(lines: Iterator[Line]) -> Iterator[list[Line]]:
    batch: list[Line] = []
    size = 0
    for line in lines:
        length = len(json.dumps(line.invoice)) if line.invoice is not None else 0
        if batch and (len(batch) >= BATCH or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += length
    if batch:
        yield batch


async def import_lines(destination: Destination, stream: IO[str], progress: "tqdm[Any]") -> Summary:
    summary = Summary()
    for batch in batches(read_lines(stream)):
        await _import_batch(destination, batch, summary)
        progress.update(len(batch))
        progress.set_postfix(
            created=summary.created, replayed=summary.replayed, refused=summary.refused
        )
    return summary


async def _import_batch(destination: Destination, batch: list[Line], summary: Summary) -> None:
    for line in batch:
        if line.problem is not None:
            summary.refuse(line, {"code": "BAD_LINE", "message": line.problem})
    sendable = [line for line in batch if line.invoice is not None]
    if not sendable:
        return
    response = await destination.send({"input": {"invoices": [line.invoice for line in sendable]}})
    if response.get("errors") and len(sendable) > 1:
        # a value the schema cannot even read (a number for an Int96, say) refuses the whole
        # request: send the lines one by one to find which
        for line in sendable:
            await _import_batch(destination, [line], summary)
        return
    if errors := response.get("errors"):
        summary.refuse(sendable[0], {"code": _code(errors[0]), "message": errors[0]["message"]})
        return
    answer = response["data"]["createInvoices"]
    if answer["__typename"] != "CreateInvoicesResult":
        raise ImportFailed(f"the server refused the batch: {answer.get('message')}")
    for line, result in zip(sendable, answer["results"], strict=True):
        if result["__typename"] == "CreateInvoiceResult":
            if result["isIkReplay"]:
                summary.replayed += 1
            else:
                summary.created += 1
        else:
            reason = {"code": result["code"], "message": result["message"]}
            if "fieldErrors" in result:
                # paths start at the line's invoice, not at its place in the batch
                reason["fieldErrors"] = [
                    {**error, "field": error["field"][2:]} for error in result["fieldErrors"]
                ]
            summary.refuse(line, reason)


def _code(error: dict[str, Any]) -> str:
    code = (error.get("extensions") or {}).get("code")
    return code if isinstance(code, str) else "BAD_USER_INPUT"


class ImportFailed(Exception):
    """The import cannot go on (credentials, the server, the database); nothing was lost:
    run it again."""


@dataclass
class InDatabase:
    """Executes the batches in this process, against the database, as the workspace's own."""

    context: Context

    @classmethod
    async def open(cls, db: Database, workspace_public_id: str) -> "InDatabase":
        async with db.read() as session:
            workspace = await get_workspace(session, public_id=workspace_public_id)
        if workspace is None or workspace.id is None:
            raise ImportFailed(f"no workspace has the id {workspace_public_id!r}")
        principal = Principal(
            client_id="invoicegraph-import",
            workspace_id=workspace.id,
            workspace_public_id=workspace.public_id,
        )
        # the server's outbox publisher picks the events up from the database
        return cls(Context.open(db, principal, EventBus()))

    async def send(self, variables: dict[str, Any]) -> Response:
        result = await schema.execute(
            CREATE_INVOICES, variable_values=variables, context_value=self.context
        )
        await self.context.after_write()
        if result.errors:
            return {
                "errors": [
                    {"message": error.message, "extensions": error.extensions}
                    for error in result.errors
                ]
            }
        return {"data": result.data}


@dataclass
class OnServer:
    """Sends the batches to a running server, refreshing the token when it expires."""

    http: httpx.AsyncClient
    client_id: str
    client_secret: str
    token: str | None = None

    async def _fetch_token(self) -> str:
        response = await self.http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )
        if response.status_code != 200:
            raise ImportFailed(
                f"the token endpoint answered {response.status_code}: {response.text}"
            )
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

    async def send(self, variables: dict[str, Any]) -> Response:
        for _attempt in range(2):
            if self.token is None:
                self.token = await self._fetch_token()
            response = await self.http.post(
                "/graphql",
                json={"query": CREATE_INVOICES, "variables": variables},
                headers={"Authorization": f"Bearer {self.token}"},
            )
            if response.status_code == 401:  # expired: one new token, one more try
                self.token = None
                continue
            body = response.json()
            if not isinstance(body, dict):
                raise ImportFailed(f"the server answered {response.status_code}: {response.text}")
            if response.status_code >= 500:
                raise ImportFailed(f"the server answered {response.status_code}: {response.text}")
            return body
        raise ImportFailed("the server refused the client's credentials")


def count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for line in file if line.strip())


def write_refusals(path: Path, summary: Summary) -> None:
    with path.open("w", encoding="utf-8") as file:
        for refusal in summary.refusals:
            file.write(json.dumps(refusal) + "\n")
