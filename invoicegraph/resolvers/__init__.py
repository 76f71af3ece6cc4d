"""Turns GraphQL calls into store and ledger calls. Knows nothing of strawberry types."""
