"""updateInvoice: line-item operations applied in order, all or nothing, and their changes."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from invoicegraph.ledger.enums import InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, FieldProblem, InvalidState, NotFound, Path
from invoicegraph.ledger.history import (
    Change,
    InvoiceState,
    LineItemAdded,
    LineItemDeleted,
    LineItemState,
    LineItemUpdated,
    StatusChanged,
    TagsChanged,
    apply_change,
)
from invoicegraph.ledger.invoices import (
    DESCRIPTION_MAX,
    MAX_LINE_ITEMS,
    LineItemDraft,
    LineItemSpec,
    UserRef,
    text_problems,
    total_problems,
    validate_line_item,
)
from invoicegraph.ledger.prices import Price, PriceSpec, resolve_price
from invoicegraph.ledger.settlement import MoneyKey, line_item_key, line_item_problems, settle
from invoicegraph.ledger.tag_operations import (
    NO_TAG_OPERATIONS,
    TagOperations,
    apply_tag_operations,
    tag_operation_problems,
)
from invoicegraph.ledger.tags import Tag, tag_problems

MAX_OPERATIONS = 500
LINE_ITEMS_EDITABLE = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.OPEN, InvoiceStatus.PAID})


@dataclass(frozen=True, slots=True)
class AddLineItem:
    draft: LineItemDraft


@dataclass(frozen=True, slots=True)
class UpdateLineItem:
    line_item_id: str
    description: str | None = None
    price: PriceSpec | None = None
    tags: tuple[Tag, ...] | None = None
    """Replaces the line item's tags."""
    tag_operations: TagOperations | None = None
    """Changes them by key (never together with `tags`)."""


@dataclass(frozen=True, slots=True)
class DeleteLineItem:
    line_item_id: str


Operation = AddLineItem | UpdateLineItem | DeleteLineItem


@dataclass(frozen=True, slots=True)
class UpdateInvoice:
    invoice_id: str
    """Our id of the invoice (inv_...)."""
    expected_version: int
    operations: tuple[Operation, ...] = ()
    tags: TagOperations = NO_TAG_OPERATIONS


@dataclass(frozen=True, slots=True)
class ValidAdd:
    spec: LineItemSpec


@dataclass(frozen=True, slots=True)
class ValidUpdate:
    line_item_id: str
    description: str | None
    price: Price | None
    tags: tuple[Tag, ...] | None
    tag_operations: TagOperations | None = None
    path: Path = ()
    """Where the operation is in the input: what a refused tag operation names."""


ValidOperation = ValidAdd | ValidUpdate | DeleteLineItem


@dataclass(frozen=True, slots=True)
class ValidInvoiceUpdate:
    invoice_id: str
    expected_version: int
    operations: tuple[ValidOperation, ...]
    tags: TagOperations = NO_TAG_OPERATIONS

    def added_users(self) -> list[tuple[tuple[str, ...], UserRef]]:
        """The users that added line items name, with the input path of each."""
        return [
            (("lineItems", str(index), "add", "user"), operation.spec.user)
            for index, operation in enumerate(self.operations)
            if isinstance(operation, ValidAdd)
        ]


def _validate_operation(
    operation: Operation, path: tuple[str, ...]
) -> ValidOperation | list[FieldProblem]:
    match operation:
        case AddLineItem(draft=draft):
            spec = validate_line_item(draft, (*path, "add"))
            return spec if isinstance(spec, list) else ValidAdd(spec)
        case UpdateLineItem():
            where = (*path, "update")
            problems: list[FieldProblem] = []
            if operation.description is not None:
                problems += text_problems(
                    operation.description, (*where, "description"), maximum=DESCRIPTION_MAX
                )
            price: Price | None = None
            if operation.price is not None:
                resolved = resolve_price(operation.price, (*where, "price"))
                if isinstance(resolved, list):
                    problems += resolved
                else:
                    price = resolved
            if operation.tags is not None:
                problems += tag_problems(operation.tags, (*where, "tags"))
            if operation.tag_operations is not None:
                if operation.tags is not None:
                    problems.append(
                        FieldProblem(
                            (*where, "tagOperations"),
                            "give tags (replacing them all) or tagOperations, not both",
                        )
                    )
                problems += tag_operation_problems(
                    operation.tag_operations, (*where, "tagOperations")
                )
            if problems:
                return problems
            return ValidUpdate(
                operation.line_item_id,
                operation.description,
                price,
                operation.tags,
                operation.tag_operations,
                where,
            )
        case DeleteLineItem():
            return operation


def validate_update(command: UpdateInvoice) -> ValidInvoiceUpdate:
    """Check the shape of every operation; raise BadRequest listing every problem."""
    problems: list[FieldProblem] = []
    if len(command.operations) > MAX_OPERATIONS:
        problems.append(
            FieldProblem(("lineItems",), f"one update takes at most {MAX_OPERATIONS} operations")
        )
    operations: list[ValidOperation] = []
    for index, operation in enumerate(command.operations):
        result = _validate_operation(operation, ("lineItems", str(index)))
        if isinstance(result, list):
            problems += result
        else:
            operations.append(result)
    problems += tag_operation_problems(command.tags, ("tags",))
    if problems:
        raise BadRequest(problems)
    return ValidInvoiceUpdate(
        invoice_id=command.invoice_id,
        expected_version=command.expected_version,
        operations=tuple(operations),
        tags=command.tags,
    )


def _find(state: InvoiceState, line_item_id: str) -> LineItemState:
    item = state.line_item(line_item_id)
    if item is None:
        raise NotFound(f"The invoice has no line item {line_item_id!r}.")
    return item


def _apply_operation(
    state: InvoiceState,
    operation: ValidOperation,
    *,
    user_ids: Mapping[UserRef, int],
    new_line_item_id: Callable[[], str],
) -> Change | None:
    match operation:
        case ValidAdd(spec=spec):
            return LineItemAdded(
                spec.placed(line_item_id=new_line_item_id(), user_id=user_ids[spec.user])
            )
        case ValidUpdate():
            item = _find(state, operation.line_item_id)
            tags = item.tags if operation.tags is None else operation.tags
            if operation.tag_operations is not None:
                tags = apply_tag_operations(
                    item.tags,
                    operation.tag_operations,
                    path=(*operation.path, "tagOperations"),
                    holder="a line item",
                )
            after = replace(
                item,
                description=item.description
                if operation.description is None
                else operation.description,
                price=item.price if operation.price is None else operation.price,
                tags=tags,
            )
            if after == item:
                return None
            return LineItemUpdated(
                line_item_id=item.line_item_id,
                old_price=item.price,
                new_price=after.price,
                old_description=item.description,
                new_description=after.description,
                old_tags=item.tags,
                new_tags=after.tags,
            )
        case DeleteLineItem():
            return LineItemDeleted(_find(state, operation.line_item_id))


def ensure_allowed(status: InvoiceStatus, update: ValidInvoiceUpdate) -> None:
    """Tags can always be edited; line items only where the status table allows."""
    if update.operations and status not in LINE_ITEMS_EDITABLE:
        raise InvalidState(status=status, action="edit the line items of")


def _blame(index: int, change: Change, state: InvoiceState) -> tuple[MoneyKey, Path] | None:
    """Where an operation may have lowered expected, to name it in an invariant problem."""
    match change:
        case LineItemDeleted(line_item=item):
            return line_item_key(item), ("lineItems", str(index), "delete")
        case LineItemUpdated(line_item_id=line_item_id):
            updated = state.line_item(line_item_id)
            assert updated is not None
            return line_item_key(updated), ("lineItems", str(index), "update", "price", "amount")
    return None


def _below_discount(state: InvoiceState, update: ValidInvoiceUpdate) -> list[FieldProblem]:
    """A price update may not take a line item's amount below the discount it carries."""
    return [
        FieldProblem(
            ("lineItems", str(index), "update", "price", "amount"),
            f"is below the line item's discount of {item.discount}",
        )
        for index, operation in enumerate(update.operations)
        if isinstance(operation, ValidUpdate)
        and (item := state.line_item(operation.line_item_id)) is not None
        and item.price.amount < item.discount
    ]


def apply_update(
    state: InvoiceState,
    update: ValidInvoiceUpdate,
    *,
    user_ids: Mapping[UserRef, int],
    new_line_item_id: Callable[[], str],
    paid: Mapping[MoneyKey, int] | None = None,
) -> tuple[InvoiceState, list[Change]]:
    """The state after the update and the changes that lead there; raise if any rule breaks.

    `paid` is what payments already cover: no line item update or delete may push expected
    below it, and the PAID rule is applied to the result in the same version.
    Operations that change nothing (an update to the same values, setting a tag to its value)
    record no change; an update without changes makes no new version.
    """
    ensure_allowed(state.status, update)
    paid = paid or {}
    changes: list[Change] = []
    blame: dict[MoneyKey, Path] = {}
    for index, operation in enumerate(update.operations):
        change = _apply_operation(
            state, operation, user_ids=user_ids, new_line_item_id=new_line_item_id
        )
        if change is None:
            continue
        if (blamed := _blame(index, change, state)) is not None:
            blame[blamed[0]] = blamed[1]
        state = apply_change(state, change)
        changes.append(change)
    new_tags = apply_tag_operations(state.tags, update.tags, path=("tags",), holder="an invoice")
    if new_tags != state.tags:
        changes.append(TagsChanged(old_tags=state.tags, new_tags=new_tags))
        state = replace(state, tags=new_tags)

    problems = total_problems(state.line_items, ("lineItems",))
    if len(state.line_items) > MAX_LINE_ITEMS:
        problems.append(
            FieldProblem(("lineItems",), f"an invoice holds at most {MAX_LINE_ITEMS} line items")
        )
    problems += line_item_problems(state, paid, blame)
    problems += _below_discount(state, update)
    if problems:
        raise BadRequest(problems)
    settled = settle(state, paid)
    if settled.status is not state.status:
        changes.append(StatusChanged(old=state.status, new=settled.status))
    return settled, changes


def raising_paths(
    update: ValidInvoiceUpdate, state: InvoiceState, *, user_ids: Mapping[UserRef, int]
) -> dict[MoneyKey, Path]:
    """For each user key, the first operation that may raise it (an add, or a new price):
    where a refusal of the user's total over all invoices points."""
    paths: dict[MoneyKey, Path] = {}
    for index, operation in enumerate(update.operations):
        if isinstance(operation, ValidAdd):
            spec = operation.spec
            key: MoneyKey = (user_ids[spec.user], spec.currency, spec.type)
            paths.setdefault(key, ("lineItems", str(index), "add", "price", "amount"))
        elif (
            isinstance(operation, ValidUpdate)
            and operation.price is not None
            and (item := state.line_item(operation.line_item_id)) is not None
        ):
            path = ("lineItems", str(index), "update", "price", "amount")
            paths.setdefault(line_item_key(item), path)
    return paths
