"""Signing secrets: made here, shown once, kept encrypted.

A client secret is only ever compared, so a hash is all the server keeps (auth/secrets.py).
A signing secret must be used to sign every delivery, so the server needs it back: it is
encrypted at rest with Fernet (AES-128-CBC with an HMAC-SHA256 tag, from the `cryptography`
package) under a key derived from INVOICEGRAPH_WEBHOOKS_SECRET_KEY, or, when that is unset,
from a random key made once and kept in the database. The API never shows a secret again
after the mutation that made it (create, rotate).
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken

SECRET_PREFIX = "whsec_"
KEY_NAME = "webhook-secret-key"
"""The name of the database's own key in server_secrets, when none is configured."""


def new_signing_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class SecretUnreadable(RuntimeError):
    """A stored secret that this key cannot decrypt (the key was changed)."""


class SecretBox:
    """Encrypts and decrypts signing secrets under one server key."""

    def __init__(self, key_material: str) -> None:
        digest = hashlib.sha256(key_material.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable(
                "a webhook signing secret cannot be decrypted: was "
                "INVOICEGRAPH_WEBHOOKS_SECRET_KEY changed?"
            ) from None
