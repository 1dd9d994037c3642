"""The README's EC2 walk-through, command for command: a plain moto server, ``deltacloudd -i ec2 -P URL``, curl.

Each request below is one ``curl`` line of the README section (sent with ``requests``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from deltacloud.testing import free_port, server_environment, start_deltacloudd, start_process

pytestmark = pytest.mark.slow

#: An Amazon Linux 2 AMI among moto 5.2.5's default images (the README uses it).
README_IMAGE = "ami-04681a1dbd79675a5"
START_TIMEOUT = 30.0


@pytest.fixture
def readme_servers(tmp_path: Path) -> Iterator[str]:
    """``python -m moto.server -H 127.0.0.1 -p PORT`` and ``deltacloudd -i ec2 -P http://127.0.0.1:PORT``."""
    env = {k: v for k, v in server_environment(tmp_path).items() if not k.startswith(("MOTO_", "AWS_"))}
    moto_port = free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    try:
        moto = start_process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                             f"{moto_url}/moto-api/", tmp_path / "moto.log", env, timeout=START_TIMEOUT)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        api = start_deltacloudd(tmp_path, "-P", moto_url, "--log", "off", driver="ec2", env=env,
                                timeout=START_TIMEOUT)
    except RuntimeError as exc:
        moto.stop()
        pytest.fail(str(exc))
    try:
        yield api.url
    finally:
        api.stop()
        moto.stop()


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
