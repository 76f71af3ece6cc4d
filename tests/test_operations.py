"""The example operations in playground/operations are valid against the served schema."""

from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from invoicegraph.schema import schema

OPERATIONS = sorted((Path(__file__).parents[1] / "playground" / "operations").glob("*.graphql"))


def test_there_are_example_operations() -> None:
    assert len(OPERATIONS) >= 5


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_each_example_operation_validates(path: Path) -> None:
    document = parse(path.read_text())
    assert validate(schema._schema, document) == []
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert operation.name is not None
    assert operation.name.value == path.stem
