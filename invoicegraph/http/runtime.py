"""Tuning of the serving process, applied by `invoicegraph serve` and its worker processes.

Not in `create_app`: the collector's settings belong to the process, and an app is also built
inside processes that only host it (the tests build hundreds, the benchmarks build their own);
building one must not change how such a process collects garbage.
"""

import gc

GC_THRESHOLD = (10_000, 10, 10)


def tune_gc() -> None:
    """Freeze what is alive and raise the collector's first threshold; call it once the app is
    built and before it serves (the objects alive then live as long as the process).

    Freezing moves the schema and the modules out of the collector's generations, which keeps
    full collections short: it measured p95 of a 50-invoice page from about 150 ms down to
    about 50 ms. A page of 100 invoices allocates some 20,000 objects that live until its
    response is sent; at the default threshold (700) the collector runs dozens of times per
    page and promotes them into older generations it then scans again. Measured in-process
    (bench/peers/profile.py, q100): mean CPU per request 21-24 ms at the default, 16-17.5 ms at
    (10000, 10, 10), 15-16 ms with the collector off.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
