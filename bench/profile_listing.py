"""Profile ``GET /api/instances`` in process with pyinstrument (``pip install pyinstrument==5.1.3``).

    python bench/profile_listing.py [--instances 1000] [--requests 20] [--format xml] [--html out.html]

Makes a fresh mock store with that many instances in a temporary folder, then hands the WSGI app
the listing ``--requests`` times under the profiler and prints the call tree (or writes it as
HTML). It also prints the time per listing and per instance without the profiler, the figure
bench/README.md records before and after each change.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--format", choices=("xml", "json"), default="xml")
    parser.add_argument("--html", help="write the profile as HTML to this file")
    parser.add_argument("--no-profile", action="store_true", help="only the timings")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store:
        os.environ.update(DELTACLOUD_MOCK_STORAGE=store, DELTACLOUD_MOCK_DELAY="0")
        import falcon.testing

        from deltacloud.http.app import create_app

        client = falcon.testing.TestClient(create_app())
        auth = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode(),
                "Accept": f"application/{args.format}"}
        existing = client.simulate_get("/api/instances", headers=auth).text.count("<instance ")
        left = args.instances - existing
        while left > 0:
            batch = min(100, left)
            result = client.simulate_post("/api/instances", headers=auth,
                                          params={"image_id": "img1", "instance_count": str(batch)})
            assert result.status_code == 201, result.text[:300]
            left -= batch

        def listing() -> bytes:
            result = client.simulate_get("/api/instances", headers=auth)
            assert result.status_code == 200
            return result.content

        size = len(listing())
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            listing()
            samples.append(time.perf_counter() - started)
        median = statistics.median(samples)
        print(f"{args.instances} instances, {size} bytes of {args.format}: {median * 1000:.2f} ms a listing, "
              f"{median / args.instances * 1e6:.1f} us per instance (median of {args.requests})")
        if args.no_profile:
            return 0
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.requests):
                listing()
        if args.html:
            with open(args.html, "w", encoding="utf-8") as out:
                out.write(profiler.output_html())
        else:
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
