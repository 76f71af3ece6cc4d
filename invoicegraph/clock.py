"""The current instant, to the millisecond: the precision the API shows.

Storing no finer than what clients see means a client can filter with a timestamp it was
given (`created: {after: X}`) and get exactly the rows after it.
"""

from datetime import UTC, datetime


def now() -> datetime:
    instant = datetime.now(UTC)
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)
