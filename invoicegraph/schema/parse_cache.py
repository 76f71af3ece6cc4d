"""Each distinct document text is parsed once: front ends send the same few documents over and
over, and parsing a page query costs a quarter of a millisecond."""

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, parse
from strawberry.extensions import SchemaExtension

MAX_DOCUMENTS = 256
"""Distinct texts kept (the least recently used go first), so that a client sending a new text
every time costs memory for 256 documents at most."""


@lru_cache(maxsize=MAX_DOCUMENTS)
def _parsed(text: str, **options: Any) -> DocumentNode:
    return parse(text, **options)


class ParseCache(SchemaExtension):
    """strawberry's own ParserCache raises a syntax error (or the token limit's) from inside
    the extension hook, past the step that answers it with a code. This one gives a text that
    does not parse back to strawberry, which parses it again and answers as without a cache;
    errors are not cached, so a bad text costs two parses, a good one none after its first."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            # strawberry parses a text that fails here again, and answers it with its code
            with suppress(Exception):
                context.graphql_document = _parsed(context.query, **context.parse_options)
        yield
