"""Persisted documents: Apollo's automatic persisted queries, and trusted documents.

A request may name its document by hash, `extensions.persistedQuery = {version: 1, sha256Hash}`,
the SHA-256 (hex) of the document's exact text. Automatic persisted queries (APQ): the first
time a client sends hash and text, the text is kept (per process, a bounded LRU), and later the
hash alone runs it; an unknown hash answers `PersistedQueryNotFound`
(`PERSISTED_QUERY_NOT_FOUND`), and the client sends the text again. Trusted documents: manifests
of `{hash: document}` made with the typed clients (INVOICEGRAPH_TRUSTED_DOCUMENTS) are always
known by hash; with INVOICEGRAPH_TRUSTED_DOCUMENTS_ONLY every operation must be one of them,
sent by hash or as its exact text (`PERSISTED_QUERY_NOT_IN_LIST` otherwise), and APQ
registers nothing. Introspection is then refused too, unless it is in a manifest.

A refusal is answered as the operation's one top-level error, before anything is parsed: the
extension runs a placeholder document and reports the error from its validation step.
"""

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

APQ_ENTRIES = 500
APQ_DOCUMENT_CHARACTERS = 32_768
"""Longer documents run, but are not kept: the cache stays under 16 MB per process."""
_HASH = re.compile(r"[0-9a-f]{64}")
_PLACEHOLDER = "query PersistedDocumentRefused { __typename }"


class ManifestError(ValueError):
    """A trusted-documents manifest that cannot be read, or whose hashes do not match."""


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TrustedDocuments:
    by_hash: Mapping[str, str] = field(default_factory=dict)
    only: bool = False
    """Accept nothing else."""

    @classmethod
    def load(cls, paths: Iterable[Path], *, only: bool) -> "TrustedDocuments":
        """Read `{hash: document}` manifests; each hash must be its document's SHA-256."""
        documents: dict[str, str] = {}
        for path in paths:
            try:
                manifest = json.loads(path.read_text())
            except (OSError, ValueError) as error:
                raise ManifestError(f"trusted documents {path}: {error}") from None
            if not isinstance(manifest, dict):
                raise ManifestError(f"trusted documents {path}: not a JSON object of hashes")
            for given, document in manifest.items():
                digest = given.removeprefix("sha256:")
                if not isinstance(document, str) or sha256_of(document) != digest:
                    raise ManifestError(
                        f"trusted documents {path}: {given} is not the SHA-256 of its document"
                    )
                documents[digest] = document
        if only and not documents:
            raise ManifestError("only trusted documents were asked for, but no manifest names any")
        return cls(by_hash=documents, only=only)


class _AutomaticPersistedQueries:
    """The documents clients registered by hash, least recently used first out."""

    def __init__(self) -> None:
        self._documents: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        document = self._documents.get(digest)
        if document is not None:
            self._documents.move_to_end(digest)
        return document

    def keep(self, digest: str, document: str) -> None:
        if len(document) > APQ_DOCUMENT_CHARACTERS:
            return
        self._documents[digest] = document
        self._documents.move_to_end(digest)
        while len(self._documents) > APQ_ENTRIES:
            self._documents.popitem(last=False)


_registered = _AutomaticPersistedQueries()


def _refusal(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def resolve(
    query: str | None, extensions: Mapping[str, Any] | None, trusted: TrustedDocuments
) -> str | GraphQLError | None:
    """The document to run for this request, or the error that refuses it (None: the request
    has no document at all, which strawberry answers as it always does)."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        if trusted.only and (query is None or sha256_of(query) not in trusted.by_hash):
            return _refusal("Only trusted documents run here.", "PERSISTED_QUERY_NOT_IN_LIST")
        return query
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        return _refusal("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        return _refusal("sha256Hash must be 64 lowercase hex digits.", "BAD_USER_INPUT")
    if query is not None:
        if sha256_of(query) != digest:
            return _refusal("provided sha does not match query", "BAD_USER_INPUT")
        if trusted.only and digest not in trusted.by_hash:
            return _refusal("Only trusted documents run here.", "PERSISTED_QUERY_NOT_IN_LIST")
        if not trusted.only:
            _registered.keep(digest, query)
        return query
    known = trusted.by_hash.get(digest) or (None if trusted.only else _registered.get(digest))
    if known is None:
        code = "PERSISTED_QUERY_NOT_IN_LIST" if trusted.only else "PERSISTED_QUERY_NOT_FOUND"
        return _refusal("PersistedQueryNotFound", code)
    return known


class PersistedDocuments(SchemaExtension):
    """Puts the document a hash names in place before parsing, or refuses the operation."""

    def __init__(self, *, trusted: TrustedDocuments) -> None:
        self.trusted = trusted
        self._refused: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        found = resolve(context.query, context.operation_extensions, self.trusted)
        if isinstance(found, GraphQLError):
            self._refused = found
            context.query = _PLACEHOLDER
            # The client's operation name is not in the placeholder (strawberry has no setter).
            context._provided_operation_name = None
        else:
            context.query = found
        yield

    def on_validate(self) -> Iterator[None]:
        if self._refused is not None:
            self.execution_context.pre_execution_errors = [self._refused]
        yield
