"""CPU time per request, measured in process: the figures the in-process benchmarks print."""

import statistics
import time
from collections.abc import Awaitable, Callable


async def cpu_ms_each(once: Callable[[], Awaitable[None]], repeat: int) -> list[float]:
    """The CPU milliseconds of `repeat` calls of `once`, sorted."""
    each = []
    for _ in range(repeat):
        started = time.process_time()
        await once()
        each.append((time.process_time() - started) * 1000)
    return sorted(each)


def summary(each: list[float]) -> str:
    """Median, p90 and mean of sorted figures."""
    return (
        f"median {statistics.median(each):.2f}, "
        f"p90 {each[int(len(each) * 0.9)]:.2f}, mean {statistics.fmean(each):.2f}"
    )
