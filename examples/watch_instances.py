"""Summarise all instances by state, then report each change as it happens (Ctrl-C to stop).

    DELTACLOUD_URL=http://127.0.0.1:3001/api DELTACLOUD_USER=mockuser DELTACLOUD_PASSWORD=mockpassword \
        python examples/watch_instances.py [--interval SECONDS] [--polls N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from deltacloud_client import Client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    parser.add_argument("--polls", type=int, default=None, help="stop after this many polls")
    args = parser.parse_args()
    client = Client(os.environ["DELTACLOUD_URL"], os.environ.get("DELTACLOUD_USER"),
                    os.environ.get("DELTACLOUD_PASSWORD"))

    known = {inst.id: inst.state for inst in client.instances()}
    counts = Counter(known.values())
    print(f"{len(known)} instances:", ", ".join(f"{state} {n}" for state, n in sorted(counts.items())), flush=True)

    polls = 0
    try:
        while args.polls is None or polls < args.polls:
            time.sleep(args.interval)
            polls += 1
            now = {inst.id: inst.state for inst in client.instances()}  # conditional GET: a 304 when unchanged
            for ident in sorted(known.keys() | now.keys()):
                before, after = known.get(ident), now.get(ident)
                if before != after:
                    print(f"{ident}: {before or 'new'} -> {after or 'gone'}", flush=True)
            known = now
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
