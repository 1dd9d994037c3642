"""Benchmark: ``GET /api/instances`` through deltacloudd (ec2 driver) against libcloud directly, on one moto.

    .venv/bin/python bench/ec2_list_instances.py [--instances 5] [--requests 300] [--rounds 5]

Starts moto's server and ``deltacloudd -i ec2 -P <moto>`` as separate processes on free
loopback ports, launches some instances, then times, in alternating rounds so that drift
hits both sides alike:

* ``api``: ``GET /api/instances`` (XML) over a kept-alive HTTP connection to deltacloudd;
* ``libcloud``: ``list_nodes()`` of libcloud's EC2 driver (with the driver's compatibility
  classes, without which libcloud cannot read moto's answers) on the same moto;
* ``libcloud-1call``: the single ``DescribeInstances`` call the ec2 driver itself makes,
  parsed by libcloud, for the same amount of backend work (``list_nodes`` also calls
  ``DescribeAddresses``);
* ``app-in-process``: the same ``GET /api/instances`` handed to the WSGI app in this process,
  without the HTTP hop to deltacloudd (what our own code costs, server and client aside).

It prints the median time per listing of each and the ratios. The target is an overhead
(``api / libcloud - 1``) under 15%. Everything stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3

from deltacloud.testing import ServerProcess, free_port, server_environment, start_deltacloudd, start_process

KEY, SECRET = "AKIABENCHMARK0000000", "bench-secret"


def start_moto(workdir: Path) -> ServerProcess:
    """moto's server on a free loopback port, without its default AMIs."""
    port = free_port()
    env = server_environment(workdir, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    return start_process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                         f"http://127.0.0.1:{port}/moto-api/", workdir / "moto.log", env, timeout=30)


def time_calls(call: Callable[[], object], count: int) -> float:
    """Seconds per call, over ``count`` calls."""
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=5, help="instances to launch in moto (default 5)")
    parser.add_argument("--requests", type=int, default=300, help="listings per side and round (default 300)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    args = parser.parse_args()

    from deltacloud_driver_ec2.compat import Ec2Backend

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        moto = start_moto(workdir)
        moto_url = moto.url.removesuffix("/moto-api/")
        server = start_deltacloudd(workdir, "-P", moto_url, "--workers", "1", "--threads", "4", "--log", "off",
                                   driver="ec2", timeout=30)
        port = int(server.url.split(":")[2].split("/")[0])
        try:
            ec2 = boto3.client("ec2", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id=KEY,
                               aws_secret_access_key=SECRET)
            image = ec2.register_image(Name="bench-image", RootDeviceName="/dev/sda1")["ImageId"]
            ec2.run_instances(ImageId=image, MinCount=args.instances, MaxCount=args.instances,
                              InstanceType="t3.micro")

            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode(),
                       "Accept": "application/xml"}

            def via_api() -> bytes:
                for attempt in range(2):  # the server closes idle kept-alive connections: reconnect once
                    try:
                        connection.request("GET", "/api/instances", headers=headers)
                        response = connection.getresponse()
                        break
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        connection.close()
                        if attempt:
                            raise
                body = response.read()
                assert response.status == 200, (response.status, body[:300])
                return body

            libcloud = Ec2Backend(KEY, SECRET, region="us-east-1", host="127.0.0.1",
                                  port=int(moto_url.rsplit(":", 1)[1]), secure=False, timeout=30)

            def via_libcloud() -> list:
                return libcloud.list_nodes()

            def via_libcloud_one_call() -> list:
                root = libcloud.connection.request("/", params={"Action": "DescribeInstances"}).object
                return libcloud._to_nodes(root, "reservationSet/item/instancesSet/item")

            assert via_api().count(b"<instance ") == args.instances
            assert len(via_libcloud()) == len(via_libcloud_one_call()) == args.instances
            import falcon.testing

            from deltacloud.config import ServerConfig
            from deltacloud.http.app import create_app

            app = falcon.testing.TestClient(create_app(ServerConfig(driver="ec2", provider=moto_url)))

            def via_app() -> bytes:
                result = app.simulate_get("/api/instances", headers=headers)
                assert result.status_code == 200, result.text[:300]
                return result.content

            assert via_app().count(b"<instance ") == args.instances
            sides = {"api": via_api, "libcloud": via_libcloud, "libcloud-1call": via_libcloud_one_call,
                     "app-in-process": via_app}
            for call in sides.values():  # warm up: connections, caches, moto's backend
                time_calls(call, 20)
            samples: dict[str, list[float]] = {name: [] for name in sides}
            for round_ in range(args.rounds):
                order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
                for name in order:
                    samples[name].append(time_calls(sides[name], args.requests))
            connection.close()
        finally:
            server.stop()
            moto.stop()

    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"moto {moto_url}, {args.instances} instances, {args.rounds} rounds x {args.requests} listings per side")
    for name, seconds in median.items():
        spread = ", ".join(f"{v * 1000:.2f}" for v in samples[name])
        print(f"  {name:15s} {seconds * 1000:7.2f} ms per listing   (rounds: {spread} ms)")
    ratio = median["api"] / median["libcloud"]
    same_work = median["api"] / median["libcloud-1call"]
    print(f"ratio api / libcloud list_nodes        = {ratio:.3f}  (overhead {100 * (ratio - 1):+.1f}%)")
    print(f"ratio api / libcloud same single call  = {same_work:.3f}  (overhead {100 * (same_work - 1):+.1f}%)")
    in_process = median["app-in-process"] / median["libcloud-1call"]
    print(f"ratio app in-process / same single call = {in_process:.3f}  (overhead {100 * (in_process - 1):+.1f}%: "
          "our code without the HTTP hop)")
    verdict = "under" if ratio < 1.15 else "OVER"
    print(f"target: overhead under 15% against list_nodes: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
