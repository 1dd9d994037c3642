"""Profile the served request path: py-spy inside ``deltacloudd``'s workers while wrk loads one URL.

    .venv/bin/pip install py-spy==0.4.1
    .venv/bin/python bench/profile_server.py --seconds 10 --accept application/json
    .venv/bin/python bench/profile_server.py --path /api --workers 1
    .venv/bin/python bench/profile_server.py --if-none-match      # the poller's conditional GET (304)

Starts ``deltacloudd -i mock`` on 127.0.0.1 with a fresh store holding ``--instances`` instances
(the benchmark's serving settings unless told otherwise), runs wrk (2 threads, 16 connections) on
the path for ``--seconds`` while ``py-spy record`` samples every worker, then prints the functions
that hold the most samples, inclusive (the function or what it calls) and self (the function's own
code), as shares of the samples taken while a thread was busy. Idle threads (waiting on a queue or a
socket) are left out by py-spy; a thread waiting for the GIL is not idle for it, so ``--gil``
(only the thread holding the GIL) shows where the interpreter's time goes. Needs root or ptrace
permission for py-spy.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ACCEPT, AUTH, Client, add_instances, ensure_wrk, mock_server, port_of, wrk


def py_spy() -> str:
    """The ``py-spy`` binary beside this Python, or on the path."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        sys.exit("profile_server: py-spy is needed: .venv/bin/pip install py-spy==0.4.1")
    return found


def summarize(collapsed: list[Path], top: int) -> None:
    """Print the ``top`` functions by inclusive and by self samples over the collapsed stack files."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for path in collapsed:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            total += samples
            frames = [frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                      if " (" in frame else frame for frame in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] += samples
            own[frames[-1]] += samples
    if not total:
        print("no samples (was the server busy?)")
        return
    print(f"{total} busy samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n--- {title} ---")
        for frame, samples in counter.most_common(top):
            print(f"{100 * samples / total:6.1f}%  {frame}")


def main() -> int:
    """Start, load, sample, summarize."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default="/api/instances")
    parser.add_argument("--accept", default=ACCEPT["xml"])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="4")
    parser.add_argument("--if-none-match", action="store_true", help="send the answer's ETag back (304s)")
    parser.add_argument("--cache-off", action="store_true", help="DELTACLOUD_CACHE=off")
    parser.add_argument("--gil", action="store_true", help="only the thread holding the GIL (py-spy --gil)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--keep", help="copy the collapsed stacks (flamegraph input) to this folder")
    args = parser.parse_args()
    spy = py_spy()
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="dc-profile-") as tmp:
        work = Path(tmp)
        env = {"DELTACLOUD_CACHE": "off"} if args.cache_off else None
        server = mock_server(work, "store", "--workers", args.workers, "--threads", args.threads, "--log", "off",
                             env=env)
        try:
            port = port_of(server)
            add_instances(port, args.instances)
            client = Client(port)
            status, headers, _, _ = client.request("GET", args.path, Accept=args.accept)
            client.close()
            assert status == 200, status
            sent = [f"Authorization: {AUTH}", f"Accept: {args.accept}"]
            if args.if_none_match:
                sent.append(f"If-None-Match: {headers['etag']}")
            url = f"http://127.0.0.1:{port}{args.path}"
            wrk(url, 1, *sent)  # warm up
            outputs, spies = [], []
            for pid in server.children():
                out = work / f"spy-{pid}.txt"
                outputs.append(out)
                spies.append(subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "500",
                                               "--duration", str(round(args.seconds) + 1), "--output", str(out),
                                               "--nonblocking", *(["--gil"] if args.gil else [])],
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            load = wrk(url, args.seconds, *sent)
            for process in spies:
                try:
                    process.wait(timeout=args.seconds + 30)
                except subprocess.TimeoutExpired:  # py-spy stuck on a loaded machine: stop it, keep the others
                    process.kill()
                    process.wait()
            print(f"{args.path} ({args.accept}{', If-None-Match' if args.if_none_match else ''}): "
                  f"{load.rps:.0f} req/s under py-spy, {load.bad} bad answers")
            found = [out for out in outputs if out.exists()]
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                for out in found:
                    shutil.copy(out, args.keep)
            summarize(found, args.top)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
