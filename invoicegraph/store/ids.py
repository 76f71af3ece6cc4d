"""Public IDs: a type prefix and 20 base32 characters, time-ordered so that indexes stay compact."""

import base64
import secrets
import time

PREFIXES = ("ws", "cli", "inv", "li", "usr", "txn", "pay", "cpn", "promo", "disc")


def new_public_id(prefix: str) -> str:
    """`prefix_` + 48 bits of milliseconds + 52 random bits, lowercase base32 (unguessable)."""
    assert prefix in PREFIXES, prefix
    raw = (time.time_ns() // 1_000_000).to_bytes(6, "big") + secrets.token_bytes(7)
    return f"{prefix}_{base64.b32encode(raw).decode().rstrip('=').lower()[:20]}"


def prefix_of(public_id: str) -> str | None:
    head, separator, _ = public_id.partition("_")
    return head if separator and head in PREFIXES else None
