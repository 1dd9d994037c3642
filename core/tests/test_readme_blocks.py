"""The README's shell and Python blocks, read from README.md itself and run as a reader pastes them: whole, twice.

The shell blocks of each ``##`` section run one after the other in one shell, as a reader pastes
them into one terminal, with ``set -eu`` (so a failing ``curl -f``, an unset variable or a missed
wait fails the test), from the top of the checkout, against a fresh
``deltacloudd -i mock`` with a fresh store (the server of the README's first command), and then
once more against the same server and store, as a reader pasting it again would (the second time
with bash where the first was sh). Blocks that start servers of their own (moto, a second server
for the conformance kit, libvirt's) start them; any process a block leaves behind is killed with its group.
A Python block runs in the same shell as ``.venv/bin/python - <<'PYTHON'``, as a reader runs it in
the venv's Python.

What is changed before running, and why: ``.venv/bin/`` becomes the directory of the Python running
the tests (the same venv in CI), and the ports 3001, 3002 and 5000 become free loopback ports, so the
test never collides with a server someone runs on this machine.

Blocks that are not run are listed in ``NOT_RUN`` with the reason; a block in a section nobody
classified runs against the mock server, like the "Try it" block.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess, free_port, server_environment

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELLS = ("sh", "bash", "shell")
PYTHON = "python"
#: Longest run of one block (the conformance kit's block is the longest: seconds, not minutes).
BLOCK_TIMEOUT = 300
MOCK_SEED_INSTANCES = {"inst0", "inst1", "inst2", "inst3"}

#: Blocks not run here: a fragment of the block's text, and why.
NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt && .venv/bin/deltacloudd -i mock":
        "the first command: it makes the venv this test runs in and serves in the foreground until stopped; "
        "the test starts that same server (deltacloudd -i mock) itself",
    "sh .ci/browser-deps && python3 -m venv .venv":
        "the second command: it is the test run this test is part of (.ci/run)",
}
#: Sections whose blocks start a server of their own for a backend the mock's server does not serve.
OWN_SERVER_SECTIONS = {"EC2, and a local EC2 with moto": "moto",
                       "libvirt, and libvirt's built-in test hypervisor": "libvirt"}


@dataclass(frozen=True)
class Block:
    """One fenced shell block of the README: the section it is in, its position and its text."""

    section: str
    number: int
    text: str
    language: str = "sh"

    def __str__(self) -> str:
        return f"README block {self.number} (section {self.section!r})"


def readme_blocks() -> list[Block]:
    """Every shell and Python block of README.md, in order, with the ``##`` section it belongs to."""
    text = README.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in re.finditer(r"^## (.+)$", text, re.MULTILINE)]
    blocks = []
    for number, match in enumerate(FENCE.finditer(text), 1):
        if match.group(1) not in (*SHELLS, PYTHON):
            continue
        section = next((title for start, title in reversed(headings) if start < match.start()), "")
        blocks.append(Block(section, number, match.group(2), match.group(1)))
    return blocks


def skip_reason(block: Block) -> str | None:
    """Why a block is not run here, or None."""
    for fragment, why in NOT_RUN.items():
        if fragment in block.text:
            return why
    return None


def blocks_to_run(backend: str) -> list[Block]:
    """The blocks run against the mock's server (``backend="mock"``) or the ones starting ``moto`` or ``libvirt``."""
    return [b for b in readme_blocks()
            if skip_reason(b) is None and OWN_SERVER_SECTIONS.get(b.section, "mock") == backend]


def prepared(block: Block, ports: dict[str, int]) -> str:
    """The block's text as run here: this venv's bin directory and free ports (see the module docstring)."""
    text = block.text if block.language != PYTHON else f".venv/bin/python - <<'PYTHON'\n{block.text}PYTHON\n"
    text = text.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    for port, free in ports.items():
        text = re.sub(rf"\b{port}\b", str(free), text)
    return f"# -- {block}\n{text}"


def sections(blocks: list[Block]) -> dict[str, list[Block]]:
    """The blocks by section, in README order."""
    out: dict[str, list[Block]] = {}
    for block in blocks:
        out.setdefault(block.section, []).append(block)
    return out


def run_section(blocks: list[Block], ports: dict[str, int], shell: str, workdir: Path) -> str:
    """Run a section's blocks in one shell, one after the other; the output. Fails the test when one fails."""
    script = workdir / f"section{blocks[0].number}.sh"
    script.write_text("set -eu\n" + "".join(prepared(b, ports) for b in blocks), encoding="utf-8")
    where = ", ".join(map(str, blocks))
    env = server_environment(workdir / "home")
    process = subprocess.Popen([shell, str(script)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid, signal.SIGKILL)
        output = process.communicate(timeout=10)[0] + f"\n(killed after {BLOCK_TIMEOUT} s)"
    finally:
        _kill_group(process.pid)
    process.wait(timeout=10)
    assert process.returncode == 0, f"{where} failed under {shell} ({process.returncode}):\n{output[-6000:]}"
    return output


def _kill_group(pgid: int, sig: signal.Signals = signal.SIGTERM) -> None:
    """Stop whatever a block left running (background servers), by its process group."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return


def refused(port: int, timeout: float = 20.0) -> bool:
    """Whether 127.0.0.1:``port`` refuses connections within ``timeout`` seconds (a server stopping takes a moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.2)
    return False


def instance_ids(server: ServerProcess) -> set[str]:
    """The ids of the mock's instances."""
    with requests.Session() as session:
        session.trust_env = False  # straight to the loopback server, never through a proxy
        response = session.get(f"{server.url}/instances?format=json", auth=("mockuser", "mockpassword"), timeout=30)
    response.raise_for_status()
    return {i["id"] for i in response.json()["instances"]}


def shells() -> tuple[str, str]:
    """The shells of the two runs: sh, then bash where there is one."""
    return "sh", "bash" if shutil.which("bash") else "sh"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path


@pytest.fixture
def mock_server(deltacloudd: Deltaclouds) -> ServerProcess:
    """The server of the README's first command, with a fresh store and a short (not zero) transition delay."""
    return deltacloudd.start("-L", "off", mock_delay="1")


def test_every_shell_block_is_run_or_says_why() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 6, f"expected the README's shell blocks, found {len(blocks)}"
    first, second = list(NOT_RUN)
    assert first in blocks[0].text and second in blocks[1].text, "the README must open with its two commands"
    assert blocks[0].section == blocks[1].section == "", "the two commands come before any section"
    assert any(b.section == "Try it" for b in blocks_to_run("mock"))
    assert blocks_to_run("moto"), "the EC2 walk-through has no block"
    assert blocks_to_run("libvirt"), "the libvirt walk-through has no block"
    assert any(b.language == PYTHON for b in blocks_to_run("mock")), "the client's Python example is not run"


@pytest.mark.slow
def test_mock_blocks_pasted_twice(mock_server: ServerProcess, workdir: Path) -> None:
    """Every block for the mock server, run twice: each time it creates, waits for and destroys its instance."""
    port = int(mock_server.url.split(":")[-1].split("/")[0])
    launched = []
    for shell in shells():
        ports = {"3001": port, "3002": free_port(), "5000": free_port()}
        outputs = {section: run_section(blocks, ports, shell, workdir)
                   for section, blocks in sections(blocks_to_run("mock")).items()}
        tried = outputs["Try it"]
        assert "HTTP/1.1 201 Created" in tried, tried
        urls = re.findall(rf"^(http://127\.0\.0\.1:{port}/api/instances/\S+)$", tried, re.MULTILINE)
        assert len(urls) == 1, tried
        launched.append(urls[0])
        assert re.findall(r"^(\d{3})\s*$", tried, re.MULTILINE) == ["202", "202", "202", "204"], tried
        assert "same content" in outputs["The API in short"]
        client = outputs["Client library and CLI"]
        assert "['stop', 'destroy']" in client and ": FINISH after " in client, client
        assert re.search(r"^\d+ instances: ", client, re.MULTILINE), client  # watch's summary
        kit = outputs.get("Certify a server with the conformance kit", "")
        assert " passed" in kit and "failed" not in kit and "left in the cloud" not in kit, kit[-3000:]
        assert instance_ids(mock_server) == MOCK_SEED_INSTANCES, "the walk-through left an instance behind"
    assert launched[0] != launched[1], "the second paste must launch (and use) a new instance"


@pytest.mark.slow
def test_ec2_blocks_pasted_twice(workdir: Path) -> None:
    """The EC2 walk-through on moto: it starts moto and a second server, launches, stops, destroys, stops both."""
    pytest.importorskip("moto.server", reason="moto is not installed (requirements-dev.txt installs it)")
    for shell in shells():
        ports = {"3001": free_port(), "3002": free_port(), "5000": free_port()}
        output = "".join(run_section(blocks, ports, shell, workdir)
                         for blocks in sections(blocks_to_run("moto")).values())
        assert "HTTP/1.1 201 Created" in output, output
        assert re.search(rf"^http://127\.0\.0\.1:{ports['3002']}/api/instances/i-\w+$", output, re.MULTILINE), output
        assert re.findall(r"^(\d{3})\s*$", output, re.MULTILINE) == ["202", "204"], output
        for port in (ports["3002"], ports["5000"]):
            assert refused(port), f"port {port} still answers: the last block should have stopped its server"


@pytest.mark.slow
def test_libvirt_blocks_pasted_twice(workdir: Path) -> None:
    """The libvirt walk-through: its own server on the test hypervisor; stop, start, launch, destroy, stop it."""
    subprocess.run(["sh", str(REPO / ".ci" / "libvirt-deps"), sys.executable], cwd=REPO, check=False, timeout=900)
    importlib.invalidate_caches()
    pytest.importorskip("libvirt", reason="libvirt's binding is missing: run sh .ci/libvirt-deps as root")
    for shell in shells():
        ports = {"3001": free_port(), "3002": free_port(), "5000": free_port()}
        output = "".join(run_section(blocks, ports, shell, workdir)
                         for blocks in sections(blocks_to_run("libvirt")).values())
        assert "<name>test</name>" in output and "HTTP/1.1 201 Created" in output, output
        assert re.findall(r"^(\d{3})\s*$", output, re.MULTILINE) == ["202", "202", "204"], output
        assert refused(ports["3002"]), "the last block should have stopped its server"
