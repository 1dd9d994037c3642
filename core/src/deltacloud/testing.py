"""Helpers for tests that need a driver installed as a real entry point, without a pip install.

``installed_entry_point`` writes a minimal ``.dist-info`` into a directory on ``sys.path``,
so stevedore and ``importlib.metadata`` find the driver exactly as they find a packaged one.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from stevedore import ExtensionManager

from deltacloud import loader

_DIST_COUNTER = [0]


def clear_caches() -> None:
    """Forget the drivers scanned and loaded so far (after entry points changed)."""
    loader.installed_drivers.cache_clear()
    loader.load.cache_clear()
    ExtensionManager.ENTRY_POINT_CACHE.clear()


@contextlib.contextmanager
def installed_entry_point(directory: Path, name: str, target: str,
                          group: str = loader.DRIVER_GROUP) -> Iterator[None]:
    """Make ``name = target`` an entry point of ``group`` while the block runs.

    ``directory`` must be writable; it is put on ``sys.path`` so ``target``'s module may live there too.
    """
    _DIST_COUNTER[0] += 1
    dist = Path(directory) / f"deltacloud_test_{name}_{_DIST_COUNTER[0]}-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: deltacloud-test-{name}\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{name} = {target}\n")
    sys.path.insert(0, str(directory))
    clear_caches()
    try:
        yield
    finally:
        sys.path.remove(str(directory))
        module = target.split(":")[0]
        sys.modules.pop(module, None)
        clear_caches()
