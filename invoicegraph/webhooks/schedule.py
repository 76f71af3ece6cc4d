"""When a failed delivery is tried again: exponential backoff with jitter, for a window.

The n-th failure waits between half and all of base * 2^(n-1) ("equal jitter"), capped at
a ninth of the window: below the cap no pause is shorter than the one before, and retries of
many deliveries that failed together spread out instead of arriving together again. With
the defaults (30 s, 3 days, so a cap of 8 hours) a delivery gets 19 to 28 attempts. A
delivery still failing when the window since its creation (or resend) has passed is given
up; an endpoint whose every attempt failed for a whole window is disabled.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    base_seconds: float
    window_seconds: float

    def pause(self, failures: int, *, draw: Callable[[], float] = random.random) -> timedelta:
        """The pause after the `failures`-th failed attempt (1 for the first)."""
        ceiling = min(self.base_seconds * 2 ** (failures - 1), self.window_seconds / 9)
        return timedelta(seconds=ceiling / 2 + ceiling / 2 * draw())

    def gives_up(self, since: datetime, now: datetime) -> bool:
        """Whether what has failed since `since` has failed for the whole window."""
        return (now - since).total_seconds() >= self.window_seconds
