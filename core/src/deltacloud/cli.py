"""``deltacloudd``: serve the Deltacloud API with gunicorn.

The command checks its arguments and loads the chosen driver *before* anything listens, so
a typo in a driver name fails at once with exit code 2 instead of per request. It then
runs gunicorn in-process (``gunicorn.app.base.BaseApplication``) with its ``asgi`` worker: an
event loop reads each request whole and only then hands it to one of ``--threads`` threads
(``deltacloud.serve``), so slow clients hold no thread.

Two settings matter for operators and are fixed here rather than left to gunicorn's
defaults: the control socket is disabled (gunicorn 27 otherwise opens one shared path
under ``$XDG_RUNTIME_DIR`` or ``~/.gunicorn`` for every server of the user, so a second
server would clash with the first), and gunicorn's own access log is off: the app writes
its own (``deltacloud.http.accesslog``), which never holds credentials or query strings.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

from gunicorn.app.base import BaseApplication

from deltacloud import __version__, backend_config, loader
from deltacloud.config import ServerConfig
from deltacloud.errors import DriverLoadError, UnknownDriverError
from deltacloud.guard import DEFAULT_HEADER_TIMEOUT, DEFAULT_KEEPALIVE
from deltacloud.http.forwarded import parse_allow
from deltacloud.plugins import PluginError
from deltacloud.serve import DEFAULT_MAX_UPLOAD

PROG = "deltacloudd"

#: Exit code for a bad command line or a driver that cannot be used (argparse's own convention).
EXIT_USAGE = 2

#: Settings of ``deltacloud.serve`` carried in the options beside gunicorn's own (not gunicorn settings).
SERVING_KEYS = ("threads", "max_upload", "access_log", "header_timeout")


def _positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    """An argparse type: a TCP port number (1-65535)."""
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``deltacloudd`` argument parser (defaults read from the environment at call time)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve the Deltacloud REST API for one default driver (clients may pick another per request).",
        epilog="To start a new driver package: deltacloudd new-driver NAME (see deltacloudd new-driver --help).",
    )
    add = parser.add_argument
    add("-i", "--driver", default=os.environ.get("API_DRIVER") or "mock",
        help="default driver (env API_DRIVER, else 'mock')")
    add("-P", "--provider", default=os.environ.get("API_PROVIDER") or None,
        help="default provider of the driver: region, endpoint URL... (env API_PROVIDER)")
    add("-r", "--hostname", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add("-p", "--port", type=_port, default=3001, help="port to listen on (default 3001)")
    add("-l", "--drivers", action="store_true", dest="list_drivers",
        help="list the installed drivers and exit")
    add("--workers", type=_positive_int, default=1, help="worker processes (default 1)")
    add("--threads", type=_positive_int, default=16,
        help="threads per worker process running requests (default 16); slow clients hold none")
    add("--ssl-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (needs --ssl-key)")
    add("--ssl-key", metavar="FILE", help="private key of --ssl-cert, PEM (needs --ssl-cert)")
    add("--mock-storage", metavar="DIR",
        help="directory of the mock driver's data (sets DELTACLOUD_MOCK_STORAGE)")
    add("-t", "--timeout", type=_positive_int, default=60, metavar="SECONDS",
        help="longest wait on a backend socket and for a silent worker (default 60)")
    add("--header-timeout", type=_positive_int, default=int(DEFAULT_HEADER_TIMEOUT), metavar="SECONDS",
        help=f"time a client has to send a request's headers (default {int(DEFAULT_HEADER_TIMEOUT)})")
    add("--keepalive", type=_positive_int, default=DEFAULT_KEEPALIVE, metavar="SECONDS",
        help=f"how long an idle connection is kept open for the client's next request (default {DEFAULT_KEEPALIVE})")
    add("--max-connections", type=_positive_int, default=1000, metavar="N",
        help="open connections per worker process; more are closed at once (default 1000)")
    add("--max-body", type=_positive_int, metavar="BYTES",
        help=f"largest request body other than blob uploads (default {ServerConfig.max_body_bytes})")
    add("--max-upload", type=_positive_int, metavar="BYTES", default=DEFAULT_MAX_UPLOAD,
        help=f"largest blob upload (default {DEFAULT_MAX_UPLOAD}, 5 GiB)")
    add("-L", "--log", default="-", metavar="FILE",
        help="access log file; '-' for standard output (the default), 'off' for none")
    add("--forwarded-allow-ips", default=os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1", metavar="ADDRS",
        help="proxies whose X-Forwarded-* headers set links' scheme, host and prefix "
             "(env FORWARDED_ALLOW_IPS, else loopback; '*': any)")
    add("--coalesce", type=float, default=0.0, metavar="SECONDS",
        help="identical concurrent GETs with the same credentials share one backend call; an answer is "
             "reused for at most SECONDS (default 0: off)")
    add("-V", "--verbose", action="store_true", help="debug logging")
    backend_config.add_arguments(parser)
    add("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _check_tls(args: argparse.Namespace) -> str | None:
    """An error message when the TLS flags are incomplete or name unreadable files."""
    if bool(args.ssl_cert) != bool(args.ssl_key):
        given, missing = ("--ssl-cert", "--ssl-key") if args.ssl_cert else ("--ssl-key", "--ssl-cert")
        return f"{given} needs {missing}: HTTPS takes both a certificate and its private key"
    for flag, path in (("--ssl-cert", args.ssl_cert), ("--ssl-key", args.ssl_key)):
        if path and not os.access(path, os.R_OK):
            return f"{flag}: cannot read {path}"
    return None


def list_drivers(out: IO[str]) -> int:
    """Print each installed driver's name and human name, one per line; exit code 0."""
    names = loader.installed_drivers()
    if not names:
        print(f"{PROG}: no drivers installed (entry point group {loader.DRIVER_GROUP})", file=sys.stderr)
        return 0
    width = max(len(name) for name in names) + 2
    for name in names:
        try:
            human = loader.load_driver(name).name or name
        except (DriverLoadError, UnknownDriverError) as exc:
            human = f"(cannot be loaded: {exc})"
        print(f"{name:<{width}}{human}", file=out)
    return 0


def check_driver(name: str) -> str | None:
    """Load the driver ``name``; an error message naming the installed drivers when that fails."""
    installed = loader.installed_drivers()
    if name not in installed:
        return f"unknown driver '{name}'; installed drivers: {', '.join(installed) or 'none'}"
    try:
        loader.load_driver(name)
    except (DriverLoadError, UnknownDriverError, PluginError) as exc:
        return str(exc)
    return None


def public_url(host: str, port: int, tls: bool, prefix: str = "") -> str:
    """The URL of the API's entry point as a client on this machine would write it.

    ``prefix`` is the ``SCRIPT_NAME`` path the server is mounted under, if any.
    """
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}{prefix.rstrip('/')}/api"


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """The gunicorn settings for parsed ``deltacloudd`` arguments."""
    host = f"[{args.hostname}]" if ":" in args.hostname else args.hostname
    options: dict[str, Any] = {
        "bind": [f"{host}:{args.port}"],
        "workers": args.workers,
        "worker_class": "deltacloud.guard.GuardedWorker",  # gunicorn's asgi worker with connection guards
        "worker_connections": args.max_connections,
        "asgi_lifespan": "on",
        "keepalive": args.keepalive,
        "timeout": args.timeout,
        "proc_name": PROG,
        # One shared path per user would make a second server fail or steal the first one's socket.
        "control_socket_disable": True,
        "accesslog": None,  # the app writes its own (deltacloud.http.accesslog)
        "errorlog": "-",
        "threads": args.threads,
        "max_upload": args.max_upload,
        "access_log": args.log,
        "header_timeout": args.header_timeout,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "loglevel": "debug" if args.verbose else "info",
    }
    if args.ssl_cert:
        options["certfile"] = args.ssl_cert
        options["keyfile"] = args.ssl_key
    return options


def server_config(args: argparse.Namespace) -> ServerConfig:
    """The app's configuration for parsed ``deltacloudd`` arguments; ``ConfigError`` for unusable settings."""
    extra: dict[str, Any] = {} if args.max_body is None else {"max_body_bytes": args.max_body}
    if not 0 <= args.coalesce <= 60:
        raise backend_config.ConfigError(f"--coalesce must be between 0 and 60 seconds, not {args.coalesce}")
    extra.update(forwarded_allow_ips=parse_allow(args.forwarded_allow_ips), coalesce_seconds=args.coalesce)
    return ServerConfig(driver=args.driver, provider=args.provider, **extra, **backend_config.backend_settings(args))


class DeltacloudServer(BaseApplication):
    """gunicorn, embedded, serving the Deltacloud app built by ``create_app(config)`` in each worker."""

    def __init__(self, config: ServerConfig, options: dict[str, Any], banner: str) -> None:
        self._config = config
        self._options = options
        self._banner = banner
        #: Read by ``deltacloud.guard.GuardedWorker``.
        self.header_timeout = float(options.get("header_timeout", DEFAULT_HEADER_TIMEOUT))
        super().__init__(prog=PROG)

    def load_config(self) -> None:
        """Apply the options; never read gunicorn's own command line, env or config file."""
        for key, value in self._options.items():
            if key not in SERVING_KEYS:
                self.cfg.set(key, value)
        self.cfg.set("when_ready", _announce(self._banner))

    def load(self) -> Callable[..., Any]:
        """Build the app (WSGI inside, ASGI outside); runs in each worker after the fork."""
        # Backend sockets opened without a timeout of their own give up after --timeout
        # seconds, which the error hooks turn into 504.
        socket.setdefaulttimeout(self._options["timeout"])
        from deltacloud.http import accesslog
        from deltacloud.http.app import create_app
        from deltacloud.serve import ThreadedWSGI

        accesslog.configure(self._options.get("access_log", "-"))
        options = self._options
        app = accesslog.AccessLog(create_app(self._config))
        return ThreadedWSGI(app, threads=options.get("threads", 16),
                            max_body=self._config.max_body_bytes,
                            max_upload=options.get("max_upload", DEFAULT_MAX_UPLOAD),
                            script_name=os.environ.get("SCRIPT_NAME", ""), send_timeout=options["timeout"],
                            multiprocess=options.get("workers", 1) > 1)


def _announce(banner: str) -> Callable[[Any], None]:
    """A gunicorn ``when_ready`` hook printing ``banner`` once the socket listens."""

    def when_ready(_server: Any) -> None:
        print(banner, flush=True)

    return when_ready


def serve(config: ServerConfig, options: dict[str, Any], banner: str) -> int:
    """Run gunicorn until it is stopped (SIGINT, SIGTERM); its exit status."""
    try:
        import deltacloud.http.app  # noqa: F401  (fail once here rather than in every worker)
    except ImportError as exc:
        print(f"{PROG}: error: the API application cannot be imported: {exc}", file=sys.stderr)
        return 1
    try:
        DeltacloudServer(config, options, banner).run()
    except SystemExit as exc:  # the arbiter leaves through sys.exit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``deltacloudd``; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["new-driver"]:  # a sub-command of its own: lay out a new driver package
        from deltacloud.scaffold import main as new_driver

        return new_driver(arguments[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.list_drivers:
        return list_drivers(sys.stdout)
    problem = _check_tls(args)
    config = ServerConfig()
    try:
        config = server_config(args)
    except backend_config.ConfigError as exc:
        problem = problem or str(exc)
    else:  # the driver gets its settings when check_driver loads it: one that refuses them is a usage error
        loader.configure(config)
    problem = problem or check_driver(args.driver)
    if problem:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.mock_storage:
        os.environ["DELTACLOUD_MOCK_STORAGE"] = os.path.abspath(args.mock_storage)
    provider = f" (provider {args.provider})" if args.provider else ""
    url = public_url(args.hostname, args.port, bool(args.ssl_cert), os.environ.get("SCRIPT_NAME", ""))
    banner = f"{PROG}: driver {args.driver}{provider} on {url}"
    return serve(config, gunicorn_options(args), banner)


if __name__ == "__main__":
    raise SystemExit(main())
