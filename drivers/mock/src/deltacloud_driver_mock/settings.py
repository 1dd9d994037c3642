"""The mock driver's settings, read from the environment on every driver construction.

A driver is made per request, so what is derived from the environment's text (a path, a number) is
worked out once per distinct text and reused; a changed variable is read at the next construction.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import platformdirs

#: A directory holding the mock's database; the default is the user's data directory.
ENV_STORAGE = "DELTACLOUD_MOCK_STORAGE"
#: Seconds an automatic state transition (PENDING to RUNNING, STOPPING to STOPPED) takes.
ENV_DELAY = "DELTACLOUD_MOCK_DELAY"
#: The delay when ``DELTACLOUD_MOCK_DELAY`` is not set.
DEFAULT_DELAY = 2.0


def storage_directory() -> Path:
    """Where the mock keeps its database: ``$DELTACLOUD_MOCK_STORAGE`` or ``<user data dir>/deltacloud/mock``."""
    configured = os.environ.get(ENV_STORAGE)
    if configured:
        return _storage_directory(configured, None, None)
    return _storage_directory(None, os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=64)
def _storage_directory(configured: str | None, data_home: str | None, home: str | None) -> Path:
    """``storage_directory`` for these values of the variables it depends on."""
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("deltacloud")) / "mock"


def transition_delay() -> float:
    """The automatic transition delay in seconds; ``ValueError`` for a value that is not a number >= 0."""
    return _delay(os.environ.get(ENV_DELAY, ""))


@functools.lru_cache(maxsize=64)
def _delay(text: str) -> float:
    """``transition_delay`` for the variable's text (a refused text raises each time: errors are not kept)."""
    text = text.strip()
    if not text:
        return DEFAULT_DELAY
    try:
        delay = float(text)
    except ValueError:
        delay = math.nan
    if not math.isfinite(delay) or delay < 0:
        raise ValueError(f"{ENV_DELAY} must be a number of seconds >= 0, not {text!r}")
    return delay
