"""The core's layers: the import contract holds and every module imports alone in a fresh interpreter.

The contract (``[tool.importlinter]`` in the root pyproject.toml) is that a layer imports only
from the layers below it, that only the HTTP layer imports falcon, and that the driver SDK never
imports the server. A fresh interpreter per module finds import cycles that a warm one hides
(``from deltacloud.api.base import INSTANCES`` used to fail on a partially initialised module).
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import deltacloud

ROOT = Path(__file__).resolve().parents[2]
#: Modules that need an optional dependency of their own (installed in the test environment).
OPTIONAL = {"deltacloud.driver.toolkit.libcloud_errors": "libcloud"}


def every_module() -> list[str]:
    """Every module and package of the core."""
    names = ["deltacloud"]
    names += [info.name for info in pkgutil.walk_packages(deltacloud.__path__, "deltacloud.")]
    return sorted(names)


def test_the_layers_contract_holds():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout, result.stdout[-3000:]


def _import_alone(name: str) -> tuple[str, int, str]:
    result = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=60)
    return name, result.returncode, result.stderr[-1500:]


def test_every_module_imports_alone_in_a_fresh_interpreter():
    modules = every_module()
    assert {"deltacloud.driver.toolkit", "deltacloud.api.base", "deltacloud.http.app"} <= set(modules)
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [(name, err) for name, code, err in pool.map(_import_alone, modules) if code != 0]
    assert failures == [], failures


def test_the_old_cycle_is_gone():
    """A plugin author extending a collection imports the API description first, alone."""
    _, code, err = _import_alone("deltacloud.api.base; from deltacloud.api.base import INSTANCES; "
                                 "assert INSTANCES.name == 'instances'")
    assert code == 0, err


def test_importing_the_sdk_loads_no_server():
    code = ("import sys, deltacloud.driver, deltacloud.driver.toolkit, deltacloud.models; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('falcon', 'gunicorn', 'jinja2', 'stevedore') "
            "or m.startswith(('deltacloud.http', 'deltacloud.render', 'deltacloud.loader'))); "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-1500:]
