"""Creating an invoice: the command as given, its validation, and its idempotency fingerprint."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from invoicegraph.ledger.documents import (
    InvoiceDocument,
    document_problems,
    period_canonical,
    period_problems,
)
from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.errors import BadRequest, FieldProblem, Path
from invoicegraph.ledger.history import LineItemState, Period
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.prices import Price, PriceSpec, resolve_price
from invoicegraph.ledger.tags import Tag, tag_problems
from invoicegraph.ledger.totals import format_percent, parse_percent, tax_of

MAX_LINE_ITEMS = 500
KEY_MAX = 128
DESCRIPTION_MAX = 1000
PRODUCT_ID_MAX = 128


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user named by exactly one of our id or the caller's externalId."""

    id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class LineItemDraft:
    """A line item as the caller gave it."""

    description: str
    product_id: str
    type: FlowType
    user: UserRef
    currency: str
    price: PriceSpec
    tags: tuple[Tag, ...] = ()
    tax_percent: str | None = None
    """A percentage 0-100 with at most four decimals, e.g. "8.875"."""
    period: Period | None = None


@dataclass(frozen=True, slots=True)
class LineItemSpec:
    """A line item that passed validation: its price is complete."""

    description: str
    product_id: str
    type: FlowType
    user: UserRef
    currency: str
    price: Price
    tags: tuple[Tag, ...]
    tax_rate: int = 0
    period: Period | None = None

    @property
    def due(self) -> int:
        """What the line item will expect: its amount plus its tax (no discount yet)."""
        return self.price.amount + tax_of(self.price.amount, self.tax_rate)

    def placed(self, *, line_item_id: str, user_id: int) -> "LineItemState":
        """The line item as it stands on an invoice, once it has an id and its user a row."""
        return LineItemState(
            line_item_id=line_item_id,
            description=self.description,
            product_id=self.product_id,
            type=self.type,
            currency=self.currency,
            price=self.price,
            user_id=user_id,
            tags=self.tags,
            tax_rate=self.tax_rate,
            period=self.period,
        )


@dataclass(frozen=True, slots=True)
class CreateInvoice:
    invoice_id: str
    line_items: tuple[LineItemDraft, ...]
    tags: tuple[Tag, ...] = ()
    draft: bool = False
    document: InvoiceDocument = field(default_factory=InvoiceDocument)


@dataclass(frozen=True, slots=True)
class ValidInvoice:
    invoice_id: str
    line_items: tuple[LineItemSpec, ...]
    tags: tuple[Tag, ...]
    draft: bool
    document: InvoiceDocument = field(default_factory=InvoiceDocument)

    def fingerprint(self) -> str:
        """A digest of the request, so a replay can be told from a conflicting reuse of the key."""
        canonical = {
            "invoiceId": self.invoice_id,
            "draft": self.draft,
            "tags": [[tag.key, tag.value] for tag in self.tags],
            "lineItems": [
                {
                    "description": item.description,
                    "productId": item.product_id,
                    "type": item.type.value,
                    "user": [item.user.id, item.user.external_id],
                    "currency": item.currency,
                    "price": [
                        str(item.price.amount),
                        str(item.price.unit_price),
                        item.price.quantity,
                    ],
                    "tags": [[tag.key, tag.value] for tag in item.tags],
                    **_line_document(item),
                }
                for item in self.line_items
            ],
            **self.document.canonical(),
        }
        encoded = json.dumps(canonical, separators=(",", ":"), sort_keys=True)
        return hashlib.sha256(encoded.encode()).hexdigest()


def _line_document(item: LineItemSpec) -> dict[str, object]:
    """A line item's tax rate and period, when given (so older fingerprints stay the same)."""
    values: dict[str, object] = {}
    if item.tax_rate:
        values["taxPercent"] = format_percent(item.tax_rate)
    if item.period is not None:
        values["period"] = period_canonical(item.period)
    return values


def text_problems(text: str, path: Path, *, maximum: int) -> list[FieldProblem]:
    if 1 <= len(text) <= maximum:
        return []
    return [FieldProblem(path, f"must be 1-{maximum} characters")]


def user_ref_problems(user: UserRef, path: Path) -> list[FieldProblem]:
    if user.external_id is not None:
        return text_problems(user.external_id, (*path, "externalId"), maximum=KEY_MAX)
    return []


def validate_line_item(draft: LineItemDraft, path: Path) -> LineItemSpec | list[FieldProblem]:
    problems = [
        *text_problems(draft.description, (*path, "description"), maximum=DESCRIPTION_MAX),
        *text_problems(draft.product_id, (*path, "productId"), maximum=PRODUCT_ID_MAX),
        *user_ref_problems(draft.user, (*path, "user")),
        *tag_problems(draft.tags, (*path, "tags")),
    ]
    problems += period_problems(draft.period, (*path, "period"))
    tax_rate = 0 if draft.tax_percent is None else parse_percent(draft.tax_percent)
    if tax_rate is None:
        problems.append(
            FieldProblem(
                (*path, "taxPercent"), "must be a percentage 0-100 with at most 4 decimals"
            )
        )
    price = resolve_price(draft.price, (*path, "price"))
    if isinstance(price, list):
        problems.extend(price)
    if problems or isinstance(price, list) or tax_rate is None:
        return problems
    return LineItemSpec(
        description=draft.description,
        product_id=draft.product_id,
        type=draft.type,
        user=draft.user,
        currency=draft.currency,
        price=price,
        tags=draft.tags,
        tax_rate=tax_rate,
        period=draft.period,
    )


def validate_line_items(
    drafts: Sequence[LineItemDraft], path: Path
) -> tuple[list[LineItemSpec], list[FieldProblem]]:
    """Validate every line item, collecting all problems rather than stopping at the first."""
    specs: list[LineItemSpec] = []
    problems: list[FieldProblem] = []
    for index, draft in enumerate(drafts):
        result = validate_line_item(draft, (*path, str(index)))
        if isinstance(result, list):
            problems.extend(result)
        else:
            specs.append(result)
    return specs, problems


class PricedLine(Protocol):
    @property
    def currency(self) -> str: ...
    @property
    def type(self) -> FlowType: ...
    @property
    def due(self) -> int: ...


def total_problems(specs: Iterable[PricedLine], path: Path) -> list[FieldProblem]:
    """Every balance must itself be an Int96, so each (currency, type) total stays below 2^96."""
    totals: dict[tuple[str, FlowType], int] = {}
    for spec in specs:
        key = (spec.currency, spec.type)
        totals[key] = totals.get(key, 0) + spec.due
    return [
        FieldProblem(path, f"the {flow.value} amounts in {currency} must sum to below 2^96")
        for (currency, flow), total in totals.items()
        if total >= INT96_LIMIT
    ]


def validate_create(command: CreateInvoice) -> ValidInvoice:
    """Check every rule of the contract for a new invoice; raise BadRequest listing all problems."""
    problems = text_problems(command.invoice_id, ("invoiceId",), maximum=KEY_MAX)
    problems += tag_problems(command.tags, ("tags",))
    problems += document_problems(command.document)
    if len(command.line_items) > MAX_LINE_ITEMS:
        problems.append(
            FieldProblem(("lineItems",), f"an invoice holds at most {MAX_LINE_ITEMS} line items")
        )
    specs, item_problems = validate_line_items(command.line_items, ("lineItems",))
    problems += item_problems + total_problems(specs, ("lineItems",))
    if problems:
        raise BadRequest(problems)
    return ValidInvoice(
        invoice_id=command.invoice_id,
        line_items=tuple(specs),
        tags=command.tags,
        draft=command.draft,
        document=command.document,
    )
