"""The README's EC2 walk-through, command for command: a plain moto server, ``deltacloudd -i ec2 -P URL``, curl.

Each request below is one ``curl`` line of the README section (sent with ``requests``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

#: An Amazon Linux 2 AMI among moto 5.2.5's default images (the README uses it).
README_IMAGE = "ami-04681a1dbd79675a5"
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(argv: list[str], url: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"{argv[2]} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            requests.get(url, timeout=1)
            return process
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{url} did not answer within {START_TIMEOUT} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def readme_servers(tmp_path: Path) -> Iterator[str]:
    """``python -m moto.server -H 127.0.0.1 -p PORT`` and ``deltacloudd -i ec2 -P http://127.0.0.1:PORT``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTO_", "API_", "AWS_"))}
    env["HOME"] = str(tmp_path)
    moto_port, api_port = _free_port(), _free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    moto = _start([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                  f"{moto_url}/moto-api/", env, tmp_path / "moto.log")
    try:
        api = _start([sys.executable, "-m", "deltacloud.cli", "-i", "ec2", "-P", moto_url, "-r", "127.0.0.1",
                      "-p", str(api_port), "--log", "off"], f"http://127.0.0.1:{api_port}/api", env,
                     tmp_path / "deltacloudd.log")
        try:
            yield f"http://127.0.0.1:{api_port}/api"
        finally:
            _stop(api)
    finally:
        _stop(moto)


def test_readme_walk_through(readme_servers: str) -> None:
    base = readme_servers
    auth = ("AKIAEXAMPLE", "secret")
    entry = requests.get(base, timeout=30)
    assert entry.status_code == 200 and "driver='ec2'" in entry.text
    realms = requests.get(f"{base}/realms", auth=auth, timeout=30)
    assert realms.status_code == 200 and "us-east-1a" in realms.text
    image = requests.get(f"{base}/images/{README_IMAGE}", auth=auth, timeout=60)
    assert image.status_code == 200 and "amzn2-ami-hvm" in image.text
    launched = requests.post(f"{base}/instances", auth=auth, timeout=30,
                             data={"image_id": README_IMAGE, "hwp_id": "t3.micro", "name": "web"})
    assert launched.status_code == 201, launched.text
    location = launched.headers["Location"]
    shown = requests.get(location, auth=auth, timeout=30)
    assert "<state>RUNNING</state>" in shown.text and "<name>web</name>" in shown.text
    stopped = requests.post(f"{location}/stop", auth=auth, timeout=30)
    assert stopped.status_code == 202
    assert requests.delete(location, auth=auth, timeout=30).status_code == 204
    assert "<state>FINISH</state>" in requests.get(location, auth=auth, timeout=30).text
    listing = requests.get(f"{base}/instances", auth=auth, headers={"Accept": "application/json"}, timeout=30)
    assert listing.json() == {"instances": []}
