"""The client depends on no part of the server: nothing of it is imported, in code or at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import deltacloud_client

SOURCE = Path(deltacloud_client.__file__).parent
SERVER_PACKAGES = ("deltacloud", "deltacloud_driver_", "deltacloud_conformance")


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def is_server(module: str) -> bool:
    """Whether ``module`` belongs to the server, a driver or the conformance kit."""
    top = module.split(".")[0]
    return top == "deltacloud" or top.startswith(SERVER_PACKAGES[1:])


def test_no_source_file_imports_the_server() -> None:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        assert not [m for m in imported_modules(path) if is_server(m)], path


def test_nothing_of_the_server_is_loaded_at_run_time() -> None:
    code = ("import sys, deltacloud_client, deltacloud_client.cli.main, deltacloud_client.cli.commands; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'deltacloud' "
            "or m.startswith(('deltacloud_driver', 'deltacloud_conformance'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
