"""Documents are parsed once per distinct text, and a cached parse answers exactly as a fresh
one: the same codes for texts that do not parse, the same refusal of NUL in string literals."""

import pytest

from invoicegraph.schema.parse_cache import _parsed
from invoicegraph.store.engine import Database
from tests.support import Api, count_statements

LOOKUP = '{ invoice(invoice: {invoiceId: "%s"}) { id } }'


async def test_a_text_sent_again_is_not_parsed_again(api: Api) -> None:
    # totals: a field SQL reads (PostgreSQL) leave to the standard path, which parses
    document = '{ invoice(invoice: {invoiceId: "parse-once"}) { id totals { currency } } }'
    await api.ok(document)
    before = _parsed.cache_info()
    await api.ok(document)
    after = _parsed.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ invoice(", "GRAPHQL_PARSE_FAILED"),
        ("{ " + "workspace { id } " * 1300 + "}", "QUERY_TOO_COMPLEX"),  # over 5,000 tokens
    ],
    ids=["syntax", "tokens"],
)
async def test_a_text_that_does_not_parse_gets_its_code_every_time(
    api: Api, document: str, code: str
) -> None:
    for _ in range(3):
        result = await api.query(document)
        assert result.data is None
        assert result.codes == [code], result.errors


@pytest.mark.parametrize(
    "literal",
    ["nul\\u0000inside", "nul\\u{0}inside", "nul\\u{000000}inside"],
    ids=["escaped", "braced", "braced-long"],
)
async def test_nul_written_in_a_string_literal_is_refused_every_time(
    api: Api, app_db: Database, literal: str
) -> None:
    for _ in range(2):
        with count_statements(app_db) as seen:
            result = await api.query(LOOKUP % literal)
        assert result.data is None
        assert result.codes == ["BAD_USER_INPUT"], result.errors
        assert not any("FROM invoices" in statement for statement in seen.statements)


async def test_a_raw_nul_in_the_text_is_refused(api: Api) -> None:
    result = await api.query(LOOKUP % "nul\x00inside")
    assert result.codes == ["BAD_USER_INPUT"], result.errors


@pytest.mark.parametrize("literal", ["\\u0041", "\\u{41}", "\\\\u0000 is text"])
async def test_other_escapes_are_answered(api: Api, literal: str) -> None:
    assert await api.ok(LOOKUP % literal) == {"invoice": None}
