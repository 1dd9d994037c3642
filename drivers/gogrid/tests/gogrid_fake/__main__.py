"""Run the fake GoGrid alone, for manual trials.

    cd drivers/gogrid/tests && python -m gogrid_fake --port 8090

then point the driver at it: ``deltacloudd -i gogrid -P http://127.0.0.1:8090/api --allow-private-providers``
and use the printed API key and shared secret as the HTTP Basic user and password.
"""

from __future__ import annotations

import argparse
import sys
import time

from gogrid_fake.app import DEFAULT_KEY, DEFAULT_SECRET, FakeGoGrid
from gogrid_fake.serve import serve
from gogrid_fake.world import World


def main(argv: list[str] | None = None) -> int:
    """Parse the options, serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m gogrid_fake", description="A fake GoGrid API v1.9 on loopback")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--api-key", default=DEFAULT_KEY)
    parser.add_argument("--secret", default=DEFAULT_SECRET, help="the shared secret")
    parser.add_argument("--id-delay", type=float, default=30.0, help="seconds before a new server gets its id")
    parser.add_argument("--power-delay", type=float, default=10.0, help="seconds a power transition takes")
    parser.add_argument("--window", type=float, default=300.0, help="signature clock window in seconds")
    args = parser.parse_args(argv)
    app = FakeGoGrid(World(id_delay=args.id_delay, power_delay=args.power_delay), args.api_key, args.secret,
                     window=args.window)
    server = serve(app, args.port)
    print(f"fake GoGrid at {server.url}/api (api key {args.api_key!r}, shared secret {args.secret!r})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
