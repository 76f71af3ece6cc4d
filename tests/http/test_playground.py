"""The playground: the committed bundle, and the page and assets the app serves from it.

The bundle in invoicegraph/playground_static/ is built by `make playground` and committed, so that
any install of the package ships it; these tests fail when it is missing or stale, and check that
the page refers to nothing but this server.
"""

import gzip
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from invoicegraph.auth.tokens import issue_token, verify_token
from invoicegraph.http.app import create_app
from invoicegraph.http.playground import (
    STATIC_DIR,
    content_security_policy,
    load_bundle,
    wants_page,
)
from invoicegraph.schema import schema
from invoicegraph.settings import Settings

ROOT = Path(__file__).parents[2]
SOURCE_OPERATIONS = ROOT / "playground" / "operations"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class PageParser(HTMLParser):
    """The attributes of every element, and the contents of <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def page_config(html: str) -> dict[str, Any]:
    [text] = [
        text
        for attrs, text in parse_page(html).scripts
        if attrs.get("type") == "application/json" and attrs.get("id") == "playground-config"
    ]
    config: dict[str, Any] = json.loads(text)
    return config


async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def browser(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the playground on (the default) and no demo token."""
    async for client in serve(settings):
        yield client


# --- the committed bundle -----------------------------------------------------------------------


def test_the_committed_bundle_is_one_script_and_one_stylesheet() -> None:
    files = sorted(path.name for path in STATIC_DIR.iterdir() if path.is_file())
    assert files == ["playground.css", "playground.js"], "run `make playground` and commit"
    for name in files:
        assert (STATIC_DIR / name).stat().st_size > 10_000, name


def test_the_bundle_loads_nothing_from_elsewhere() -> None:
    css = (STATIC_DIR / "playground.css").read_text()
    assert "@import" not in css
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
    assert urls, "GraphiQL's fonts are expected inline"
    assert all(url.startswith(("data:", "#")) for url in urls), {
        url[:60] for url in urls if not url.startswith("data:")
    }
    script = (STATIC_DIR / "playground.js").read_text()
    assert "sourceMappingURL" not in script
    for cdn in ("esm.sh", "unpkg.com", "jsdelivr"):
        assert cdn not in script


def test_the_shipped_operations_are_copies_of_playground_operations() -> None:
    shipped = STATIC_DIR / "operations"
    sources = sorted(SOURCE_OPERATIONS.glob("*.graphql"))
    assert sources
    assert sorted(p.name for p in shipped.glob("*.graphql")) == [p.name for p in sources], (
        "run `make playground` after changing playground/operations"
    )
    for source in sources:
        assert (shipped / source.name).read_text() == source.read_text(), source.name
    assert (shipped / "variables.json").read_text() == (
        ROOT / "playground" / "variables.json"
    ).read_text()


def test_every_example_has_variables_that_fit_its_operation() -> None:
    operations = load_bundle().operations
    assert [operation.name for operation in operations][:1] == ["InvoiceByKey"]
    for operation in operations:
        [definition] = parse(operation.document).definitions
        assert isinstance(definition, OperationDefinitionNode)
        variables = json.loads(operation.variables or "{}")
        coerced = get_variable_values(
            schema._schema, definition.variable_definitions or (), variables
        )
        assert not isinstance(coerced, list), (operation.name, coerced)


# --- the page -----------------------------------------------------------------------------------


async def test_a_browser_gets_the_page_without_a_token(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "Accept" in response.headers["vary"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_page_sends_a_strict_content_security_policy(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
    directives = {
        name: value
        for name, _, value in (
            part.strip().partition(" ")
            for part in response.headers["content-security-policy"].split(";")
        )
    }
    nonce = page_config(response.text)["styleNonce"]
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == f"'self' 'nonce-{nonce}'"
    assert directives["connect-src"] == "'self' ws://test wss://test"
    assert directives["img-src"] == "'self' data:"
    assert directives["font-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    again = await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
    assert page_config(again.text)["styleNonce"] != nonce


def test_a_strange_host_header_stays_out_of_the_policy() -> None:
    policy = content_security_policy("evil.example; script-src *", "n")
    assert "evil" not in policy
    assert "connect-src 'self';" in policy


async def test_the_page_refers_only_to_our_own_paths(browser: httpx.AsyncClient) -> None:
    html = (await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})).text
    page = parse_page(html)
    references = [
        value
        for _, attrs in page.elements
        for name, value in attrs.items()
        if name in ("src", "href", "action", "srcset") and value is not None
    ]
    assert sorted(ref.split("?")[0] for ref in references) == [
        "/playground/playground.css",
        "/playground/playground.js",
        "data:,",
    ]
    assert "://" not in html
    # No inline script: the one script element with content is a JSON data block.
    for attrs, text in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        assert not (attrs.get("src") and text.strip())
    for _, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), attrs
        assert "style" not in attrs, attrs


async def test_the_page_offers_every_example_operation_as_a_tab(
    browser: httpx.AsyncClient,
) -> None:
    config = page_config((await browser.get("/graphql", headers={"Accept": "text/html"})).text)
    names = {operation["name"] for operation in config["operations"]}
    assert names == {path.stem for path in SOURCE_OPERATIONS.glob("*.graphql")}
    by_name = {operation["name"]: operation for operation in config["operations"]}
    assert (
        by_name["InvoiceByKey"]["query"] == (SOURCE_OPERATIONS / "InvoiceByKey.graphql").read_text()
    )
    assert json.loads(by_name["InvoiceByKey"]["variables"]) == {"invoiceId": "acme-2026-0001"}
    assert config["graphqlPath"] == "/graphql"
    assert config["tokenPath"] == "/oauth2/token"


async def test_no_token_is_embedded_unless_serve_seeded_the_demo(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    html = (await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})).text
    assert page_config(html)["demoToken"] is None
    async for demo in serve(settings.replace(demo_token="demo.token.value")):
        html = (await demo.get("/graphql", headers={"Accept": BROWSER_ACCEPT})).text
        assert page_config(html)["demoToken"] == "demo.token.value"


async def test_markup_in_the_configuration_cannot_end_its_script_element(
    settings: Settings,
) -> None:
    async for demo in serve(settings.replace(demo_token="</script><script>alert(1)</script>")):
        html = (await demo.get("/graphql", headers={"Accept": BROWSER_ACCEPT})).text
        assert "</script><script>" not in html
        assert page_config(html)["demoToken"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/graphql-response+json, application/json;q=0.9",
        "text/html;q=0.5, application/json",
        "text/html;q=0",
    ],
)
async def test_graphql_clients_still_need_a_token(
    browser: httpx.AsyncClient, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = await browser.get("/graphql", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_browser_sending_a_query_gets_graphql_not_the_page(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get(
        "/graphql", params={"query": "{ workspace { id } }"}, headers={"Accept": BROWSER_ACCEPT}
    )
    assert response.status_code == 401
    posted = await browser.post(
        "/graphql", json={"query": "{ workspace { id } }"}, headers={"Accept": BROWSER_ACCEPT}
    )
    assert posted.status_code == 401


def test_page_negotiation_prefers_html_only_when_asked_for_by_name() -> None:
    def scope(accept: str, method: str = "GET", query: bytes = b"") -> dict[str, Any]:
        headers = [(b"accept", accept.encode())]
        return {"type": "http", "method": method, "query_string": query, "headers": headers}

    assert wants_page(scope(BROWSER_ACCEPT))
    assert wants_page(scope("text/html"))
    assert wants_page(scope(BROWSER_ACCEPT, method="HEAD"))
    assert not wants_page(scope("text/*"))
    assert not wants_page(scope(BROWSER_ACCEPT, method="POST"))
    assert not wants_page(scope(BROWSER_ACCEPT, query=b"query=%7B__typename%7D"))


async def test_turned_off_the_playground_is_not_there(settings: Settings) -> None:
    async for client in serve(settings.replace(playground=False)):
        response = await client.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await client.get("/playground/playground.js")).status_code == 404


def test_the_setting_reads_invoicegraph_playground(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVOICEGRAPH_PLAYGROUND", "0")
    assert Settings().playground is False
    monkeypatch.setenv("INVOICEGRAPH_PLAYGROUND", "1")
    assert Settings().playground is True
    monkeypatch.delenv("INVOICEGRAPH_PLAYGROUND")
    assert Settings().playground is True
    assert Settings().demo_token is None


# --- the assets ---------------------------------------------------------------------------------


async def test_the_assets_are_served_with_their_types_and_cached_by_version(
    browser: httpx.AsyncClient,
) -> None:
    html = (await browser.get("/graphql", headers={"Accept": BROWSER_ACCEPT})).text
    assets = {
        attrs.get("src") or attrs.get("href") or ""
        for tag, attrs in parse_page(html).elements
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("rel") == "stylesheet")
    }
    kinds = {"playground.js": "text/javascript", "playground.css": "text/css"}
    for url in sorted(assets):
        name = url.split("?")[0].rsplit("/", 1)[1]
        response = await browser.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kinds[name])
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content == (STATIC_DIR / name).read_bytes()
        unversioned = await browser.get(f"/playground/{name}")
        assert unversioned.headers["cache-control"] == "no-cache"
        etag = response.headers["etag"]
        cached = await browser.get(url, headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert cached.content == b""


async def test_the_assets_are_gzipped_for_clients_that_accept_it(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/playground/playground.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == (STATIC_DIR / "playground.js").read_bytes()  # httpx decodes it
    assert int(response.headers["content-length"]) < len(response.content) // 2
    raw = load_bundle().assets["playground.js"]
    assert gzip.decompress(raw.gzipped) == raw.body


async def test_unknown_assets_are_not_found(browser: httpx.AsyncClient) -> None:
    for path in ("/playground/other.js", "/playground/operations", "/playground/..%2Fapp.py"):
        assert (await browser.get(path)).status_code == 404, path


async def test_the_demo_token_endpoint_exists_only_in_the_run_that_seeded_the_demo(
    settings: Settings,
) -> None:
    assert settings.signing_key is not None
    seeded = issue_token(
        key=settings.signing_key, client_id="cli_demo", workspace_id="ws_demo", ttl_seconds=-10
    )
    for demo_token, expected in ((seeded, 200), (None, 404)):
        app = create_app(settings.replace(demo_token=demo_token))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                response = await http.get("/playground/demo-token")
        assert response.status_code == expected
        if expected == 200:
            fresh = verify_token(
                response.json()["access_token"], key=settings.signing_key, max_ttl_seconds=3600
            )
            assert (fresh.client_id, fresh.workspace_id) == ("cli_demo", "ws_demo")
            assert response.headers["cache-control"] == "no-store"
