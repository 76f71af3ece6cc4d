"""The signature header: `Invoicegraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC's key is the endpoint's signing secret and its message is `"<t>." + body`, as
Stripe does: the receiver recomputes it over the raw body, compares in constant time and
refuses a `t` too far from its clock (replays). During a secret rotation there is one `v1`
per valid secret.
"""

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "Invoicegraph-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join(
        [f"t={timestamp}", *(f"v1={signature(secret, timestamp, body)}" for secret in secrets)]
    )


def verify(
    header: str, *, secret: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does (the README shows it in Python and Node): True iff some v1 of the
    header is the HMAC of this body under `secret` and its t is within `tolerance` of `now`."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
