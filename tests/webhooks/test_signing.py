"""The signature header: what a receiver verifies, and what it must refuse."""

from invoicegraph.webhooks.signing import signature, signature_header, verify

BODY = b'{"id":"evt_1","type":"invoice.paid"}'
SECRET = "whsec_test"


def test_a_signed_body_verifies_with_its_secret() -> None:
    header = signature_header([SECRET], 1_700_000_000, BODY)
    assert header == f"t=1700000000,v1={signature(SECRET, 1_700_000_000, BODY)}"
    assert verify(header, secret=SECRET, body=BODY, now=1_700_000_010)


def test_another_body_secret_or_an_old_timestamp_does_not_verify() -> None:
    header = signature_header([SECRET], 1_700_000_000, BODY)
    assert not verify(header, secret=SECRET, body=BODY + b" ", now=1_700_000_000)
    assert not verify(header, secret="whsec_other", body=BODY, now=1_700_000_000)
    assert not verify(header, secret=SECRET, body=BODY, now=1_700_000_000 + 301)
    assert not verify("v1=" + signature(SECRET, 1, BODY), secret=SECRET, body=BODY, now=1)


def test_each_of_several_secrets_verifies() -> None:
    header = signature_header(["whsec_old", "whsec_new"], 5, BODY)
    assert verify(header, secret="whsec_old", body=BODY, now=5)
    assert verify(header, secret="whsec_new", body=BODY, now=5)


def test_the_signature_is_the_documented_hmac() -> None:
    # The README's receivers compute this; a known value pins the message format "t.body".
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b"42." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, 42, BODY) == expected
