"""Requirements declared once on a test: what ``/api`` must advertise for it to run.

``@requires_collection("keys")`` and ``@requires_feature("user_name")`` mark a test; the
plugin skips it, naming what the server did not advertise, when the requirement is not met.
Base collections cannot be required: they are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from deltacloud_conformance.documents import BASE_COLLECTIONS, EntryPoint


def requires_collection(name: str) -> pytest.MarkDecorator:
    """Run the test only when the entry point links ``name``."""
    if name in BASE_COLLECTIONS:
        raise ValueError(f"{name!r} is a base collection: its tests must never be skipped")
    return pytest.mark.dc_requires(collection=name)


def requires_feature(name: str) -> pytest.MarkDecorator:
    """Run the test only when the entry point advertises the feature ``name``."""
    return pytest.mark.dc_requires(feature=name)


def missing(entry: EntryPoint, collection: str | None = None, feature: str | None = None) -> str | None:
    """Why a requirement is not met, or None when it is."""
    if collection is not None and not entry.has(collection):
        return f"driver {entry.driver!r} does not advertise the collection {collection!r} at /api"
    if feature is not None and entry.feature(feature) is None:
        return f"driver {entry.driver!r} does not advertise the feature {feature!r} at /api"
    return None


def check_requirements(markers: Iterable[Any], entry: EntryPoint) -> None:
    """Skip the running test with the reason of the first unmet ``dc_requires`` marker."""
    for marker in markers:
        reason = missing(entry, marker.kwargs.get("collection"), marker.kwargs.get("feature"))
        if reason:
            pytest.skip(reason)


def skip_unless_allowed(allow_header: str | None, method: str, what: str) -> None:
    """Skip when an ``OPTIONS`` answer's ``Allow`` header lacks ``method`` (an optional operation)."""
    allowed = {m.strip().upper() for m in (allow_header or "").split(",") if m.strip()}
    if method.upper() not in allowed:
        pytest.skip(f"the server does not allow {method.upper()} on {what} (OPTIONS Allow: "
                    f"{', '.join(sorted(allowed)) or 'nothing'})")
