"""One frozen Settings, read once from command-line flags and INVOICEGRAPH_* variables."""

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

SqliteSynchronous = Literal["FULL", "NORMAL"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///invoicegraph.db"


TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting that cannot be read; the message names the variable and its value."""


def _env(name: str, default: str) -> str:
    return os.environ.get(f"INVOICEGRAPH_{name.upper()}", default)


def _flag(name: str, default: bool) -> bool:
    """A boolean variable: 1/0, true/false, yes/no or on/off in any case; anything else is an
    error rather than a silent false."""
    raw = _env(name, "1" if default else "0")
    if raw.strip().lower() in TRUE:
        return True
    if raw.strip().lower() in FALSE:
        return False
    raise SettingsError(
        f"INVOICEGRAPH_{name.upper()}={raw!r} is not a boolean: use true or false (or 1 or 0)"
    )


def _number(name: str, default: int, *, least: int = 0) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} is not a whole number") from None
    if value < least:
        raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} must be at least {least}")
    return value


RATE = re.compile(r"^[1-9][0-9]*/(second|minute|hour)$")


def _seconds(name: str, default: float, *, above: float = 0.0) -> float:
    """A duration in seconds, fractions allowed (tests shrink the webhook retry schedule)."""
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} is not a number") from None
    if not value > above:
        raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} must be more than {above:g}")
    return value


def _rate(name: str, default: str) -> str:
    raw = _env(name, default)
    if not RATE.match(raw.strip()):
        raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} is not a rate such as 20/minute")
    return raw.strip()


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, as spelt there, whatever the case the variable uses."""
    raw = _env(name, default)
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise SettingsError(f"INVOICEGRAPH_{name.upper()}={raw!r} must be one of {', '.join(choices)}")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("database_url", DEFAULT_DATABASE_URL))
    host: str = field(default_factory=lambda: _env("host", "127.0.0.1"))
    port: int = field(default_factory=lambda: _number("port", 8000))
    token_ttl_seconds: int = field(
        default_factory=lambda: _number("token_ttl_seconds", 3600, least=1)
    )
    signing_key: str | None = field(
        default_factory=lambda: os.environ.get("INVOICEGRAPH_SIGNING_KEY")
    )
    """HMAC key for bearer tokens. Unset: a random key is made once and kept in the database."""
    demo: bool = field(default_factory=lambda: _flag("demo", True))
    """Seed a demo workspace, client and invoices when the database has no workspace yet."""
    introspection: bool = field(default_factory=lambda: _flag("introspection", True))
    """Answer introspection queries; production deployments may turn this off."""
    max_body_bytes: int = field(
        default_factory=lambda: _number("max_body_bytes", 1024 * 1024, least=1)
    )
    max_response_bytes: int = field(
        default_factory=lambda: _number("max_response_bytes", 10 * 1024 * 1024, least=1)
    )
    """A GraphQL response (or WebSocket message) past this many bytes of JSON is replaced by
    one RESPONSE_TOO_LARGE error."""
    playground: bool = field(default_factory=lambda: _flag("playground", True))
    """Serve the GraphiQL playground to browsers at GET /graphql (no token needed for the page)."""
    demo_token: str | None = None
    """The demo client's bearer token, set only by `invoicegraph serve` in the run that seeded the
    demo: the playground then fills it in. Never read from the environment."""

    workers: int = field(default_factory=lambda: _number("workers", 1, least=1))
    """Server processes; more than one needs PostgreSQL (events cross processes there)."""
    access_log: bool = field(default_factory=lambda: _flag("access_log", True))
    """uvicorn's line per request; off, a worker answers small queries a little faster."""
    plain_execution: bool = field(default_factory=lambda: _flag("plain_execution", True))
    """The fast executor for plain selections (schema/execution.py); off, graphql-core alone
    executes every field (slower; for ruling it out when something looks wrong)."""
    sql_reads: bool = field(default_factory=lambda: _flag("sql_reads", True))
    """On PostgreSQL, plain reads (an invoice by invoiceId, pages of invoices) answered by one
    statement that builds the JSON (invoicegraph/sqljson); off, every request takes the
    standard path. Not with traces on or trusted documents only: those go the standard way."""
    token_rate_per_client: str = field(
        default_factory=lambda: _rate("token_rate_per_client", "20/minute")
    )
    """Token requests one client id may make, in a moving window; past it, 429."""
    token_rate_per_address: str = field(
        default_factory=lambda: _rate("token_rate_per_address", "120/minute")
    )
    """Token requests one address may make, in a moving window; past it, 429."""
    token_max_lifetime_seconds: int = field(
        default_factory=lambda: _number("token_max_lifetime_seconds", 86_400, least=1)
    )
    """The longest a token may stay valid from now: verification refuses any that claims more
    (a token minted with a leaked key, say, valid to the year 9999). At least the TTL."""
    database_connections: int = field(
        default_factory=lambda: _number("database_connections", 20, least=2)
    )
    """Database connections a server process keeps; as many requests at once use the database
    (each holds at most one), the rest wait briefly, then get 503 SERVICE_BUSY."""
    max_requests_per_client: int = field(
        default_factory=lambda: _number("max_requests_per_client", 16, least=1)
    )
    """GraphQL requests one API client may have in flight in a server process; past it, 429.
    Below `database_connections`, so that one client never takes every connection."""
    max_sockets_per_client: int = field(
        default_factory=lambda: _number("max_sockets_per_client", 20, least=1)
    )
    """WebSockets one API client may hold open in a server process; past it, closed with 4429."""
    sqlite_synchronous: str = field(
        default_factory=lambda: _choice("sqlite_synchronous", "FULL", ("FULL", "NORMAL"))
    )
    """FULL: an acknowledged write survives a power loss. NORMAL is faster per write but may lose
    the last acknowledged writes if the machine (not the process) crashes."""

    webhooks: bool = field(default_factory=lambda: _flag("webhooks", True))
    """Run the webhook delivery worker in this server (one process of a deployment delivers
    at a time); off, deliveries wait for a server that runs it."""
    webhooks_allow_private: bool = field(
        default_factory=lambda: _flag("webhooks_allow_private", False)
    )
    """Accept endpoint URLs whose host is or resolves to a loopback, link-local or private
    address: for development and tests only."""
    webhooks_timeout_seconds: float = field(
        default_factory=lambda: _seconds("webhooks_timeout_seconds", 10.0)
    )
    """How long one delivery attempt may take (connect, send, answer) before it failed."""
    webhooks_retry_base_seconds: float = field(
        default_factory=lambda: _seconds("webhooks_retry_base_seconds", 30.0)
    )
    """The pause after the first failed attempt; each further failure doubles it (jittered)."""
    webhooks_retry_window_seconds: float = field(
        default_factory=lambda: _seconds("webhooks_retry_window_seconds", 3 * 24 * 3600.0)
    )
    """How long a delivery is retried; an endpoint failing for this long is disabled."""
    webhooks_secret_key: str | None = field(
        default_factory=lambda: os.environ.get("INVOICEGRAPH_WEBHOOKS_SECRET_KEY")
    )
    """Key that encrypts webhook signing secrets at rest. Unset: a random key is made once and
    kept in the database (then a copy of the database holds both: set it in production)."""

    metrics: str = field(
        default_factory=lambda: _choice("metrics", "loopback", ("off", "loopback", "token"))
    )
    """Who may read GET /metrics: requests from this machine, or the metrics token; `off`
    answers 404 and counts nothing at all (no per-request cost)."""
    metrics_token: str | None = field(
        default_factory=lambda: os.environ.get("INVOICEGRAPH_METRICS_TOKEN")
    )
    """The bearer token /metrics wants when `metrics` is `token`."""

    trusted_documents: str = field(default_factory=lambda: _env("trusted_documents", ""))
    """Manifests of {sha256: document} (comma-separated paths), known by hash to every client."""
    trusted_documents_only: bool = field(
        default_factory=lambda: _flag("trusted_documents_only", False)
    )
    """Run only the documents of those manifests (by hash or exact text)."""

    def trusted_document_paths(self) -> list[Path]:
        return [Path(part.strip()) for part in self.trusted_documents.split(",") if part.strip()]

    def __post_init__(self) -> None:
        if self.metrics == "token" and not self.metrics_token:
            raise SettingsError(
                "INVOICEGRAPH_METRICS=token needs INVOICEGRAPH_METRICS_TOKEN, the bearer token "
                "scrapers send"
            )
        if self.token_ttl_seconds > self.token_max_lifetime_seconds:
            raise SettingsError(
                f"INVOICEGRAPH_TOKEN_TTL_SECONDS={self.token_ttl_seconds} is over "
                f"INVOICEGRAPH_TOKEN_MAX_LIFETIME_SECONDS={self.token_max_lifetime_seconds}: "
                "tokens would be refused as soon as they are issued"
            )

    def synchronous_mode(self) -> SqliteSynchronous:
        return "NORMAL" if self.sqlite_synchronous == "NORMAL" else "FULL"

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

    @staticmethod
    def variables() -> list[str]:
        """Every INVOICEGRAPH_* variable a server reads, for `serve --help`."""
        return [
            f"INVOICEGRAPH_{f.name.upper()}" for f in fields(Settings) if f.name != "demo_token"
        ]

    def replace(self, **changes: Any) -> "Settings":
        """A copy with the given fields changed; None values (flags not given) are ignored."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({key: value for key, value in changes.items() if value is not None})
        return Settings(**values)
