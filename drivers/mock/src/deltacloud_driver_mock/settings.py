"""The mock driver's settings, read from the environment on every driver construction."""

from __future__ import annotations

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
        return Path(configured)
    return Path(platformdirs.user_data_dir("deltacloud")) / "mock"


def transition_delay() -> float:
    """The automatic transition delay in seconds; ``ValueError`` for a value that is not a number >= 0."""
    text = os.environ.get(ENV_DELAY, "").strip()
    if not text:
        return DEFAULT_DELAY
    try:
        delay = float(text)
    except ValueError:
        delay = math.nan
    if not math.isfinite(delay) or delay < 0:
        raise ValueError(f"{ENV_DELAY} must be a number of seconds >= 0, not {text!r}")
    return delay
