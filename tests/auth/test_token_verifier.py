"""Verified tokens kept in memory: still refused once expired, forgeries never kept."""

import time

import pytest

from invoicegraph.auth.tokens import InvalidToken, TokenVerifier, issue_token

KEY = "a-signing-key-" + "k" * 40


def token(ttl_seconds: int = 600, client_id: str = "cli_a", key: str = KEY) -> str:
    return issue_token(key=key, client_id=client_id, workspace_id="ws_a", ttl_seconds=ttl_seconds)


def test_a_kept_token_is_refused_once_it_expires() -> None:
    verifier = TokenVerifier(key=KEY, max_ttl_seconds=3600)
    short = token(ttl_seconds=1)
    assert verifier.verify(short).client_id == "cli_a"
    assert verifier.verify(short).client_id == "cli_a"  # from memory
    time.sleep(max(0.0, verifier.verify(short).expires_at - time.time()) + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(short)


def test_a_forged_token_is_refused_every_time() -> None:
    verifier = TokenVerifier(key=KEY, max_ttl_seconds=3600)
    forged = token(key="another-key-" + "x" * 40)
    for _ in range(2):
        with pytest.raises(InvalidToken, match="signature"):
            verifier.verify(forged)


def test_a_token_past_the_lifetime_bound_is_refused_every_time() -> None:
    verifier = TokenVerifier(key=KEY, max_ttl_seconds=60)
    for _ in range(2):
        with pytest.raises(InvalidToken, match="longer"):
            verifier.verify(token(ttl_seconds=600))


def test_the_least_recently_used_tokens_leave_first() -> None:
    verifier = TokenVerifier(key=KEY, max_ttl_seconds=3600, capacity=2)
    first, second, third = (token(client_id=f"cli_{n}") for n in range(3))
    for each in (first, second, first, third):
        verifier.verify(each)
    assert list(verifier._verified) == [first, third]
