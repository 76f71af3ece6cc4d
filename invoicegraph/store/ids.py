"""Public IDs: a type prefix and 20 base32 characters, time-ordered so that indexes stay compact."""

import base64
import re
import secrets
import time

PREFIXES = (
    *("ws", "cli", "inv", "li", "usr", "txn", "pay"),
    *("whe", "whd", "evt"),  # webhooks: endpoints, deliveries, events
    *("cpn", "promo", "disc"),  # coupons, promotion codes, applied discounts
    *("prd", "eac"),  # products, external accounts
)


def new_public_id(prefix: str) -> str:
    """`prefix_` + 48 bits of milliseconds + 52 random bits, lowercase base32 (unguessable)."""
    assert prefix in PREFIXES, prefix
    raw = (time.time_ns() // 1_000_000).to_bytes(6, "big") + secrets.token_bytes(7)
    return f"{prefix}_{base64.b32encode(raw).decode().rstrip('=').lower()[:20]}"


_SHAPE = re.compile(r"[a-z]+_[a-z0-9]{20}")
"""Loose on purpose: generated data sets (bench/) number their ids in decimal."""


def is_public_id(value: str, prefix: str) -> bool:
    """Whether `value` has the shape of a public id of this type (not whether it exists)."""
    return value.startswith(prefix + "_") and _SHAPE.fullmatch(value) is not None


def prefix_of(public_id: str) -> str | None:
    head, separator, _ = public_id.partition("_")
    return head if separator and head in PREFIXES else None
