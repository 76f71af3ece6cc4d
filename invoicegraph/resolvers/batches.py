"""Many creates in one unit of work: each item answered alone, or all or nothing.

A batch is one transaction. Each item is written in a savepoint, so an item that breaks a rule
is refused alone and the others commit; with `atomic`, any refusal rolls the whole batch back.
Items are idempotent on their own keys exactly like the single mutations, a key repeated
within the batch included.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from invoicegraph.ledger.errors import (
    BadRequest,
    DomainError,
    FieldProblem,
    IkConflict,
    Path,
)
from invoicegraph.resolvers.context import Context
from invoicegraph.resolvers.unit_of_work import (
    IdempotencyKey,
    Row,
    UnitOfWork,
    Written,
    replay_of,
    unit_of_work,
)

MAX_BATCH = 500
"""Items a batch may hold: the same bound as line items per invoice and allocations."""

Valid = TypeVar("Valid")
Command = TypeVar("Command")


@dataclass(frozen=True, slots=True)
class Item(Generic[Valid]):
    """One item of a batch, validated: its command and key, or why it was refused."""

    valid: Valid | None
    key: IdempotencyKey | None
    refused: DomainError | None = None


def validated(
    commands: Sequence[Command],
    validate: Callable[[Command], tuple[Valid, IdempotencyKey]],
    field: str,
) -> list[Item[Valid]]:
    """Each command checked alone; a refusal's paths start at the item (`[field, index, ...]`)."""
    if len(commands) > MAX_BATCH:
        raise BadRequest([FieldProblem((field,), f"a batch holds at most {MAX_BATCH} items")])
    items: list[Item[Valid]] = []
    for index, command in enumerate(commands):
        try:
            valid, key = validate(command)
        except DomainError as error:
            items.append(Item(None, None, within((field, str(index)), error)))
        else:
            items.append(Item(valid, key))
    return items


def within(path: Path, error: DomainError) -> DomainError:
    """The error with its input paths under `path`, as the batch's input names them."""
    if isinstance(error, BadRequest):
        return BadRequest([FieldProblem((*path, *p.path), p.message) for p in error.problems])
    return error


def _as_problems(path: Path, error: DomainError, key: IdempotencyKey | None) -> list[FieldProblem]:
    if isinstance(error, BadRequest):
        return error.problems
    if isinstance(error, IkConflict) and key is not None:
        return [FieldProblem((*path, key.name), error.message)]
    return [FieldProblem(path, error.message)]


async def write_batch(
    context: Context,
    items: Sequence[Item[Valid]],
    *,
    field: str,
    atomic: bool,
    find: Callable[[AsyncSession, list[str]], Awaitable[dict[str, Row]]],
    write: Callable[[UnitOfWork, Valid, IdempotencyKey], Awaitable[Row | None]],
) -> list[Written[Row] | DomainError]:
    """Write every valid item that is new, answer replays and conflicts, in input order.

    `find` returns the stored rows of the given keys; `write` writes one new item (None when
    its key turns out to be taken). With `atomic`, a refusal anywhere answers BadRequest
    naming every refused item's problems (each item is tried, so that all are found), and
    nothing is written.
    """
    results: list[Written[Row] | DomainError] = []
    async with unit_of_work(context) as work:
        keys = [item.key.value for item in items if item.key is not None]
        stored = await find(work.session, keys)
        for index, item in enumerate(items):
            results.append(await _write_item(work, item, stored, find, write, (field, str(index))))
        if atomic:
            refuse_all(
                field,
                [
                    (index, result, item.key)
                    for index, (item, result) in enumerate(zip(items, results, strict=True))
                    if isinstance(result, DomainError)
                ],
            )
    return results


def refuse_all(
    field: str, refused: Sequence[tuple[int, DomainError | None, IdempotencyKey | None]]
) -> None:
    """For an atomic batch: BadRequest naming every problem of every refused item."""
    problems = [
        problem
        for index, error, key in refused
        if error is not None
        for problem in _as_problems((field, str(index)), error, key)
    ]
    if problems:
        raise BadRequest(problems)


async def _write_item(
    work: UnitOfWork,
    item: Item[Valid],
    stored: dict[str, Row],
    find: Callable[[AsyncSession, list[str]], Awaitable[dict[str, Row]]],
    write: Callable[[UnitOfWork, Valid, IdempotencyKey], Awaitable[Row | None]],
    path: Path,
) -> Written[Row] | DomainError:
    if item.refused is not None:
        return item.refused
    assert item.valid is not None
    assert item.key is not None
    key = item.key
    try:
        if (existing := stored.get(key.value)) is not None:
            return replay_of(existing, key)
        async with work.savepoint():
            row = await write(work, item.valid, key)
            if row is None:  # PostgreSQL: a concurrent writer committed this key since `find`
                taken = (await find(work.session, [key.value]))[key.value]
                return replay_of(taken, key)  # a conflict rolls back what the item wrote
        stored[key.value] = row  # the same key later in this batch is a replay of this item
        return Written(row, is_replay=False)
    except DomainError as error:
        return within(path, error)
