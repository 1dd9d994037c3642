"""Calling a driver: its errors translated, its time counted, and a lazy listing iterated as it is rendered.

Every operation reaches its driver through ``call_driver``. A backend's exception leaves it as a
core error (the driver's ``translate_error``, then the plugins' ``deltacloud_translate_error``
hook); the time spent in the driver is added to the request's ``backend_seconds``.

An index method may return any iterable (``deltacloud.driver.Driver``'s signatures say
``Iterable``). A list comes back as a list. A lazy one (a generator, say, decoding each object
only when asked for it) can be taken as it is by the caller that renders it (``lazy=True``): it is
then read ``BATCH`` objects at a time, each batch with the same translation of errors and the same
counting of time as the call itself, and written before the next is read. So the models of a large
listing are never all alive at once, and each batch is written while what it was made from is
still in the processor's caches: the time per object stays flat from 100 to 10,000 objects
(``bench/scaling.py``). Other callers, and listings the core filters itself, get a list.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

from deltacloud import plugins
from deltacloud.api.spec import Operation
from deltacloud.driver import Driver
from deltacloud.errors import DeltacloudError
from deltacloud.http.context import RequestState

#: Filters the core applies to every listing, whatever the driver did with them.
GENERIC_FILTERS = ("id", "state", "architecture", "realm_id")
#: How many objects of a lazy listing are read before they are written.
BATCH = 128


def call_driver(driver: Driver, op: Operation, id: str | None, values: dict[str, Any], state: RequestState,
                lazy: bool = False) -> Any:
    """The driver's answer to ``op``; a listing is a list, or with ``lazy`` perhaps a ``LazyListing``."""
    with _DriverCall(driver, state):
        if op.invoke is not None:
            return op.invoke(driver, id, values)
        method = getattr(driver, op.driver_method)
        if op.kind == "index":
            filters = {k: str(v) for k, v in values.items() if not isinstance(v, bytes | tuple)}
            listed = method(filters)
            if not values.keys().isdisjoint(GENERIC_FILTERS):
                return [item for item in listed if _matches(item, values)]
            if lazy and not isinstance(listed, list | tuple):
                return LazyListing(_batches(driver, iter(listed), state))
            return list(listed)
        if op.kind in ("show", "destroy"):
            return method(id)
        if op.kind == "create":
            return method(**values)
        return method(id, **values)


class LazyListing:
    """A driver's listing not read yet: iterate it once, as it is rendered (``render.document.list_parts``)."""

    def __init__(self, objects: Iterator[Any]) -> None:
        self._objects = objects

    def __iter__(self) -> Iterator[Any]:
        return self._objects


def _batches(driver: Driver, listed: Iterator[Any], state: RequestState) -> Iterator[Any]:
    """The objects of ``listed``, read ``BATCH`` at a time, each read as ``call_driver`` calls the driver."""
    while True:
        with _DriverCall(driver, state):
            batch = list(itertools.islice(listed, BATCH))
        if not batch:
            return
        yield from batch


class _DriverCall:
    """A block calling the driver: its time added to the request's backend time, its exceptions translated.

    A core error passes unchanged; any other exception leaves as the driver's ``translate_error``
    makes it, else the plugins' ``deltacloud_translate_error`` hook, else as it is (the original
    is the translated error's ``__cause__``). A class, not ``errors.translated``: it is on every
    request's path, and costs a fifth of a generator-made context manager.
    """

    __slots__ = ("_driver", "_started", "_state")

    def __init__(self, driver: Driver, state: RequestState) -> None:
        self._driver, self._state = driver, state

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> bool:
        self._state.backend_seconds += time.perf_counter() - self._started
        if isinstance(error, Exception) and not isinstance(error, DeltacloudError):
            translated = (type(self._driver).translate_error(error)
                          or plugins.translate_error(error, self._state.driver_name))
            if translated is not None:
                raise translated from error
        return False


def _matches(item: Any, filters: dict[str, Any]) -> bool:
    for key in GENERIC_FILTERS:
        if key in filters and hasattr(item, key):
            wanted, actual = str(filters[key]), str(getattr(item, key))
            if (actual.lower() != wanted.lower()) if key == "state" else (actual != wanted):
                return False
    return True


def is_listing(result: Any) -> bool:
    """Whether ``result`` is what ``call_driver`` returns for a listing (a list, or a ``LazyListing``)."""
    return isinstance(result, list | LazyListing)
