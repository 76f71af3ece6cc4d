"""The served schema: exported to schema.graphql, and a compatible superset of the contract."""

from pathlib import Path

import pytest
from graphql import build_schema, find_breaking_changes

from invoicegraph.schema import schema

ROOT = Path(__file__).parents[2]
CONTRACT = ROOT / "contract" / "schema.graphql"
"""The contract, kept in the repository so that any clone can run this test."""
UPSTREAM = ROOT.parent / "shared" / "contract"
"""Where the contract is maintained, beside the checkout in the team's own setup."""

# Contract parts that later issues add. Each issue deleted its lines; it has ended empty, and
# the test below keeps it so: the served schema now breaks nothing in the contract.
NOT_YET_SERVED: set[str] = set()


def served_sdl() -> str:
    return schema.as_str() + "\n"


def test_schema_graphql_is_the_exported_sdl() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == served_sdl(), "schema.graphql is stale: run `make schema`"


def test_served_schema_keeps_the_contract_except_what_later_issues_add() -> None:
    contract = build_schema(CONTRACT.read_text())
    served = build_schema(served_sdl())
    breaking = {change.description for change in find_breaking_changes(contract, served)}
    assert breaking - NOT_YET_SERVED == set(), "the served schema breaks the contract"
    assert NOT_YET_SERVED - breaking == set(), "served now: delete these from NOT_YET_SERVED"


@pytest.mark.skipif(not UPSTREAM.is_dir(), reason="no upstream contract beside this checkout")
def test_the_kept_contract_is_the_upstream_one() -> None:
    for name in ("schema.graphql", "README.md"):
        kept = (CONTRACT.parent / name).read_text()
        assert kept == (UPSTREAM / name).read_text(), f"contract/{name} is stale: copy it again"
