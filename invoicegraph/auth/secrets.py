"""Client secrets: shown once, kept only as a hash, compared in constant time.

The secrets are 256 random bits that we generate, not passwords people choose, so a slow password
hash (argon2, bcrypt) would buy nothing against guessing and cost every token request tens of
milliseconds; SHA-256 of such a secret cannot be reversed or brute-forced.
"""

import hashlib
import hmac
import secrets


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_client_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_client_secret(secret), stored_hash)
