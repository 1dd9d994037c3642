"""The garbage collector in a serving worker: full collections ten times rarer than Python's default.

CPython collects its oldest generation once ten collections of the middle one have run (and only
when what reached the oldest since its last collection is a quarter of what it held then). A worker
building a large listing from a list (what most drivers return) holds every model of it until the
answer is written, a handful of tracked objects per instance: with the default, a listing of
10,000 instances went through a full collection of the whole process on most requests, one of the
few costs per instance that grew with the listing's size. (A lazy listing, ``http.calls``, holds
only a batch at a time.) ``tune_collector`` raises that count to ``FULL_EVERY``; the young generations
keep Python's thresholds, so short-lived garbage is found as before, and reference counting frees
everything that holds no cycle at once, whatever the thresholds. ``deltacloud.guard.GuardedWorker``
calls it as each worker starts; ``bench/overhead.py`` builds its in-process app the same way.
"""

from __future__ import annotations

import gc

#: Collections of the middle generation between two full collections (Python's default: 10).
FULL_EVERY = 100


def tune_collector() -> None:
    """Set this process's full-collection threshold to ``FULL_EVERY``, the other two left as they are."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
