"""The pure update rules: the status table, tag edits, and changes that replay exactly."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicegraph.ledger.enums import FlowType, InvoiceStatus
from invoicegraph.ledger.errors import BadRequest, InvalidState, NotFound
from invoicegraph.ledger.history import Change, InvoiceState, apply_changes, tags_after
from invoicegraph.ledger.invoices import LineItemDraft, UserRef
from invoicegraph.ledger.prices import PriceSpec
from invoicegraph.ledger.tag_operations import TagOperations
from invoicegraph.ledger.tags import Tag
from invoicegraph.ledger.updates import (
    AddLineItem,
    DeleteLineItem,
    Operation,
    UpdateInvoice,
    UpdateLineItem,
    apply_update,
    validate_update,
)

USER = UserRef(external_id="u")


def draft(amount: int) -> LineItemDraft:
    return LineItemDraft(
        description="d",
        product_id="p",
        type=FlowType.PAYIN,
        user=USER,
        currency="USD",
        price=PriceSpec(amount=amount),
    )


def run(state: InvoiceState, command: UpdateInvoice) -> tuple[InvoiceState, list[Change]]:
    counter = itertools.count(1)
    new, changes = apply_update(
        state,
        validate_update(command),
        user_ids={USER: 7},
        new_line_item_id=lambda: f"li_{next(counter)}",
    )
    return new, changes


EMPTY_OPEN = InvoiceState(status=InvoiceStatus.OPEN, tags=(), line_items=())


@pytest.mark.parametrize("status", [InvoiceStatus.UNCOLLECTIBLE, InvoiceStatus.VOID])
def test_line_items_of_closed_invoices_cannot_change_but_tags_can(status: InvoiceStatus) -> None:
    state = InvoiceState(status=status, tags=(), line_items=())
    with pytest.raises(InvalidState) as refused:
        run(state, UpdateInvoice("inv", 1, operations=(AddLineItem(draft(1)),)))
    assert refused.value.status is status
    new, changes = run(state, UpdateInvoice("inv", 1, tags=TagOperations(set=(Tag("k", "v"),))))
    assert new.tags == (Tag("k", "v"),)
    assert len(changes) == 1


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.OPEN, InvoiceStatus.PAID])
def test_line_items_of_open_invoices_can_change(status: InvoiceStatus) -> None:
    state = InvoiceState(status=status, tags=(), line_items=())
    new, _ = run(state, UpdateInvoice("inv", 1, operations=(AddLineItem(draft(5)),)))
    assert [item.price.amount for item in new.line_items] == [5]


def test_an_operation_on_an_unknown_line_item_is_not_found() -> None:
    with pytest.raises(NotFound):
        run(EMPTY_OPEN, UpdateInvoice("inv", 1, operations=(DeleteLineItem("li_x"),)))


def test_an_item_added_in_the_same_update_cannot_be_named_yet() -> None:
    """Its id is made while applying, so the caller cannot know it: naming it is unknown."""
    ops = (AddLineItem(draft(1)), UpdateLineItem("li_1", description="x"))
    new, changes = run(EMPTY_OPEN, UpdateInvoice("inv", 1, operations=ops))
    assert new.line_items[0].description == "x"
    assert len(changes) == 2


def test_shape_problems_are_all_reported() -> None:
    command = UpdateInvoice(
        "inv",
        1,
        operations=(AddLineItem(draft(-1)), UpdateLineItem("li", price=PriceSpec(quantity=2))),
        tags=TagOperations(set=(Tag("k", "v"),), remove=("k",)),
    )
    with pytest.raises(BadRequest) as refused:
        validate_update(command)
    assert [p.path for p in refused.value.problems] == [
        ("lineItems", "0", "add", "price", "amount"),
        ("lineItems", "1", "update", "price", "unitPrice"),
        ("tags", "remove"),
    ]


keys = st.sampled_from(["a", "b", "c", "d"])
tag_lists = st.lists(st.builds(Tag, keys, st.sampled_from(["1", "2"])), unique_by=lambda t: t.key)


@given(tags=tag_lists, set_tags=tag_lists, remove=st.lists(keys))
def test_tags_after_sets_by_key_and_removes(
    tags: list[Tag], set_tags: list[Tag], remove: list[str]
) -> None:
    result = tags_after(tags, set_tags=set_tags, remove=remove)
    keys_out = [tag.key for tag in result]
    assert len(keys_out) == len(set(keys_out))
    assert not set(keys_out) & set(remove)
    wanted = {tag.key: tag.value for tag in tags} | {tag.key: tag.value for tag in set_tags}
    assert {tag.key: tag.value for tag in result} == {
        key: value for key, value in wanted.items() if key not in remove
    }
    kept_order = [tag.key for tag in tags if tag.key not in remove]
    assert keys_out[: len(kept_order)] == kept_order


operations: st.SearchStrategy[list[Operation]] = st.lists(
    st.one_of(
        st.builds(lambda a: AddLineItem(draft(a)), st.integers(0, 100)),
        st.builds(
            lambda n, a: UpdateLineItem(f"li_{n}", price=PriceSpec(amount=a)),
            st.integers(1, 4),
            st.integers(0, 100),
        ),
        st.builds(lambda n: DeleteLineItem(f"li_{n}"), st.integers(1, 4)),
    ),
    max_size=8,
)


@given(ops=operations, set_tags=tag_lists)
def test_the_changes_replay_to_the_new_state(ops: list[Operation], set_tags: list[Tag]) -> None:
    command = UpdateInvoice(
        "inv", 1, operations=tuple(ops), tags=TagOperations(set=tuple(set_tags))
    )
    try:
        new, changes = run(EMPTY_OPEN, command)
    except NotFound:
        return
    assert apply_changes(EMPTY_OPEN, changes) == new
