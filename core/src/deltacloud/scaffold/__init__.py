"""``deltacloudd new-driver NAME``: lay out a separately packaged driver wired to the conformance kit.

The package has its entry point, a driver whose every method is a placeholder answering 501
with what to write, and tests that run the conformance suite against it.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from string import Template

from deltacloud.scaffold.templates import FILES

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be a driver name, or None when it can."""
    if not _NAME.match(name):
        return f"driver name {name!r} must be lower case letters, digits and '_', starting with a letter"
    if keyword.iskeyword(name):
        return f"driver name {name!r} is a Python keyword"
    return None


def substitutions(name: str) -> dict[str, str]:
    """The template values for driver ``name``."""
    camel = "".join(part.capitalize() for part in name.split("_") if part)
    return {
        "name": name,
        "package": f"deltacloud_driver_{name}",
        "distribution": f"deltacloud-driver-{name.replace('_', '-')}",
        "class_name": f"{camel}Driver",
        "title": camel,
        "env": name.upper(),
    }


def render(name: str) -> dict[str, str]:
    """Every generated file's relative path and text."""
    values = substitutions(name)
    return {Template(path).substitute(values): Template(text).substitute(values) for path, text in FILES.items()}


def create(name: str, directory: Path) -> list[Path]:
    """Write the package for ``name`` into ``directory`` (which must not exist or be empty); the files written."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} exists and is not empty")
    written = []
    for relative, text in render(name).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str]) -> int:
    """``deltacloudd new-driver NAME [--directory DIR]``; the exit code."""
    parser = argparse.ArgumentParser(
        prog="deltacloudd new-driver",
        description="Lay out a new driver package: entry point, placeholder driver, conformance tests.")
    parser.add_argument("name", help="the driver name clients will use (lower case, e.g. 'mycloud')")
    parser.add_argument("-d", "--directory", type=Path,
                        help="where to create the package (default ./deltacloud-driver-NAME)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    problem = check_name(args.name)
    if problem:
        print(f"deltacloudd new-driver: error: {problem}", file=sys.stderr)
        return 2
    directory = args.directory or Path(substitutions(args.name)["distribution"])
    try:
        written = create(args.name, directory)
    except (FileExistsError, OSError) as exc:
        print(f"deltacloudd new-driver: error: {exc}", file=sys.stderr)
        return 1
    print(f"created {directory}/ for driver '{args.name}':")
    for path in written:
        print(f"  {path.relative_to(directory)}")
    print(f"next: pip install -e '{directory}[test]' && pytest {directory}/tests")
    return 0
