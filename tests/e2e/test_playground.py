"""The playground in a real browser: Debian's headless Chromium, driven by Playwright, against a
live `invoicegraph serve`.

Playwright's own browser download cannot work here, so the browser is the `chromium` on PATH
(.ci/install-browser installs it). Without it these tests skip, except under CI=true, where they
fail: CI must run them. The demo screenshot goes to artifacts/playground.png.
"""

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    WebSocket,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.server import (
    Deployment,
    Server,
    create_client,
    create_workspace,
    get_token,
    graphql_ok,
    http_client,
    running_server,
)
from tests.operations import CREATE_INVOICE, invoice_input, line_item

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 20_000
RESULT = ".result-window .CodeMirror"
SUBSCRIPTION_ATTEMPTS = 10


def chromium_executable() -> str:
    """Debian's chromium; skips without it, but fails under CI=true."""
    path = shutil.which("chromium")
    if path is None:
        reason = "no `chromium` on PATH for the browser tests: run .ci/install-browser"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the browser tests must run)")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """First of all, so that a missing browser skips before any server starts."""
    return chromium_executable()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass(frozen=True)
class Demo:
    server: Server
    client_id: str
    client_secret: str
    token: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`serve --demo` on a new database: it seeds the demo and prints its credentials."""
    workdir = tmp_path_factory.mktemp("playground-demo")
    database_url = f"sqlite+aiosqlite:///{workdir / 'demo.db'}"
    with running_server(database_url, demo=True, workdir=workdir) as server:
        printed = server.stdout()
        found = {
            label: re.search(rf"^\s*{label}:\s+(\S+)", printed, re.MULTILINE)
            for label in ("client_id", "client_secret", "bearer token")
        }
        values = {label: match.group(1) for label, match in found.items() if match is not None}
        assert len(values) == 3, printed
        yield Demo(server, values["client_id"], values["client_secret"], values["bearer token"])


@dataclass
class Visit:
    """One page in a fresh browser context, with everything it requested and complained about."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to anywhere but the server (data: URLs are no request to anyone)."""
        return [
            url
            for url in self.requests
            if not url.startswith("data:") and origin_of(url) != self.origin
        ]

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


OpenPlayground = Callable[[str], Visit]


@pytest.fixture
def visit(browser: Browser) -> Iterator[OpenPlayground]:
    contexts = []

    def open_playground(base_url: str) -> Visit:
        context = browser.new_context(
            viewport={"width": 1400, "height": 860}, color_scheme="light", locale="en-US"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, origin_of(base_url))

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.console_errors.append(message.text)

        def on_request(request: Request) -> None:
            seen.requests.append(request.url)

        def on_websocket(socket: WebSocket) -> None:
            seen.requests.append(socket.url)

        page.on("console", on_console)
        page.on("request", on_request)
        page.on("websocket", on_websocket)
        page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
        response = page.goto(f"{base_url}/graphql")
        assert response is not None
        assert response.status == 200
        page.wait_for_selector(".graphiql-container")
        page.wait_for_selector(".graphiql-tab-active")
        return seen

    yield open_playground
    for context in contexts:
        context.close()


def editor_values(page: Page) -> tuple[str, str]:
    """The contents of the variables and headers editors of the open tab."""
    values: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
        ".map((element) => element.CodeMirror.getValue())"
    )
    variables, headers = values
    return variables, headers


def is_execution(response: Response) -> bool:
    """A POST /graphql that is not GraphiQL's introspection (which follows every sign-in)."""
    request = response.request
    return (
        request.method == "POST"
        and urlsplit(response.url).path == "/graphql"
        and "IntrospectionQuery" not in (request.post_data or "")
    )


def run_and_read_result(page: Page, expect: str) -> dict[str, Any]:
    """Press the run button, wait for the server's answer to show; return the result pane's JSON
    (which must equal what the server sent and contain `expect`)."""
    page.wait_for_function("() => !document.querySelector('.graphiql-execute-button').disabled")
    with page.expect_response(is_execution) as answered:
        page.click(".graphiql-execute-button")
    sent = answered.value.json()
    page.wait_for_function(
        f"""(expect) => document.querySelector('{RESULT}').CodeMirror.getValue()
            .includes(expect)""",
        arg=expect,
    )
    text: str = page.evaluate(f"() => document.querySelector('{RESULT}').CodeMirror.getValue()")
    result: dict[str, Any] = json.loads(text)
    assert result == sent
    return result


def claims_of(token: str) -> dict[str, Any]:
    """What a token says (its signature is the server's business)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def bearer_of(headers: str) -> str:
    authorization: str = json.loads(headers)["Authorization"]
    assert authorization.startswith("Bearer ")
    return authorization.removeprefix("Bearer ")


def test_the_demo_token_is_filled_in_and_the_example_query_shows_demo_data(
    demo: Demo, visit: OpenPlayground
) -> None:
    # given the playground of a server that seeded the demo in this run
    seen = visit(demo.server.base_url)
    page = seen.page
    # then the first tab is InvoiceByKey, with example variables and the printed demo token
    assert page.inner_text(".graphiql-tab-active").strip() == "InvoiceByKey"
    variables, headers = editor_values(page)
    assert json.loads(variables) == {"invoiceId": "acme-2026-0001"}
    assert claims_of(bearer_of(headers))["sub"] == demo.client_id  # a fresh one of the demo's
    assert "seeded the demo" in page.get_by_test_id("signin-status").inner_text()
    # when it is run without typing any credentials
    result = run_and_read_result(page, "acme-2026-0001")
    # then the result pane shows the demo invoice
    assert "errors" not in result, result
    invoice = result["data"]["invoice"]
    assert invoice["invoiceId"] == "acme-2026-0001"
    assert invoice["status"] == "OPEN"
    assert [item["description"] for item in invoice["lineItems"]] == [
        "Pro plan, January 2026",
        "Additional seats",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"))
    assert seen.page_errors == []


def test_the_page_is_served_with_a_strict_content_security_policy(
    demo: Demo, browser: Browser
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(f"{demo.server.base_url}/graphql")
        assert response is not None
        policy = response.headers["content-security-policy"]
    finally:
        context.close()
    directives = {
        name: value for name, _, value in (p.strip().partition(" ") for p in policy.split(";"))
    }
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]+'", directives["style-src"])
    assert directives["connect-src"].startswith("'self'")


def test_everything_works_under_the_policy_and_comes_from_the_server(
    demo: Demo, visit: OpenPlayground
) -> None:
    # given the playground, used as a person would: a query, the docs, the dialogs, a subscription
    seen = visit(demo.server.base_url)
    page = seen.page
    run_and_read_result(page, "acme-2026-0001")
    page.get_by_label("Show Documentation Explorer").click()
    page.get_by_text("Root Types").wait_for()
    page.get_by_label("Open settings dialog").click()
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    page.get_by_label("Open short keys dialog").click()
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    page.get_by_label("New tab").click()
    page.evaluate(
        "() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
        ".setValue('subscription Watch { invoiceEvents { type invoice { invoiceId } } }')"
    )
    page.wait_for_function(
        "() => document.querySelector('.graphiql-tab-active').innerText.includes('Watch')"
    )
    with page.expect_websocket():
        page.click(".graphiql-execute-button")
    # the subscription is live once the server has taken its subscribe message: until its first
    # event arrives, create invoices (a bounded number, one a second)
    with http_client(demo.server.base_url) as http:
        for attempt in range(SUBSCRIPTION_ATTEMPTS):
            graphql_ok(
                http,
                CREATE_INVOICE,
                demo.token,
                input=invoice_input(f"browser-subscription-{attempt}", line_item()),
            )
            try:
                page.wait_for_function(
                    f"() => document.querySelector('{RESULT}').CodeMirror.getValue()"
                    ".includes('browser-subscription-')",
                    timeout=1_000,
                )
                break
            except PlaywrightTimeoutError:
                continue
        else:
            pytest.fail("the subscription tab showed no event")
    # then nothing was refused by the policy, nothing failed, and nothing came from elsewhere
    assert seen.csp_violations() == []
    assert seen.page_errors == []
    assert seen.foreign_requests() == []
    assert any(url.startswith("ws://") for url in seen.requests), seen.requests
    assert any("/playground/playground.js" in url for url in seen.requests)


def test_the_sign_in_form_gets_a_token_from_a_client_id_and_secret(
    deployed: Deployment, visit: OpenPlayground
) -> None:
    # given a server that did not seed the demo, with one invoice in its workspace
    with http_client(deployed.base_url) as http:
        token = get_token(http, deployed.client_id, deployed.client_secret)
        graphql_ok(
            http,
            CREATE_INVOICE,
            token,
            input=invoice_input("acme-2026-0001", line_item(description="Signed-in line")),
        )
    seen = visit(deployed.base_url)
    page = seen.page
    status = page.get_by_test_id("signin-status")
    # then no token is filled in, and a request is refused
    assert "Sign in" in status.inner_text()
    assert editor_values(page)[1].strip() == ""
    refused = run_and_read_result(page, "UNAUTHENTICATED")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # when a wrong secret is given, the form says so
    page.get_by_label("Client id").fill(deployed.client_id)
    page.get_by_label("Client secret").fill("not-the-secret")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Sign-in failed: unknown client or wrong secret").wait_for()
    # when the right one is given
    page.get_by_label("Client secret").fill(deployed.client_secret)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {deployed.client_id}").wait_for()
    # then the headers hold a fresh token of that client, and the query runs with it
    signed_in = bearer_of(editor_values(page)[1])
    assert signed_in.count(".") == 2
    result = run_and_read_result(page, "Signed-in line")
    assert "errors" not in result, result
    assert result["data"]["invoice"]["invoiceId"] == "acme-2026-0001"
    assert any(url.endswith("/oauth2/token") for url in seen.requests)
    assert seen.foreign_requests() == []
    assert seen.csp_violations() == []


def test_the_demo_token_is_renewed_when_it_expires(tmp_path: Path, visit: OpenPlayground) -> None:
    # given a demo server whose tokens last two seconds, and its page
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'short.db'}"
    environment = {"INVOICEGRAPH_TOKEN_TTL_SECONDS": "2"}
    with running_server(
        database_url, demo=True, workdir=tmp_path, environment=environment
    ) as server:
        seen = visit(server.base_url)
        page = seen.page
        first = bearer_of(editor_values(page)[1])
        # when the token has expired before the tab is run
        page.wait_for_timeout(3_000)
        page.click(".graphiql-execute-button")
        # then the page got a new one, put it in the tab, and the query was answered
        page.wait_for_function(
            f"() => document.querySelector('{RESULT}').CodeMirror.getValue()"
            ".includes('acme-2026-0001')"
        )
        shown = page.evaluate(f"() => document.querySelector('{RESULT}').CodeMirror.getValue()")
        result = json.loads(shown)
        assert "errors" not in result, result
        renewed = bearer_of(editor_values(page)[1])
        assert renewed != first
        assert claims_of(renewed)["sub"] == claims_of(first)["sub"]
        assert any(url.endswith("/playground/demo-token") for url in seen.requests)
        assert seen.page_errors == []
        assert seen.csp_violations() == []


def test_a_signed_in_token_is_renewed_with_the_same_credentials(
    tmp_path: Path, visit: OpenPlayground
) -> None:
    # given a server without the demo whose tokens last two seconds, and a client of it
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'signed-in.db'}"
    workspace = create_workspace("Short tokens", cwd=tmp_path, database_url=database_url)
    client_id, client_secret = create_client(workspace, cwd=tmp_path, database_url=database_url)
    environment = {"INVOICEGRAPH_TOKEN_TTL_SECONDS": "2"}
    with running_server(
        database_url, demo=False, workdir=tmp_path, environment=environment
    ) as server:
        seen = visit(server.base_url)
        page = seen.page
        page.get_by_label("Client id").fill(client_id)
        page.get_by_label("Client secret").fill(client_secret)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text(f"Signed in as {client_id}").wait_for()
        first = bearer_of(editor_values(page)[1])
        # when the token has expired before the tab is run
        page.wait_for_timeout(3_000)
        page.click(".graphiql-execute-button")
        # then the query is answered (no invoice with that key here) with a renewed token
        page.wait_for_function(
            f"() => document.querySelector('{RESULT}').CodeMirror.getValue()"
            ".includes('\"invoice\": null')"
        )
        renewed = bearer_of(editor_values(page)[1])
        assert renewed != first
        assert claims_of(renewed)["sub"] == client_id
        assert seen.page_errors == []
