"""The one Accept parser, and the choices made with it."""

import pytest

from invoicegraph.http.media_types import (
    GRAPHQL_RESPONSE,
    MediaRange,
    parse_accept,
    prefers_graphql_response,
    quality,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_ranges_keep_their_order_lower_case_and_quality() -> None:
    assert parse_accept("Text/HTML, application/xml ; q=0.9,*/*;q=oops") == (
        MediaRange("text/html", 1.0),
        MediaRange("application/xml", 0.9),
        MediaRange("*/*", 0.0),
    )


@pytest.mark.parametrize(
    ("header", "names", "expected"),
    [
        (BROWSER, ("text/html",), 1.0),
        (BROWSER, ("application/json", GRAPHQL_RESPONSE), 0.0),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE};q=0.7", (GRAPHQL_RESPONSE,), 0.7),
        ("gzip, deflate, br", ("gzip",), 1.0),
        ("deflate, gzip;q=0", ("gzip",), 0.0),
        ("", ("gzip",), 0.0),
    ],
)
def test_quality_is_the_best_q_of_the_names_wildcards_ignored(
    header: str, names: tuple[str, ...], expected: float
) -> None:
    assert quality(header, names) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, True),
        (f"{GRAPHQL_RESPONSE}, application/json", True),
        (f"application/json, {GRAPHQL_RESPONSE}", False),
        # the order decides, not q (as the GraphQL-over-HTTP audit expects of this server)
        (f"application/json;q=0.1, {GRAPHQL_RESPONSE}", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
    ],
)
def test_graphql_response_is_preferred_when_listed_before_plain_json(
    accept: str, expected: bool
) -> None:
    assert prefers_graphql_response(accept) is expected
