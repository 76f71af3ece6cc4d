"""The one JSON error body of every request this API refuses before GraphQL runs.

`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`: the shape of GraphQL's own
errors, so that a client reads a 400, 401 or 413 exactly as it reads a refused operation.
"""

from collections.abc import Mapping
from typing import Literal

from starlette.responses import JSONResponse

ErrorCode = Literal[
    "BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "TOO_MANY_REQUESTS", "SERVICE_BUSY"
]
"""The `extensions.code` of a refused request: the caller's mistake, missing credentials,
credentials that do not reach this resource, too many requests of one client at once (429), or
no database connection free in time (503)."""


def error_response(
    message: str, *, code: ErrorCode, status: int, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON error response with one error, its message and its code."""
    error = {"message": message, "extensions": {"code": code}}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)
