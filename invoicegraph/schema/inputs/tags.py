"""TagsUpdate: tag operations by key (FRAGMENT's create, update, set, delete; our remove), the
one input every tagged object is updated with."""

import strawberry

from invoicegraph.ledger.tag_operations import TagOperations
from invoicegraph.schema.arguments import given
from invoicegraph.schema.inputs.references import TagInput, to_tags


@strawberry.input(description="A tag named by its key.")
class TagKeyInput:
    key: str


@strawberry.input(
    name="TagsUpdate",
    description=(
        "Tag operations by key, all or nothing; a key may appear in one operation only. "
        "delete (or remove) of a key that is not there changes nothing and is no error."
    ),
)
class UpdateTagsInput:
    set: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Create or overwrite by key."
    )
    remove: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Remove by key (as delete)."
    )
    create: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="New keys only: an existing key is refused."
    )
    update: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Existing keys only: a missing key is refused."
    )
    delete: list[TagKeyInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Remove by key (FRAGMENT's name)."
    )

    def to_operations(self) -> TagOperations:
        return TagOperations(
            set=to_tags(self.set),
            create=to_tags(self.create),
            update=to_tags(self.update),
            delete=tuple(tag.key for tag in given(self.delete) or ()),
            remove=tuple(given(self.remove) or ()),
        )
