"""``python -m rhevm_fake [--port 8080] [--user admin@internal] [--password secret]``: a fake engine to try by hand.

Run it from ``drivers/rhevm/tests``; then ``deltacloudd -i rhevm -P "http://127.0.0.1:8080/ovirt-engine/api;dc-0001"``
(with ``--allow-private-providers`` when the provider is sent per request) and use the credentials given here.
"""

from __future__ import annotations

import argparse
import threading

from rhevm_fake import FakeEngine, seeded, serve


def main(argv: list[str] | None = None) -> None:
    """Serve a seeded engine on loopback until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m rhevm_fake", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--user", default="admin@internal")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--token-lifetime", type=float, default=1800.0, help="seconds an SSO token lives")
    parser.add_argument("--delay-scale", type=float, default=1.0,
                        help="multiply status change durations (0.1: ten times faster)")
    args = parser.parse_args(argv)
    engine = seeded(users={args.user: args.password}, token_lifetime=args.token_lifetime,
                    delay_scale=args.delay_scale)
    server = serve(FakeEngine(engine), args.port, quiet=False)
    print(f"fake oVirt engine on {server.url}/ovirt-engine/api (data centers: {', '.join(engine.data_centers)})",
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
