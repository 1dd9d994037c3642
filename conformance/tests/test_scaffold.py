"""``deltacloudd new-driver``: the generated package reports what is missing, and the guide's example passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deltacloud import cli
from deltacloud.testing import installed_entry_point

GUIDE = Path(__file__).parents[2] / "docs" / "writing-a-driver.md"


def _generate(tmp_path: Path, name: str = "mycloud") -> Path:
    package = tmp_path / f"deltacloud-driver-{name}"
    assert cli.main(["new-driver", name, "--directory", str(package)]) == 0
    return package


def _run_generated_tests(pytester: pytest.Pytester, package: Path, *args: str) -> pytest.RunResult:
    """Run the package's own tests directory, as ``pytest`` in the package would."""
    for name in ("conftest.py", "test_conformance.py"):
        (pytester.path / name).write_text((package / "tests" / name).read_text())
    with installed_entry_point(package / "src", "mycloud", "deltacloud_driver_mycloud:MycloudDriver"):
        return pytester.runpytest("-p", "no:cacheprovider", "-rfEs", *args)


def test_layout_and_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = _generate(tmp_path)
    files = sorted(str(p.relative_to(package)) for p in package.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/deltacloud_driver_mycloud/__init__.py",
                     "src/deltacloud_driver_mycloud/driver.py", "tests/conftest.py", "tests/test_conformance.py"]
    pyproject = (package / "pyproject.toml").read_text()
    entry_point = 'mycloud = "deltacloud_driver_mycloud:MycloudDriver"'
    assert f'[project.entry-points."deltacloud.drivers"]\n{entry_point}' in pyproject
    assert "from deltacloud_conformance.suite import *" in (package / "tests" / "test_conformance.py").read_text()
    assert "next: pip install -e" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["MyCloud", "my-cloud", "1cloud", "class"])
def test_bad_names_are_refused(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new-driver", name, "--directory", str(tmp_path / "x")]) == 2
    assert "driver name" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_existing_directory_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mine.txt").write_text("keep")
    assert cli.main(["new-driver", "mycloud", "--directory", str(tmp_path / "pkg")]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "pkg" / "mine.txt").read_text() == "keep"


def test_placeholders_fail_collection_by_collection(tmp_path: Path, pytester: pytest.Pytester) -> None:
    result = _run_generated_tests(pytester, _generate(tmp_path))
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) > 20 and outcomes.get("passed", 0) > 10, result.stdout.str()
    text = result.stdout.str()
    for method in ("realms", "hardware_profiles", "images", "instances"):
        assert f"TODO MycloudDriver.{method}(): " in text, method
    for cls in ("TestRealms", "TestHardwareProfiles", "TestImages", "TestInstanceListing"):
        result.stdout.fnmatch_lines([f"FAILED test_conformance.py::{cls}::test_list*"])
    # The closing summary names, per area, the first thing to write.
    result.stdout.fnmatch_lines(["*= deltacloud conformance by area =*", "* entry point *",
                                 "FAIL realms *", "* first: TODO MycloudDriver.realms(): return Realm(id, name)*"])
    assert "TestEntryPoint::test_links_every_base_collection" not in text


def _guide_example() -> str:
    text = GUIDE.read_text()
    match = re.search(r"<!-- example: driver.py -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the guide lost its complete example driver"
    return match.group(1)


def test_the_guides_example_passes_the_base_suite(tmp_path: Path, pytester: pytest.Pytester) -> None:
    package = _generate(tmp_path)
    (package / "src" / "deltacloud_driver_mycloud" / "driver.py").write_text(_guide_example())
    result = _run_generated_tests(pytester, package)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] > 80
    skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert all("does not advertise" in s or "lists no provider" in s for s in skips), skips
