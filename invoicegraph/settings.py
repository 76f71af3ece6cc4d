"""One frozen Settings, read once from command-line flags and INVOICEGRAPH_* variables."""

import os
from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///invoicegraph.db"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"INVOICEGRAPH_{name.upper()}", default)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("database_url", DEFAULT_DATABASE_URL))
    host: str = field(default_factory=lambda: _env("host", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("port", "8000")))
    token_ttl_seconds: int = field(default_factory=lambda: int(_env("token_ttl_seconds", "3600")))
    signing_key: str | None = field(
        default_factory=lambda: os.environ.get("INVOICEGRAPH_SIGNING_KEY")
    )
    """HMAC key for bearer tokens. Unset: a random key is made once and kept in the database."""
    demo: bool = field(default_factory=lambda: _env("demo", "1") == "1")
    """Seed a demo workspace, client and invoices when the database has no workspace yet."""
    introspection: bool = field(default_factory=lambda: _env("introspection", "1") == "1")
    """Answer introspection queries; production deployments may turn this off."""
    max_body_bytes: int = field(
        default_factory=lambda: int(_env("max_body_bytes", str(1024 * 1024)))
    )
    playground: bool = field(default_factory=lambda: _env("playground", "1") == "1")
    """Serve the GraphiQL playground to browsers at GET /graphql (no token needed for the page)."""
    demo_token: str | None = None
    """The demo client's bearer token, set only by `invoicegraph serve` in the run that seeded the
    demo: the playground then fills it in. Never read from the environment."""

    workers: int = field(default_factory=lambda: int(_env("workers", "1")))
    """Server processes; more than one needs PostgreSQL (events cross processes there)."""
    access_log: bool = field(default_factory=lambda: _env("access_log", "1") == "1")
    """uvicorn's line per request; off, a worker answers small queries a little faster."""

    def environment(self) -> dict[str, str]:
        """These settings as INVOICEGRAPH_* variables, for worker processes to read back."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.pop("demo_token")
        return {
            f"INVOICEGRAPH_{name.upper()}": ("1" if value else "0")
            if isinstance(value, bool)
            else str(value)
            for name, value in values.items()
            if value is not None
        }

    def replace(self, **changes: Any) -> "Settings":
        """A copy with the given fields changed; None values (flags not given) are ignored."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({key: value for key, value in changes.items() if value is not None})
        return Settings(**values)
