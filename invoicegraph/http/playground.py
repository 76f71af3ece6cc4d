"""The GraphiQL playground: the page at GET /graphql for browsers, and its bundled assets.

Everything the page loads comes from this server. Its one script and one stylesheet were bundled
from the npm registry by `make playground` (see playground/) into
`invoicegraph/playground_static/`, which ships with the package, together with copies of the
example operations in playground/operations that the page offers as tabs. The page runs under a
strict Content-Security-Policy: scripts and styles only from this origin, no inline script (the
page's configuration is a JSON data block that the bundled script reads), requests only to this
origin.

A browser's GET /graphql (Accept preferring text/html, no `query` parameter) gets the page
without a bearer token; every other request goes on to the authenticated GraphQL endpoint.
The page offers a sign-in form (client id and secret, POST /oauth2/token, the token put into the
tab's Authorization header). When `invoicegraph serve` seeded the demo workspace in this very
run, the demo client's bearer token (the one it printed) is also filled into every example tab;
it is never embedded otherwise, and it expires like any token.
"""

import gzip
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from invoicegraph.auth.tokens import issue_token, verify_token
from invoicegraph.http.media_types import GRAPHQL_MEDIA_TYPES, quality
from invoicegraph.http.state import app_state
from invoicegraph.settings import Settings

STATIC_DIR = Path(__file__).parents[1] / "playground_static"
"""Next to the package's modules, not in http/: it is data the wheel ships, built by npm."""
ASSET_PREFIX = "/playground"
GRAPHQL_PATH = "/graphql"
TOKEN_PATH = "/oauth2/token"
DEMO_TOKEN_PATH = ASSET_PREFIX + "/demo-token"
"""GET: a fresh token of the demo client, in the run that seeded the demo only."""

MEDIA_TYPES = {"playground.js": "text/javascript", "playground.css": "text/css"}
OPERATION_ORDER = (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)
SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    version: str
    """A digest of the content: the page asks for `?v=<version>`, which may be cached forever."""


@dataclass(frozen=True, slots=True)
class ExampleOperation:
    name: str
    kind: OperationType
    document: str
    variables: str
    """JSON text for GraphiQL's variables editor (empty when the operation takes none)."""


@dataclass(frozen=True, slots=True)
class Bundle:
    assets: Mapping[str, Asset]
    operations: tuple[ExampleOperation, ...]


def _asset(path: Path, media_type: str) -> Asset:
    body = path.read_bytes()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        media_type=f"{media_type}; charset=utf-8",
        version=hashlib.sha256(body).hexdigest()[:16],
    )


def load_operations(directory: Path) -> tuple[ExampleOperation, ...]:
    """The example operations (one named operation a file) with their example variables;
    queries first, then mutations, then subscriptions, each by name."""
    variables_path = directory / "variables.json"
    variables: dict[str, Any] = (
        json.loads(variables_path.read_text()) if variables_path.exists() else {}
    )
    operations = []
    for path in sorted(directory.glob("*.graphql")):
        document = path.read_text()
        [definition] = parse(document).definitions
        assert isinstance(definition, OperationDefinitionNode), path
        assert definition.name is not None, path
        name = definition.name.value
        example = variables.get(name)
        operations.append(
            ExampleOperation(
                name=name,
                kind=definition.operation,
                document=document,
                variables=json.dumps(example, indent=2) if example is not None else "",
            )
        )
    return tuple(sorted(operations, key=lambda op: (OPERATION_ORDER.index(op.kind), op.name)))


@cache
def load_bundle(directory: Path = STATIC_DIR) -> Bundle:
    """Read the bundle once per process (the files are part of the installed package)."""
    missing = [name for name in MEDIA_TYPES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the playground bundle has no {', '.join(missing)} in {directory}: "
            "run `make playground`, or start with INVOICEGRAPH_PLAYGROUND=0"
        )
    return Bundle(
        assets={name: _asset(directory / name, kind) for name, kind in MEDIA_TYPES.items()},
        operations=load_operations(directory / "operations"),
    )


def wants_page(scope: Scope) -> bool:
    """A browser asking for the page: GET without a query, Accept preferring text/html."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    if scope.get("query_string"):
        return False
    accept = Request(scope).headers.get("accept", "")
    html = quality(accept, ("text/html",))
    return html > 0 and html >= quality(accept, GRAPHQL_MEDIA_TYPES)


def content_security_policy(host: str | None, style_nonce: str) -> str:
    """Everything from this origin only; data: for the fonts and icons inlined in the CSS.

    No inline script at all. The one inline style is the <style> element GraphiQL's dialogs add
    for scroll locking: it carries this response's nonce (the bundle reads it from the page's
    configuration), so 'unsafe-inline' is not needed. connect-src names ws:// and wss:// of this
    host too, for subscriptions (CSP level 3 browsers already count them as 'self').
    """
    sockets = f" ws://{host} wss://{host}" if host and SAFE_HOST.match(host) else ""
    directives = (
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{style_nonce}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        f"connect-src 'self'{sockets}",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
    return "; ".join(directives)


def _json_for_script(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>invoicegraph playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<script type="application/json" id="playground-config">{config}</script>
<script src="{js}" defer></script>
</head>
<body>
<div id="playground"><p class="ig-loading">Loading the playground…</p></div>
<noscript>The playground needs JavaScript. Send GraphQL requests to {graphql} with a bearer
token instead.</noscript>
</body>
</html>
"""


class Playground:
    """The page and its assets, read once; `in_front_of` wraps the GraphQL endpoint."""

    def __init__(self, settings: Settings, bundle: Bundle) -> None:
        self.settings = settings
        self.bundle = bundle

    @classmethod
    def load(cls, settings: Settings) -> "Playground":
        return cls(settings, load_bundle())

    @property
    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        if self.settings.demo_token is not None:  # before the assets, whose path it shares
            routes.append(Route(DEMO_TOKEN_PATH, self.demo_token, methods=["GET"]))
        routes.append(Route(ASSET_PREFIX + "/{name}", self.asset, methods=["GET"]))
        return routes

    def in_front_of(self, graphql: ASGIApp) -> "PageOrGraphQL":
        """An ASGI app that answers a browser's GET with the page, and passes the rest on."""
        return PageOrGraphQL(self, graphql)

    def config(self, root: str, style_nonce: str) -> dict[str, object]:
        return {
            "graphqlPath": root + GRAPHQL_PATH,
            "tokenPath": root + TOKEN_PATH,
            "demoToken": self.settings.demo_token,
            "demoTokenPath": None if self.settings.demo_token is None else root + DEMO_TOKEN_PATH,
            "styleNonce": style_nonce,
            "operations": [
                {
                    "name": operation.name,
                    "kind": operation.kind.value,
                    "query": operation.document,
                    "variables": operation.variables,
                }
                for operation in self.bundle.operations
            ],
        }

    def page(self, request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        assets = self.bundle.assets
        style_nonce = secrets.token_urlsafe(18)

        def url(name: str) -> str:
            return f"{root}{ASSET_PREFIX}/{name}?v={assets[name].version}"

        html = PAGE.format(
            css=url("playground.css"),
            js=url("playground.js"),
            config=_json_for_script(self.config(root, style_nonce)),
            graphql=root + GRAPHQL_PATH,
        )
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": content_security_policy(
                    request.headers.get("host"), style_nonce
                ),
                # The page may hold the demo token: keep it out of every cache.
                "Cache-Control": "no-store",
                "Vary": "Accept",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def demo_token(self, request: Request) -> JSONResponse:
        """A fresh token of the demo client, for the page when it loads and when the one it
        holds has expired; served only by the run that seeded the demo (which embeds its token
        in the page anyway)."""
        state = app_state(request.app)
        assert self.settings.demo_token is not None
        demo = verify_token(
            self.settings.demo_token,
            key=state.signing_key,
            max_ttl_seconds=state.settings.token_max_lifetime_seconds,
            expired_too=True,
        )
        ttl = state.settings.token_ttl_seconds
        token = issue_token(
            key=state.signing_key,
            client_id=demo.client_id,
            workspace_id=demo.workspace_id,
            ttl_seconds=ttl,
        )
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": ttl},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def asset(self, request: Request) -> Response:
        asset = self.bundle.assets.get(request.path_params["name"])
        if asset is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        etag = f'"{asset.version}"'
        headers = {
            "ETag": etag,
            "Cache-Control": IMMUTABLE
            if request.query_params.get("v") == asset.version
            else "no-cache",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if quality(request.headers.get("accept-encoding", ""), ("gzip",)) > 0:
            headers["Content-Encoding"] = "gzip"
            return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)


class PageOrGraphQL:
    """GET /graphql from a browser gets the page (no token needed); the rest goes to GraphQL.

    A class, not a function, so that Starlette's Route treats it as an ASGI app.
    """

    def __init__(self, playground: Playground, graphql: ASGIApp) -> None:
        self.playground = playground
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_page(scope):
            await self.playground.page(Request(scope))(scope, receive, send)
        else:
            await self.graphql(scope, receive, send)
