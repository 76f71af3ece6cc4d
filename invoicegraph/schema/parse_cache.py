"""Each distinct document text is parsed once, and each document validated once: front ends
send the same few documents over and over, and parsing a page query costs a quarter of a
millisecond."""

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

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


@lru_cache(maxsize=MAX_DOCUMENTS)
def _validated(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    # strawberry's own validation adds these two rules to the ones of the operation
    every_rule = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    return validate(schema, document, every_rule, hide_suggestions=hide_suggestions)


class ValidationCache(SchemaExtension):
    """Each document is validated once, as by strawberry's ValidationCache, and without the
    "Did you mean ...?" of graphql-core's messages when `hide_suggestions` (introspection
    off: suggestions would tell the names introspection keeps to itself)."""

    def __init__(self, *, hide_suggestions: bool) -> None:
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = _validated(
            context.schema._schema,
            context.graphql_document,
            tuple(context.validation_rules),
            self.hide_suggestions,
        )
        yield
