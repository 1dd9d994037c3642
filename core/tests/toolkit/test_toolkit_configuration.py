"""Driver configuration through a real ``deltacloudd``: ``--driver-option`` and ``--config`` reach the driver once.

The tiny driver is an installed entry point of the server's interpreter; its ``configure`` notes
every call in the journal file an option names, lists the ``known`` option as a provider and
checks that ``strict`` is a boolean (``DriverSettings.flag``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from deltacloud.testing import free_port, server_environment

pytestmark = pytest.mark.slow

JSON = {"Accept": "application/json"}
TIMEOUT = 30


def journal(path: Path) -> list[dict]:
    """The ``configure`` calls the tiny driver noted."""
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def exercise(url: str, cloud, auth: tuple[str, str]) -> None:
    """A few requests, among them one trusting the ``known`` provider."""
    for _ in range(3):
        assert requests.get(f"{url}/realms", auth=auth, headers=JSON, timeout=TIMEOUT).status_code == 200
    response = requests.get(f"{url};provider={cloud.hostport}/images", auth=auth, headers=JSON, timeout=TIMEOUT)
    assert response.status_code == 200, response.text  # the known provider is trusted, though loopback


def test_driver_options_reach_the_driver_once_at_load(start_server, cloud, alice, tmp_path) -> None:
    notes = tmp_path / "journal.jsonl"
    server = start_server("-P", cloud.url, "--driver-option", f"tiny.journal={notes}",
                          "--driver-option", f"tiny.known={cloud.hostport}", "--driver-option", "tiny.strict=yes")
    exercise(server.url, cloud, alice)
    driver = requests.get(f"{server.url}/drivers/tiny", headers=JSON, timeout=TIMEOUT).json()
    assert cloud.hostport in json.dumps(driver)  # providers_known, set from the option
    calls = journal(notes)
    assert [call["options"] for call in calls] == [{"journal": str(notes), "known": cloud.hostport, "strict": "yes"}]


def test_a_config_file_reaches_the_driver_and_flags_win(start_server, cloud, alice, tmp_path) -> None:
    notes = tmp_path / "journal.jsonl"
    config = tmp_path / "deltacloud.toml"
    config.write_text(f'[backend]\ntimeout = 7\nconnect_timeout = 2\n\n[drivers.tiny]\njournal = "{notes}"\n'
                      f'known = "{cloud.hostport}"\nstrict = true\ncolour = "blue"\n')
    server = start_server("-P", cloud.url, "--config", str(config), "--driver-option", "tiny.colour=green")
    exercise(server.url, cloud, alice)
    calls = journal(notes)
    assert [call["options"] for call in calls] == [
        {"journal": str(notes), "known": cloud.hostport, "strict": "true", "colour": "green"}]


def run_deltacloudd(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``deltacloudd -i tiny ARGS`` expected to refuse its arguments before it serves anything."""
    env = server_environment(tmp_path / "home", PYTHONPATH=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "deltacloud.cli", "-i", "tiny", "-r", "127.0.0.1", "-p",
                           str(free_port()), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)


@pytest.mark.parametrize(("args", "named"), [
    (["--driver-option", "tiny.strict"], "'tiny.strict'"),
    (["--driver-option", "strict=yes"], "'strict=yes'"),
    (["--driver-option", "tiny.=yes"], "'tiny.=yes'"),
    (["--driver-option", "tiny.strict=maybe"], "driver option 'strict' must be a boolean"),
])
def test_malformed_driver_options_are_usage_errors(kit, tmp_path, args, named) -> None:
    result = run_deltacloudd(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("text", "named"), [
    ("[drivers.tiny\n", "is not valid TOML"),
    ("[drivers]\ntiny = 3\n", "[drivers.tiny] must be a table"),
    ("[backend]\ntimeout = \"soon\"\n", "the backend timeout must be a positive number"),
    ("[drivers.tiny]\nstrict = \"perhaps\"\n", "driver option 'strict' must be a boolean"),
])
def test_a_bad_config_file_is_a_usage_error(kit, tmp_path, text, named) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = run_deltacloudd(tmp_path, "--config", str(config))
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_backend_timeouts_from_the_command_line(start_server, cloud, alice) -> None:
    server = start_server("-P", cloud.url, "--backend-timeout", "0.3", "--connect-timeout", "0.3")
    cloud.script("POST /keys", "hang")
    started = time.monotonic()
    response = requests.post(f"{server.url}/keys", auth=alice, headers=JSON, data={"name": "k"}, timeout=TIMEOUT)
    assert response.status_code == 504
    assert response.json()["message"] == "TinyCloud did not answer in time"
    assert time.monotonic() - started < cloud.hang_seconds / 2  # the configured timeout ended it, not the cloud
    assert cloud.count("POST /keys") == 1
