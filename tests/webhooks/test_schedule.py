"""The retry schedule: pauses double (jittered) up to a cap, and the window ends retries."""

from datetime import UTC, datetime, timedelta

from invoicegraph.webhooks.schedule import RetrySchedule

DEFAULT = RetrySchedule(base_seconds=30, window_seconds=3 * 24 * 3600)


def test_pauses_double_within_half_to_all_of_their_ceiling() -> None:
    low = [DEFAULT.pause(n, draw=lambda: 0.0).total_seconds() for n in range(1, 6)]
    high = [DEFAULT.pause(n, draw=lambda: 1.0).total_seconds() for n in range(1, 6)]
    assert low == [15, 30, 60, 120, 240]
    assert high == [30, 60, 120, 240, 480]
    # the longest n-th pause is never longer than the shortest (n+1)-th: no pause shrinks
    assert all(high[n] <= low[n + 1] for n in range(4))


def test_the_pause_is_capped_at_a_ninth_of_the_window() -> None:
    assert DEFAULT.pause(40, draw=lambda: 1.0) == timedelta(hours=8)


def test_attempts_over_three_days_with_the_defaults() -> None:
    """Counted, not slept: the schedule's attempts within the window, at both jitter ends."""

    def attempts(draw: float) -> int:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        at, made = start, 0
        while True:  # as the deliverer does: attempt, fail, give up or pause
            made += 1
            if DEFAULT.gives_up(start, at):
                return made
            at += DEFAULT.pause(made, draw=lambda: draw)

    assert (attempts(1.0), attempts(0.0)) == (19, 28)


def test_the_window_gives_up() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not DEFAULT.gives_up(start, start + timedelta(days=3) - timedelta(seconds=1))
    assert DEFAULT.gives_up(start, start + timedelta(days=3))
