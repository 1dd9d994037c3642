"""``deltacloudc`` as a real subprocess against a live mock server of its own."""

from __future__ import annotations

import json
import os
import pty
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from client_support import PASSWORD, USER, start_mock

from deltacloud_client import Client, Poller

DELTACLOUDC = Path(sys.executable).with_name("deltacloudc")


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A mock server only these tests use, so its instances are known.

    Its transitions take 1.5 s, longer than a command takes to start, so ``wait`` has a PENDING to show.
    """
    process = start_mock(tmp_path_factory.mktemp("dcc-cli"), delay="1.5")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def env(cli_server) -> dict[str, str]:
    """The environment a user sets: URL, user and password."""
    return {**os.environ, "DELTACLOUD_URL": cli_server.url, "DELTACLOUD_USER": USER,
            "DELTACLOUD_PASSWORD": PASSWORD}


@pytest.fixture
def api(cli_server) -> Client:
    """The library, to change the cloud underneath the command line."""
    return Client(cli_server.url, USER, PASSWORD)


def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``deltacloudc ARGS`` and wait for it."""
    return subprocess.run([str(DELTACLOUDC), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_the_console_script_is_installed() -> None:
    assert DELTACLOUDC.exists(), "pip install ./client installs the deltacloudc script"


def test_tables_by_default(env) -> None:
    done = run(env, "instances")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "STATE"]
    assert [line.split()[0] for line in lines[1:5]] == ["inst0", "inst1", "inst2", "inst3"]
    shown = run(env, "instances", "show", "inst1")
    assert "state                RUNNING" in shown.stdout and "actions" in shown.stdout


def test_json_for_scripts(env, api: Client) -> None:
    done = run(env, "--format", "json", "images", "--owner_id", "mockuser")
    assert done.returncode == 0 and [i["id"] for i in json.loads(done.stdout)] == ["img3"]
    entry = json.loads(run(env, "--format", "json", "api").stdout)
    assert set(entry["collections"]) == set(api.collections) and entry["driver"] == "mock"
    states = json.loads(run(env, "instance_states", "--format", "json").stdout)
    assert {"from": "stopped", "to": "finish", "by": "destroy"} in states


def test_the_url_and_user_from_options(cli_server) -> None:
    bare = {k: v for k, v in os.environ.items() if not k.startswith("DELTACLOUD_")}
    bare["DELTACLOUD_PASSWORD"] = PASSWORD
    done = run(bare, "--url", cli_server.url, "--user", USER, "--driver", "mock", "realms")
    assert done.returncode == 0 and "United States" in done.stdout


def test_create_act_wait_path_drive_destroy(env, api: Client) -> None:
    created = run(env, "--format", "json", "instances", "create", "--image_id", "img1", "--hwp_id", "m1-small",
                  "--name", "from-cli", "--user_data", "hello")
    assert created.returncode == 0, created.stderr
    ident = json.loads(created.stdout)["id"]
    waited = run(env, "instances", "wait", ident, "--state", "running", "--timeout", "30")
    assert waited.returncode == 0, waited.stderr
    assert f"{ident}: RUNNING after" in waited.stderr  # the progress, ended
    assert run(env, "instances", "path", ident, "--state", "finish").stdout.split() == ["stop", "destroy"]
    stopped = run(env, "instances", "stop", ident)
    assert stopped.returncode == 0 and ("STOPPING" in stopped.stdout or "STOPPED" in stopped.stdout)
    driven = run(env, "instances", "drive", ident, "--state", "finish", "--timeout", "30")
    assert driven.returncode == 0, driven.stderr
    assert f"{ident}: destroy" in driven.stderr and f"{ident}: FINISH after" in driven.stderr
    assert ident not in {i.id for i in api.instances()}


def test_progress_shows_each_state_as_it_changes(env, api: Client) -> None:
    launched = api.create_instance("img1", name="progress-lines")
    running = api.wait_for(launched, "RUNNING", 30, poller=Poller(interval=0.05, max_interval=0.3))
    waiter = subprocess.Popen([str(DELTACLOUDC), "instances", "wait", launched.id, "--state", "stopped"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        assert waiter.stderr is not None
        first = ""
        while time.monotonic() < deadline and not first:
            if select.select([waiter.stderr], [], [], 0.2)[0]:
                first = waiter.stderr.readline()
        assert first.startswith(f"{launched.id}: RUNNING ("), first
        running.stop()  # underneath it
        _, rest = waiter.communicate(timeout=30)
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait(timeout=5)
    assert waiter.returncode == 0, rest
    assert f"{launched.id}: STOPPED after" in rest and (f"{launched.id}: STOPPING (" in rest or "STOPPED (" in rest)
    api.drive(launched, "finish", 30, poller=Poller(interval=0.05, max_interval=0.3))


def test_run_prints_the_output(env) -> None:
    done = run(env, "instances", "run", "inst1", "--cmd", "uptime")
    if "does not offer 'run'" in done.stderr:
        pytest.skip("this server's mock does not offer run")
    assert done.returncode == 0 and "uptime" in done.stdout


def test_actions_of_other_collections(env, api: Client) -> None:
    done = run(env, "--format", "json", "storage_volumes", "create", "--capacity", "1")
    volume = json.loads(done.stdout)["id"]
    attached = run(env, "storage_volumes", "attach", volume, "--instance_id", "inst0", "--device", "/dev/sdx")
    assert attached.returncode == 0 and api.storage_volume(volume).instance_id == "inst0"
    assert run(env, "storage_volumes", "detach", volume).returncode == 0
    assert run(env, "storage_volumes", "destroy", volume).returncode == 0
    assert volume not in {v.id for v in api.storage_volumes()}


def test_blobs_up_and_down(env, api: Client, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"line one\nline two\n")
    put = run(env, "--format", "json", "buckets", "put", "bucket2", "--id", "notes", "--file", str(source),
              "--Owner", "me")
    assert put.returncode == 0, put.stderr
    assert json.loads(put.stdout)["id"] == "notes"
    shown = run(env, "buckets", "blob", "bucket2", "--id", "notes")
    assert shown.returncode == 0 and "text/plain" in shown.stdout
    copy = tmp_path / "copy.txt"
    assert run(env, "buckets", "blob", "bucket2", "--id", "notes", "--output", str(copy)).returncode == 0
    assert copy.read_bytes() == source.read_bytes()
    piped = subprocess.run([str(DELTACLOUDC), "buckets", "blob", "bucket2", "--id", "notes", "--output", "-"],
                           env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert piped.returncode == 0 and piped.stdout == source.read_bytes()
    blob = api.bucket("bucket2").blob("notes")
    assert {k.lower(): v for k, v in blob.metadata.items()} == {"owner": "me"}
    blob.destroy()


@pytest.mark.parametrize(("args", "code", "message"), [
    (("instances", "show", "nope"), 4, "NotFoundError"),
    (("instances", "destroy", "inst0"), 5, "does not offer 'destroy'"),
    (("instances", "create", "--hwp_id", "m1-small"), 6, "image_id"),
    (("keys", "create", "--name", "test-key"), 6, "ConflictError"),
    (("widgets",), 7, "does not support 'widgets'"),
    (("instances", "wait", "inst0", "--state", "stopped", "--timeout", "0.3"), 9, "WaitTimeoutError"),
    (("instances", "wait", "inst0", "--state", "start"), 5, "cannot follow"),
    (("instances", "show"), 2, "show needs an ID"),
    (("instances", "--bogus"), 2, "--bogus needs a value"),
    ((), 2, "usage"),
])
def test_exit_codes(env, args: tuple[str, ...], code: int, message: str) -> None:
    done = run(env, *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr


def test_exit_codes_for_credentials_and_reachability(env) -> None:
    assert run({**env, "DELTACLOUD_PASSWORD": "wrong"}, "instances").returncode == 3
    from deltacloud.testing import free_port

    gone = run({**env, "DELTACLOUD_URL": f"http://127.0.0.1:{free_port()}/api"}, "instances")
    assert gone.returncode == 10 and "Cannot reach" in gone.stderr
    assert run({k: v for k, v in env.items() if k != "DELTACLOUD_URL"}, "instances").returncode == 2


def on_terminal(argv: list[str], env: dict[str, str], when: bytes | None = None,
                then: Callable[[int], object] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """Run ``deltacloudc ARGV`` on a pseudo-terminal of its own, as a user does; its status and screen.

    Once ``when`` shows on the screen, ``then(terminal)`` runs once (to type, or to change the cloud).
    """
    try:
        pid, master = pty.fork()
    except OSError as exc:
        pytest.skip(f"no pseudo-terminal on this machine: {exc}")
    if pid == 0:  # the child: the terminal is its controlling terminal
        try:
            os.execve(str(DELTACLOUDC), [str(DELTACLOUDC), *argv], env)
        finally:
            os._exit(127)  # never run the rest of the tests in the child
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if when is not None and then is not None and when in seen:
            then(master)
            when = None
    _, status = os.waitpid(pid, 0)
    os.close(master)
    return os.waitstatus_to_exitcode(status), seen


def test_the_password_prompt_does_not_echo(env) -> None:
    prompted = {k: v for k, v in env.items() if k != "DELTACLOUD_PASSWORD"}
    code, screen = on_terminal(["realms"], prompted, b"Password for mockuser",
                               lambda terminal: os.write(terminal, PASSWORD.encode() + b"\n"))
    assert code == 0 and b"Password for mockuser" in screen, screen
    assert b"United States" in screen and PASSWORD.encode() not in screen


def test_a_script_pipes_the_password(env) -> None:
    piped = {k: v for k, v in env.items() if k != "DELTACLOUD_PASSWORD"}
    done = subprocess.run([str(DELTACLOUDC), "realms"], env=piped, input=PASSWORD + "\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "United States" in done.stdout and PASSWORD not in done.stdout + done.stderr
    nothing = subprocess.run([str(DELTACLOUDC), "realms"], env=piped, input="", capture_output=True, text=True,
                             timeout=60)
    assert nothing.returncode == 2 and "no password" in nothing.stderr


def test_progress_on_a_terminal_is_one_rewritten_line(env, api: Client) -> None:
    launched = api.create_instance("img1", name="progress")
    running = api.wait_for(launched, "RUNNING", 30, poller=Poller(interval=0.05, max_interval=0.3))
    # It waits for STOPPED; once it shows RUNNING, the instance is stopped underneath it.
    code, screen = on_terminal(["instances", "wait", launched.id, "--state", "stopped", "--timeout", "30"], env,
                               b"RUNNING (", lambda terminal: running.stop())
    assert code == 0, screen
    assert b"\r" in screen and b"\x1b[K" in screen  # carriage return, erase to the end of the line
    assert f"{launched.id}: RUNNING (".encode() in screen and f"{launched.id}: STOPPED after".encode() in screen
    api.drive(launched, "finish", 30, poller=Poller(interval=0.05, max_interval=0.3))


class Lines:
    """A process's output, line by line, read by a thread (select on a buffered pipe misses lines)."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)

    def next(self, deadline: float) -> str | None:
        """The next line, or ``None`` when the deadline passes first."""
        try:
            return self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None


def test_watch_reports_changes_as_they_happen(env, api: Client) -> None:
    before = api.instances()
    watcher = subprocess.Popen([str(DELTACLOUDC), "instances", "watch", "--interval", "0.1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    assert watcher.stdout is not None
    lines_out = Lines(watcher.stdout)
    try:
        deadline = time.monotonic() + 60
        summary = lines_out.next(deadline)
        running = sum(1 for i in before if i.state == "RUNNING")
        assert summary is not None and summary.startswith(f"{len(before)} instances: ")
        assert f"RUNNING {running}" in summary
        poller = Poller(interval=0.05, max_interval=0.2)
        launched = api.create_instance("img1", name="watched")
        api.drive(launched, "FINISH", 30, poller=poller)  # PENDING, RUNNING, STOPPING, STOPPED, gone
        wanted = [f"{launched.id} (watched) appeared", f"{launched.id} (watched) is gone"]
        lines: list[str] = []
        while wanted and time.monotonic() < deadline:
            line = lines_out.next(deadline)
            if line is None:
                break
            lines.append(line)
            if wanted[0] in line:
                wanted.pop(0)
        assert not wanted, lines
        assert any("-> STOPPING" in line or "-> STOPPED" in line for line in lines), lines
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=15) == 0
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(timeout=5)


def test_watch_in_json_ends_after_its_polls(env, api: Client) -> None:
    done = run(env, "--format", "json", "instances", "watch", "--interval", "0.05", "--polls", "3")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout.splitlines()[0])
    assert first["event"] == "summary" and first["total"] == len(api.instances())
