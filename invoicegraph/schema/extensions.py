"""Top-level error codes, and masking of everything unexpected.

Every top-level error leaves with `extensions.code`: GRAPHQL_PARSE_FAILED,
GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT or INTERNAL_SERVER_ERROR. An unexpected exception
never shows its text: the client gets a request id and the log gets the traceback.
"""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension

from invoicegraph.resolvers.pagination import BadUserInput

log = logging.getLogger("invoicegraph.errors")


class ErrorCodes(SchemaExtension):
    _phase = "parse"

    def on_parse(self) -> Iterator[None]:
        self._phase = "parse"
        yield

    def on_validate(self) -> Iterator[None]:
        self._phase = "validate"
        yield

    def on_execute(self) -> Iterator[None]:
        self._phase = "execute"
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [self._coded(error) for error in errors]

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Each message a WebSocket sends, coded and masked as an HTTP response is: the
        operation's end (above) comes only after its results are sent. A syntax error is left
        as it is: graphql-transport-ws closes the socket with 4400 for it."""
        errors = getattr(result, "errors", None)
        if errors and self._phase != "parse":
            result.errors = [self._coded(error) for error in errors]  # type: ignore[attr-defined]
        yield

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if (error.extensions or {}).get("code"):
            return error  # coded where it was raised, e.g. QUERY_TOO_COMPLEX
        if self._phase == "parse":
            if "Document contains more than" in error.message:
                return _with_code(error, "QUERY_TOO_COMPLEX")  # the parser's token limit
            return _with_code(error, "GRAPHQL_PARSE_FAILED")
        if self._phase == "validate":
            # Our only code that runs here is the scalars' parsers, refusing literals.
            return _with_code(error, "GRAPHQL_VALIDATION_FAILED")
        if isinstance(error, StrawberryInputCoercionError):
            # e.g. two members of a @oneOf input given through variables
            return _with_code(error, "BAD_USER_INPUT")
        if error.path is None and error.message.startswith("Variable '$"):
            # Variable values are coerced when execution starts; a bad one is the caller's input.
            return _with_code(error, "BAD_USER_INPUT")
        request_id = getattr(self.execution_context.context, "request_id", "unknown")
        return coded(original or error, request_id, like=error)


def _with_code(error: GraphQLError, code: str, message: str | None = None) -> GraphQLError:
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code},
    )


def coded(error: Exception, request_id: str, *, like: GraphQLError | None = None) -> GraphQLError:
    """The top-level error for an exception a resolver raised: the caller's bad input is told
    as BAD_USER_INPUT; anything else is logged with the request id and masked."""
    where = like or GraphQLError("")
    if isinstance(error, BadUserInput):
        return _with_code(where, "BAD_USER_INPUT", str(error))
    log.error(
        "unexpected error in %s",
        ".".join(map(str, where.path or [])) or "operation",
        exc_info=error,
        extra={"request_id": request_id},
    )
    return _with_code(
        where, "INTERNAL_SERVER_ERROR", f"Internal server error (request id {request_id})."
    )


def operation_type(extension: SchemaExtension) -> str:
    """query, mutation or subscription; "unknown" for a document that did not parse."""
    try:
        return extension.execution_context.operation_type.value
    except Exception:  # no document, or no operation of that name in it
        return "unknown"
