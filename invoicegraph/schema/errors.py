"""Expected failures as schema types, and the one place that maps domain errors onto them."""

import logging
from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver

from invoicegraph.ledger import errors as domain
from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.metrics import GRAPHQL_ERRORS

log = logging.getLogger("invoicegraph.errors")


@strawberry.enum
class ErrorCode(Enum):
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    IK_CONFLICT = "IK_CONFLICT"
    INTERNAL = "INTERNAL"


@strawberry.interface(
    description=(
        "Every expected failure of a mutation is a member of its result union "
        "that implements Error."
    )
)
class Error:
    code: ErrorCode
    message: str
    retryable: bool = strawberry.field(
        description="True when the same request may succeed if sent again unchanged."
    )


@strawberry.type
class FieldError:
    field: list[str] = strawberry.field(
        description='Path into the mutation\'s input, e.g. ["lineItems", "0", "price", "amount"].'
    )
    message: str


@strawberry.type
class BadRequestError(Error):
    field_errors: list[FieldError] = strawberry.field(
        description="Every problem found in the input, not only the first."
    )


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class VersionConflictError(Error):
    expected_version: int
    current_version: int


@strawberry.type
class InvalidStateError(Error):
    status: InvoiceStatus


@strawberry.type(description="The idempotency key was used before with a different input.")
class IkConflictError(Error):
    pass


@strawberry.type
class InternalError(Error):
    pass


ErrorType = (
    BadRequestError
    | NotFoundError
    | VersionConflictError
    | InvalidStateError
    | IkConflictError
    | InternalError
)


def error_from_domain(error: domain.DomainError) -> ErrorType:
    """The schema type of a domain error: the only mapping between the two."""
    message, retryable = error.message, error.retryable
    match error:
        case domain.BadRequest():
            return BadRequestError(
                code=ErrorCode.BAD_REQUEST,
                field_errors=[
                    FieldError(field=list(problem.path), message=problem.message)
                    for problem in error.problems
                ],
                message=message,
                retryable=retryable,
            )
        case domain.NotFound():
            return NotFoundError(code=ErrorCode.NOT_FOUND, message=message, retryable=retryable)
        case domain.VersionConflict():
            return VersionConflictError(
                code=ErrorCode.VERSION_CONFLICT,
                expected_version=error.expected,
                current_version=error.current,
                message=message,
                retryable=retryable,
            )
        case domain.InvalidState():
            return InvalidStateError(
                code=ErrorCode.INVALID_STATE,
                status=error.status,
                message=message,
                retryable=retryable,
            )
        case domain.IkConflict():
            return IkConflictError(code=ErrorCode.IK_CONFLICT, message=message, retryable=retryable)
    raise TypeError(f"no schema type for {type(error).__name__}")  # pragma: no cover


class DomainErrorsAsResults(FieldExtension):
    """Answers a mutation's expected failures as members of its result union: the one place
    where domain errors become schema types.

    The mutation's resolver returns its success type and lets domain errors (raised anywhere
    in its unit of work, which rolls the write back) propagate to here. Unexpected failures
    are logged with the request id and answered with a masked InternalError that carries the
    same id, so a support request can find the traceback.
    """

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except domain.DomainError as error:
            answer = error_from_domain(error)
            GRAPHQL_ERRORS.labels(answer.code.value).inc()
            return answer
        except Exception:
            request_id = info.context.request_id
            log.exception("mutation failed", extra={"request_id": request_id})
            return InternalError(
                code=ErrorCode.INTERNAL,
                message=f"Internal error (request id {request_id}).",
                retryable=True,
            )
