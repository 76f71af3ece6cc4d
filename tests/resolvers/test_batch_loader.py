"""The request's loaders: one batch per tick, each key loaded once, failures to every waiter."""

import asyncio
from collections.abc import Sequence

import pytest

from invoicegraph.resolvers.batch_loader import BatchLoader


class Recorded:
    """A batch function that answers key * 10 and notes every batch it was asked."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, keys: Sequence[int]) -> list[int]:
        self.batches.append(list(keys))
        await self.release.wait()
        return [key * 10 for key in keys]


async def test_keys_asked_in_one_tick_go_in_one_batch_each_once() -> None:
    batch = Recorded()
    loader = BatchLoader(batch)
    first, second, third = await asyncio.gather(
        loader.load_many([1, 2, 2]), loader.load(3), loader.load_many([2, 4])
    )
    assert (first, second, third) == ([10, 20, 20], 30, [20, 40])
    assert batch.batches == [[1, 2, 3, 4]]
    # and keys loaded before are answered without a batch
    assert await loader.load_many([4, 1]) == [40, 10]
    assert batch.batches == [[1, 2, 3, 4]]


async def test_a_key_whose_batch_is_in_flight_waits_for_it_rather_than_loading_again() -> None:
    batch = Recorded()
    batch.release.clear()
    loader = BatchLoader(batch)
    early = asyncio.create_task(loader.load_many([1, 2]))
    await asyncio.sleep(0)  # the first batch is dispatched and waits
    await asyncio.sleep(0)
    late = asyncio.create_task(loader.load_many([2, 3]))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    batch.release.set()
    assert await early == [10, 20]
    assert await late == [20, 30]
    assert batch.batches == [[1, 2], [3]]


async def test_a_failed_batch_fails_every_waiter_and_is_asked_again_later() -> None:
    calls = 0

    async def failing(keys: Sequence[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return list(keys)

    loader = BatchLoader(failing)
    results = await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)
    assert [type(result) for result in results] == [RuntimeError, RuntimeError]
    assert await loader.load_many([1, 2]) == [1, 2]


async def test_a_batch_answering_the_wrong_number_of_values_is_an_error() -> None:
    async def short(keys: Sequence[int]) -> list[int]:
        return list(keys)[1:]

    with pytest.raises(ValueError, match="2 keys answered 1 values"):
        await BatchLoader(short).load_many([1, 2])


async def test_a_cancelled_caller_leaves_the_batch_to_the_others() -> None:
    batch = Recorded()
    batch.release.clear()
    loader = BatchLoader(batch)
    cancelled = asyncio.create_task(loader.load(1))
    kept = asyncio.create_task(loader.load(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    batch.release.set()
    assert await kept == 10
    with pytest.raises(asyncio.CancelledError):
        await cancelled


async def test_a_batch_whose_callers_all_left_is_cancelled_and_loaded_again_later() -> None:
    batch = Recorded()
    batch.release.clear()
    loader = BatchLoader(batch)
    caller = asyncio.create_task(loader.load(1))
    for _ in range(3):
        await asyncio.sleep(0)
    assert batch.batches == [[1]]  # running, waiting for the database
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    batch.release.set()
    assert await loader.load(1) == 10
    assert batch.batches == [[1], [1]]
