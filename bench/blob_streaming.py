"""Benchmark: a large blob up and down through deltacloudd (mock driver), memory and throughput.

    .venv/bin/python bench/blob_streaming.py [--mib 1024] [--chunked | --sized]

Starts ``deltacloudd -i mock`` on a free loopback port with a fresh storage directory in a
temporary folder, warms the worker up with a 3 MiB blob, then ``PUT``s a blob generated on
the fly (each MiB different, hashed as it is sent; chunked by default, or with a
Content-Length), downloads it in 1 MiB pieces checking the digest, and deletes it. It prints
the blob's size, the worker's peak resident memory (``VmHWM``) before and after, and the
throughput each way. Nothing of the blob is held in memory on either side; the disk needs
room for it once. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from deltacloud.testing import server_environment, start_deltacloudd

AUTH = ("mockuser", "mockpassword")
MIB = 1024 * 1024


class Generated:
    """``size`` bytes made on the fly (a counter over a random MiB), hashed as they are read."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self.block = os.urandom(MIB)

    def chunks(self) -> Iterator[bytes]:
        for index in range(self.size // MIB):
            chunk = index.to_bytes(8, "big") + self.block[8:]
            self.digest.update(chunk)
            self.sent += len(chunk)
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """File-like reads (for --sized: requests sends a file-like with its length as a Content-Length)."""
        if not hasattr(self, "_iter"):
            self._iter, self._chunk, self._offset = self.chunks(), b"", 0
        if self._offset >= len(self._chunk):
            self._chunk, self._offset = next(self._iter, b""), 0
        end = len(self._chunk) if size < 0 else self._offset + size
        out = self._chunk[self._offset:end]
        self._offset += len(out)
        return out

    def __len__(self) -> int:
        return self.size - self.sent + len(getattr(self, "_chunk", b"")) - getattr(self, "_offset", 0)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc")


def _download(url: str) -> tuple[int, str]:
    digest, size = hashlib.md5(usedforsecurity=False), 0
    with requests.get(url, auth=AUTH, stream=True, timeout=300) as response:
        response.raise_for_status()
        for chunk in response.iter_content(MIB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="blob size in MiB (default 1024)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--chunked", action="store_true", default=True, help="send chunked (default)")
    mode.add_argument("--sized", action="store_true", help="send with a Content-Length")
    args = parser.parse_args()
    size = args.mib * MIB
    with tempfile.TemporaryDirectory(prefix="dc-blob-bench-") as tmp:
        workdir = Path(tmp)
        env = server_environment(workdir / "home", DELTACLOUD_MOCK_DELAY="0")
        env.pop("DELTACLOUD_MOCK_STORAGE", None)
        server = start_deltacloudd(workdir, "--mock-storage", str(workdir / "store"), "--workers", "1",
                                   "--threads", "2", env=env)
        url = server.url
        try:
            (worker,) = server.children()
            requests.put(f"{url}/buckets/bucket1/warm", data=b"w" * (3 * MIB), auth=AUTH, timeout=60).raise_for_status()
            _download(f"{url}/buckets/bucket1/warm/content")
            before = _peak_mib(worker)

            body = Generated(size)
            started = time.perf_counter()
            data = body if args.sized else body.chunks()
            requests.put(f"{url}/buckets/bucket1/big", data=data, auth=AUTH, timeout=600).raise_for_status()
            up = time.perf_counter() - started
            after_up = _peak_mib(worker)
            started = time.perf_counter()
            received, digest = _download(f"{url}/buckets/bucket1/big/content")
            down = time.perf_counter() - started
            after_down = _peak_mib(worker)
            requests.delete(f"{url}/buckets/bucket1/big", auth=AUTH, timeout=60).raise_for_status()
        finally:
            server.stop()
    ok = received == size and digest == body.digest.hexdigest()
    print(f"blob                  {args.mib} MiB ({'Content-Length' if args.sized else 'chunked'} upload)")
    print(f"content verified      {'yes' if ok else 'NO'}")
    growth = after_down - before
    print(f"worker peak RSS       {before:.0f} MiB before, {after_up:.0f} after upload, "
          f"{after_down:.0f} after download")
    print(f"peak growth           {growth:.1f} MiB = {growth / args.mib * 100:.2f}% of the blob")
    print(f"upload                {up:.2f} s, {args.mib / up:.0f} MiB/s (includes fsync)")
    print(f"download              {down:.2f} s, {args.mib / down:.0f} MiB/s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
