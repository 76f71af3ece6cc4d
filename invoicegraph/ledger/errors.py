"""Expected failures of the domain. The API maps each one to a member of a result union."""

from dataclasses import dataclass

from invoicegraph.ledger.enums import InvoiceStatus

Path = tuple[str, ...]
"""A path into a mutation's input, e.g. ("lineItems", "0", "price", "amount")."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    path: Path
    message: str


class DomainError(Exception):
    """Base of every expected failure; raising one rolls the whole mutation back.

    None is `retryable`: that means the same request may succeed if sent again unchanged, and
    each of these answers the same until the caller changes the request (a stale version
    needs the current one, a bad input another input).
    """

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(DomainError):
    """The input breaks one or more rules; every problem found is listed, not only the first."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        count = len(problems)
        super().__init__(f"The input has {count} problem{'s' if count != 1 else ''}.")
        self.problems = problems


class NotFound(DomainError):
    """The named object does not exist or belongs to another workspace (indistinguishable)."""


class VersionConflict(DomainError):
    """Sent again unchanged it fails again: refetch, reapply, send the current version."""

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(f"Expected version {expected}, but the current version is {current}.")
        self.expected = expected
        self.current = current


class InvalidState(DomainError):
    def __init__(self, *, status: InvoiceStatus, action: str) -> None:
        super().__init__(f"Cannot {action} an invoice that is {status.value}.")
        self.status = status


class IkConflict(DomainError):
    def __init__(self, *, key_name: str, key: str) -> None:
        super().__init__(f"The {key_name} {key!r} was already used with a different input.")
