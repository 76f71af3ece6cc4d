"""Fixtures of the GraphQL-level tests."""

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    """What the executor logs, caught at its own logger (the app's logging may not propagate)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("invoicegraph.execution")
    handler = Keep()
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
