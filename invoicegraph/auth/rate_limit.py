"""How often /oauth2/token may be asked: per client id and per address, in a moving window.

Guessing a client's secret, or probing which client ids exist, takes many requests; legitimate
clients ask about once an hour, when their token expires. The counts live in each server
process (with `--workers N`, N times the limit in all), which is enough to make guessing
hopeless against 256-bit secrets, and never locks a client out for longer than the window.
"""

import math
import time

from limits import RateLimitItem, parse, storage, strategies

PER_CLIENT = "20/minute"
PER_ADDRESS = "60/minute"


class TokenRateLimit:
    def __init__(self, *, per_client: str = PER_CLIENT, per_address: str = PER_ADDRESS) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._per_client: RateLimitItem = parse(per_client)
        self._per_address: RateLimitItem = parse(per_address)

    def wait_seconds(self, *, client_id: str | None, address: str) -> int | None:
        """Count this request; None when it may go on, else the seconds until it may."""
        limits = [(self._per_address, f"address:{address}")]
        if client_id:
            limits.append((self._per_client, f"client:{client_id}"))
        for item, key in limits:
            if not self._limiter.hit(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None
