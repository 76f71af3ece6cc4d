"""POST /oauth2/token: the client-credentials grant, with RFC 6749 section 5.2 errors."""

import base64
import binascii

from starlette.requests import Request
from starlette.responses import JSONResponse

from invoicegraph.auth.rate_limit import TokenRateLimit
from invoicegraph.auth.secrets import secret_matches
from invoicegraph.auth.tokens import issue_token
from invoicegraph.store.engine import Database
from invoicegraph.store.workspaces import client_credentials

FORM = "application/x-www-form-urlencoded"
UNUSABLE_HASH = "0" * 64
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _token_error(status: int, error: str, description: str) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="invoicegraph"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


async def token_method_not_allowed(request: Request) -> JSONResponse:
    """Any method but POST: say how to ask for a token (a bare 405 tells a curl user nothing)."""
    response = _token_error(
        405,
        "invalid_request",
        "the token endpoint takes POST with the client credentials: curl -u CLIENT_ID:"
        f"CLIENT_SECRET -d grant_type=client_credentials {request.url.replace(query='')}",
    )
    response.headers["Allow"] = "POST"
    return response


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (client_id, secret) if colon and client_id and secret else None


async def token_endpoint(
    request: Request,
    *,
    db: Database,
    signing_key: str,
    ttl_seconds: int,
    rate_limit: TokenRateLimit,
) -> JSONResponse:
    """Answer one token request; the app passes in its database, key, token lifetime and the
    counts of recent requests (too many: 429 with Retry-After, before anything is checked)."""
    claimed = _basic_credentials(request.headers.get("authorization"))
    address = request.client.host if request.client is not None else "unknown"
    wait = rate_limit.wait_seconds(client_id=claimed[0] if claimed else None, address=address)
    if wait is not None:
        response = _token_error(
            429, "too_many_requests", f"too many token requests; retry in {wait} s"
        )
        response.headers["Retry-After"] = str(wait)
        return response
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        return _token_error(400, "invalid_request", f"send the body as {FORM}")
    form = await request.form()
    grant_type = form.get("grant_type")
    if not isinstance(grant_type, str) or not grant_type:
        return _token_error(400, "invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        return _token_error(400, "unsupported_grant_type", "only client_credentials is supported")

    credentials = _basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        return _token_error(401, "invalid_client", "send HTTP Basic client credentials")
    client_id, secret = credentials
    async with db.read() as session:
        found = await client_credentials(session, public_id=client_id)
    # Hash and compare even for an unknown client, so timing does not tell which ids exist.
    matches = secret_matches(secret, found.secret_hash if found else UNUSABLE_HASH)
    if found is None or found.revoked or not matches:
        return _token_error(401, "invalid_client", "unknown client or wrong secret")

    token = issue_token(
        key=signing_key,
        client_id=found.client_id,
        workspace_id=found.workspace_public_id,
        ttl_seconds=ttl_seconds,
    )
    return JSONResponse(
        {"access_token": token, "token_type": "Bearer", "expires_in": ttl_seconds},
        headers=NO_STORE,
    )
