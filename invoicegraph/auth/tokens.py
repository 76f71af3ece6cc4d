"""Bearer tokens: HS256 JWTs naming the client and its workspace, valid for a fixed time.

Verification also enforces a maximum lifetime of its own: a token that claims to stay valid
longer from now than `max_ttl_seconds` (one minted with a stolen key, valid to the year 9999)
is refused even though its signature is good.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
ISSUER = "invoicegraph"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    client_id: str
    workspace_id: str
    expires_at: int


class InvalidToken(Exception):
    """Missing, malformed, forged, expired or otherwise unusable credentials."""


def issue_token(*, key: str, client_id: str, workspace_id: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": client_id,
        "ws": workspace_id,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_token(
    token: str, *, key: str, max_ttl_seconds: int, expired_too: bool = False
) -> TokenClaims:
    """Check signature, algorithm (pinned: `none` and every other one is refused), expiry
    (`expired_too`: not expiry, to read whom an old token of ours was for) and that it expires
    within `max_ttl_seconds` from now."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": not expired_too},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken(
            "the bearer token has expired: get a new one from /oauth2/token"
        ) from error
    except jwt.InvalidSignatureError as error:
        raise InvalidToken(
            "the bearer token's signature does not match: it was not issued by this server "
            "(or with a signing key it no longer uses)"
        ) from error
    except jwt.DecodeError as error:
        raise InvalidToken(
            "the bearer token is malformed: send the access_token that /oauth2/token returned"
        ) from error
    except jwt.PyJWTError as error:  # issuer, algorithm, missing or early claims
        raise InvalidToken("the bearer token was not issued by this server") from error
    expires_at = claims["exp"]
    if not isinstance(expires_at, int) or expires_at - int(time.time()) > max_ttl_seconds:
        raise InvalidToken(
            f"the bearer token claims to live longer than this server allows "
            f"({max_ttl_seconds} s): get a new one from /oauth2/token"
        )
    workspace_id = claims.get("ws")
    if not isinstance(workspace_id, str) or not isinstance(claims["sub"], str):
        raise InvalidToken("token claims are malformed")
    return TokenClaims(client_id=claims["sub"], workspace_id=workspace_id, expires_at=expires_at)


CAPACITY = 10_000
"""Tokens remembered at most (least recently used leave first)."""


class TokenVerifier:
    """`verify_token` with the claims of recently verified tokens kept: a client sends the same
    token on every request of its lifetime, and decoding it (base64, JSON, HMAC, six claim
    checks) cost some 6% of a one-invoice lookup. A kept token is still refused once expired;
    its other checks cannot change with time (the lifetime bound only gets easier to meet)."""

    def __init__(self, *, key: str, max_ttl_seconds: int, capacity: int = CAPACITY) -> None:
        self._key = key
        self._max_ttl_seconds = max_ttl_seconds
        self._capacity = capacity
        self._verified: OrderedDict[str, TokenClaims] = OrderedDict()

    def verify(self, token: str) -> TokenClaims:
        claims = self._verified.get(token)
        if claims is not None and claims.expires_at > time.time():
            self._verified.move_to_end(token)
            return claims
        self._verified.pop(token, None)
        claims = verify_token(token, key=self._key, max_ttl_seconds=self._max_ttl_seconds)
        self._verified[token] = claims
        if len(self._verified) > self._capacity:
            self._verified.popitem(last=False)
        return claims
