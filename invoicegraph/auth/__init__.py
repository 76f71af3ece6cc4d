"""Credentials: OAuth2 client credentials, secret hashing, bearer token issue and verification."""
