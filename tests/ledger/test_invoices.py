"""Creating an invoice: validation that lists every problem, and the idempotency fingerprint."""

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.enums import FlowType
from invoicegraph.ledger.errors import BadRequest, Path
from invoicegraph.ledger.invoices import (
    CreateInvoice,
    LineItemDraft,
    UserRef,
    ValidInvoice,
    validate_create,
)
from invoicegraph.ledger.money import INT96_LIMIT
from invoicegraph.ledger.prices import Price, PriceSpec
from invoicegraph.ledger.tags import Tag


def draft(**changes: Any) -> LineItemDraft:
    base = LineItemDraft(
        description="Professional services for January 2026",
        product_id="prod_1234567890",
        type=FlowType.PAYOUT,
        user=UserRef(external_id="user_abc123"),
        currency="USD",
        price=PriceSpec(amount=1000),
    )
    return replace(base, **changes)


def command(*items: LineItemDraft, **changes: Any) -> CreateInvoice:
    base = CreateInvoice(
        invoice_id="invoice_2024_001",
        line_items=items or (draft(),),
        tags=(Tag("region", "us-east"),),
    )
    return replace(base, **changes)


def problem_paths(bad: CreateInvoice) -> list[Path]:
    with pytest.raises(BadRequest) as raised:
        validate_create(bad)
    return [problem.path for problem in raised.value.problems]


def test_the_seed_example_is_valid_and_its_price_completed() -> None:
    # when
    valid = validate_create(command())
    # then
    assert valid.invoice_id == "invoice_2024_001"
    assert valid.draft is False
    assert valid.tags == (Tag("region", "us-east"),)
    [item] = valid.line_items
    assert item.price == Price(amount=1000, unit_price=1000, quantity=1)
    assert item.user == UserRef(external_id="user_abc123")
    assert item.type is FlowType.PAYOUT


def test_an_invoice_without_line_items_is_valid() -> None:
    assert validate_create(command(line_items=())).line_items == ()


def test_every_problem_is_reported_at_once_with_its_input_path() -> None:
    # given: something wrong at every level
    bad = command(
        draft(description="", tags=(Tag("k", "1"), Tag("k", "2"))),
        draft(),
        draft(
            product_id="p" * 129,
            user=UserRef(external_id="u" * 129),
            price=PriceSpec(amount=-1, quantity=0),
        ),
        draft(price=PriceSpec(amount=5, unit_price=2, quantity=3)),
        invoice_id="",
        tags=(Tag("a/b", ""),),
    )
    # when
    with pytest.raises(BadRequest) as raised:
        validate_create(bad)
    # then
    found = [problem.path for problem in raised.value.problems]
    assert sorted(found) == sorted(
        [
            ("invoiceId",),
            ("tags", "0", "key"),
            ("tags", "0", "value"),
            ("lineItems", "0", "description"),
            ("lineItems", "0", "tags", "1", "key"),
            ("lineItems", "2", "productId"),
            ("lineItems", "2", "user", "externalId"),
            ("lineItems", "2", "price", "amount"),
            ("lineItems", "2", "price", "quantity"),
            ("lineItems", "3", "price", "amount"),
        ]
    )
    assert raised.value.message == "The input has 10 problems."


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"invoice_id": ""}, ("invoiceId",)),
        ({"invoice_id": "i" * 129}, ("invoiceId",)),
        ({"tags": (Tag("", "v"),)}, ("tags", "0", "key")),
        (
            {"line_items": (draft(), draft(description="d" * 1001))},
            ("lineItems", "1", "description"),
        ),
        ({"line_items": (draft(product_id=""),)}, ("lineItems", "0", "productId")),
        (
            {"line_items": (draft(user=UserRef(external_id="")),)},
            ("lineItems", "0", "user", "externalId"),
        ),
        ({"line_items": (draft(price=PriceSpec()),)}, ("lineItems", "0", "price")),
        (
            {"line_items": (draft(price=PriceSpec(unit_price=3)),)},
            ("lineItems", "0", "price", "quantity"),
        ),
        (
            {"line_items": (draft(tags=(Tag("k", "#"),)),)},
            ("lineItems", "0", "tags", "0", "value"),
        ),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, Any], path: Path) -> None:
    assert problem_paths(command(**changes)) == [path]


def test_limits_at_their_edge_are_valid() -> None:
    valid = validate_create(
        command(
            *[draft(description="d" * 1000, product_id="p" * 128)] * 500,
            invoice_id="i" * 128,
        )
    )
    assert len(valid.line_items) == 500


def test_more_than_500_line_items_is_a_problem_at_line_items() -> None:
    assert problem_paths(command(*[draft()] * 501)) == [("lineItems",)]


def test_totals_per_currency_and_type_must_stay_below_two_to_the_96() -> None:
    # given: two amounts that are each fine but sum to 2^96
    half = INT96_LIMIT // 2
    over = [draft(price=PriceSpec(amount=half)), draft(price=PriceSpec(amount=half))]
    # then
    assert problem_paths(command(*over)) == [("lineItems",)]
    # and the same amounts split over currencies or types are fine
    validate_create(command(over[0], replace(over[1], currency="EUR")))
    validate_create(command(over[0], replace(over[1], type=FlowType.PAYIN)))
    validate_create(command(over[0], draft(price=PriceSpec(amount=half - 1))))


def test_a_user_named_by_id_is_not_length_checked_here() -> None:
    # An unknown id is the store's BadRequest; the ledger only checks externalIds.
    validate_create(command(draft(user=UserRef(id="usr_" + "x" * 200))))


def fingerprint(given_command: CreateInvoice) -> str:
    return validate_create(given_command).fingerprint()


def test_equal_inputs_have_equal_fingerprints() -> None:
    assert fingerprint(command()) == fingerprint(command())
    assert len(fingerprint(command())) == 64


@pytest.mark.parametrize(
    "price",
    [
        PriceSpec(unit_price=1000, quantity=1),
        PriceSpec(amount=1000, unit_price=1000, quantity=1),
    ],
)
def test_prices_that_resolve_the_same_have_the_same_fingerprint(price: PriceSpec) -> None:
    assert fingerprint(command(draft(price=price))) == fingerprint(
        command(draft(price=PriceSpec(amount=1000)))
    )


@pytest.mark.parametrize(
    "changed",
    [
        command(invoice_id="invoice_2024_002"),
        command(draft=True),
        command(tags=()),
        command(tags=(Tag("region", "us-west"),)),
        command(tags=(Tag("zone", "us-east"),)),
        command(tags=(Tag("region", "us-east"), Tag("team", "a"))),
        command(line_items=()),
        command(draft(), draft()),
        command(draft(description="Other services")),
        command(draft(product_id="prod_2")),
        command(draft(type=FlowType.PAYIN)),
        command(draft(user=UserRef(external_id="user_other"))),
        command(draft(user=UserRef(id="user_abc123"))),
        command(draft(currency="EUR")),
        command(draft(price=PriceSpec(amount=1001))),
        command(draft(price=PriceSpec(unit_price=500, quantity=2))),
        command(draft(tags=(Tag("k", "v"),))),
    ],
)
def test_any_difference_changes_the_fingerprint(changed: CreateInvoice) -> None:
    assert fingerprint(changed) != fingerprint(command())


def test_swapped_values_do_not_collide() -> None:
    # Field boundaries are part of the digest: moving text between fields is a difference.
    a = command(draft(description="ab", product_id="c"))
    b = command(draft(description="a", product_id="bc"))
    assert fingerprint(a) != fingerprint(b)


short_texts = st.text(alphabet="ab", min_size=1, max_size=2)


@st.composite
def valid_prices(draw: st.DrawFn) -> PriceSpec:
    """Every valid way to give a price, over few values, so that equal prices come up often."""
    unit_price = draw(st.integers(min_value=0, max_value=2))
    quantity = draw(st.integers(min_value=1, max_value=2))
    product = unit_price * quantity
    return draw(
        st.sampled_from(
            [
                PriceSpec(unit_price=unit_price, quantity=quantity),
                PriceSpec(amount=product, unit_price=unit_price, quantity=quantity),
                PriceSpec(amount=product),
            ]
        )
    )


tag_lists = st.lists(st.builds(Tag, key=st.sampled_from("kl"), value=short_texts), max_size=2).map(
    lambda tags: tuple({tag.key: tag for tag in tags}.values())
)
users = st.builds(UserRef, id=short_texts) | st.builds(UserRef, external_id=short_texts)
line_item_drafts = st.builds(
    LineItemDraft,
    description=short_texts,
    product_id=short_texts,
    type=st.sampled_from(FlowType),
    user=users,
    currency=st.sampled_from(["USD", "EUR"]),
    price=valid_prices(),
    tags=tag_lists,
)
commands = st.builds(
    CreateInvoice,
    invoice_id=short_texts,
    line_items=st.lists(line_item_drafts, max_size=2).map(tuple),
    tags=tag_lists,
    draft=st.booleans(),
)


@given(commands, commands)
def test_fingerprints_are_equal_exactly_when_the_validated_invoices_are(
    a: CreateInvoice, b: CreateInvoice
) -> None:
    # when
    valid_a: ValidInvoice = validate_create(a)
    valid_b: ValidInvoice = validate_create(b)
    # then
    assert (valid_a.fingerprint() == valid_b.fingerprint()) == (valid_a == valid_b)
    assert valid_a.fingerprint() == validate_create(a).fingerprint()


@given(commands)
def test_a_valid_command_validates_to_itself_with_complete_prices(
    given_command: CreateInvoice,
) -> None:
    valid = validate_create(given_command)
    assert valid.invoice_id == given_command.invoice_id
    assert valid.tags == given_command.tags
    assert valid.draft == given_command.draft
    assert len(valid.line_items) == len(given_command.line_items)
    for item, original in zip(valid.line_items, given_command.line_items, strict=True):
        assert item.price.amount == item.price.unit_price * item.price.quantity
        assert (item.description, item.product_id, item.user, item.currency, item.tags) == (
            original.description,
            original.product_id,
            original.user,
            original.currency,
            original.tags,
        )


@st.composite
def restated(draw: st.DrawFn, original: CreateInvoice) -> CreateInvoice:
    """The same command with every price given in another of its valid forms."""

    def restate(item: LineItemDraft) -> LineItemDraft:
        price = validate_create(replace(original, line_items=(item,))).line_items[0].price
        forms = [PriceSpec(unit_price=price.unit_price, quantity=price.quantity)]
        forms.append(PriceSpec(price.amount, price.unit_price, price.quantity))
        if price.quantity == 1:
            forms.append(PriceSpec(amount=price.amount))
        return replace(item, price=draw(st.sampled_from(forms)))

    return replace(original, line_items=tuple(restate(item) for item in original.line_items))


@given(st.data(), commands)
def test_restating_prices_keeps_the_fingerprint(
    data: st.DataObject, original: CreateInvoice
) -> None:
    other = data.draw(restated(original))
    assert fingerprint(other) == fingerprint(original)
