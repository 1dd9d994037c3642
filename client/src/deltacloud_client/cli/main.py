"""``deltacloudc``: the Deltacloud API from the command line.

    deltacloudc [--url U] [--user U] [--driver D] [--provider P] [--format table|json]
                COLLECTION [ACTION] [ID] [--param value ...]

The URL and user come from ``--url``/``--user`` or ``DELTACLOUD_URL``/``DELTACLOUD_USER``; the
password from ``DELTACLOUD_PASSWORD``, a prompt that does not echo, or a line on standard input
when that is not a terminal. Exit codes are in
:data:`EXIT_CODES`.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from deltacloud_client import __version__, errors
from deltacloud_client.cli import commands
from deltacloud_client.client import Client, url_credentials

#: What each exit status means; scripts may rely on these.
EXIT_CODES = {
    0: "success",
    1: "any other error reported by the server",
    2: "usage error (bad command line)",
    3: "authentication failed (401)",
    4: "not found (404; the original's 403 for an action on a missing instance)",
    5: "invalid state: the action is not offered, or the wanted state cannot follow (405)",
    6: "validation failed or conflict (400, 409)",
    7: "not supported by the driver (501, or a collection the server does not advertise)",
    8: "backend or server failure (500, 502, 503)",
    9: "timed out (waiting for a state, or the backend: 504)",
    10: "cannot reach the server, or it does not speak the Deltacloud API",
    130: "interrupted",
}

GLOBAL_OPTIONS = {"url", "user", "driver", "provider", "format", "api-format"}

USAGE = """usage: deltacloudc [--url U] [--user U] [--driver D] [--provider P] [--format table|json]
                   [--api-format xml|json|auto] COLLECTION [ACTION] [ID] [--param value ...]

  COLLECTION  a collection the server advertises (instances, images, realms, keys, ...),
              or 'api' (the entry point) or 'instance_states' (the state machine)
  ACTION      list (default), show ID, create, destroy ID, any action the resource offers
              (start, stop, reboot, attach, associate, register, ...), and for instances:
              wait ID --state S [--timeout T], path ID --state S, drive ID --state S [--timeout T],
              watch [--interval S]; for buckets: blob BUCKET --id B [--output FILE|-],
              put BUCKET --id B --file FILE [--content_type T] [--META value ...]
  --param v   filters for list, parameters for create and actions (e.g. --image_id img1)

environment: DELTACLOUD_URL, DELTACLOUD_USER, DELTACLOUD_PASSWORD (prompted for when unset,
             or read from standard input when it is not a terminal)
exit codes: """ + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())


class UsageError(Exception):
    """The command line is wrong."""


def parse(argv: Sequence[str]) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Split ``argv`` into global options, positionals and ``--param value`` pairs."""
    options: dict[str, str] = {}
    positionals: list[str] = []
    params: dict[str, str] = {}
    items = list(argv)
    index = 0
    while index < len(items):
        token = items[index]
        index += 1
        if token.startswith("--") and len(token) > 2:
            name, has_value, value = token[2:].partition("=")
            if not has_value:
                if index >= len(items):
                    raise UsageError(f"--{name} needs a value")
                value = items[index]
                index += 1
            if name in GLOBAL_OPTIONS:
                options[name] = value
            else:
                params[name.replace("-", "_")] = value
        elif token.startswith("-") and token != "-":
            raise UsageError(f"unknown option {token}")
        else:
            positionals.append(token)
    if options.get("format", "table") not in ("table", "json"):
        raise UsageError("--format is table or json")
    if options.get("api-format", "xml") not in ("xml", "json", "auto"):
        raise UsageError("--api-format is xml, json or auto")
    return options, positionals, params


def connect(options: dict[str, str], environ: dict[str, str] | os._Environ[str], stdin: TextIO) -> Client:
    """The client for the options and the environment; prompts for the password when it must."""
    url = options.get("url") or environ.get("DELTACLOUD_URL")
    if not url:
        raise UsageError("no API URL: give --url or set DELTACLOUD_URL")
    in_url = url_credentials(url)
    user = options.get("user") or environ.get("DELTACLOUD_USER") or in_url[0]
    password = environ.get("DELTACLOUD_PASSWORD") or in_url[1]
    if user and password is None:
        if stdin.isatty():
            password = getpass.getpass(f"Password for {user}: ", stream=sys.stderr)  # never echoed
        else:  # a script pipes it in
            line = stdin.readline()
            if not line:
                raise EOFError("no password: set DELTACLOUD_PASSWORD, type it at the prompt or pipe it in")
            password = line.rstrip("\r\n")
    return Client(url, user, password, options.get("driver"), options.get("provider"),
                  format=options.get("api-format", "xml"))


def exit_code(error: Exception) -> int:
    """The exit status for an error (see :data:`EXIT_CODES`)."""
    table: list[tuple[type[BaseException], int]] = [
        (errors.AuthenticationError, 3), (errors.NotFoundError, 4), (errors.InvalidStateError, 5),
        (errors.ValidationError, 6), (errors.ConflictError, 6), (errors.NotSupportedError, 7),
        (errors.WaitTimeoutError, 9), (errors.BackendTimeoutError, 9), (errors.ServerError, 8),
        (errors.ProtocolError, 10),
    ]
    for cls, code in table:
        if isinstance(error, cls):
            return code
    if isinstance(error, errors.DeltacloudError) and error.status is None:
        return 10  # never reached the server
    return 1


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``deltacloudc``; the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, file=out if args else err)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"deltacloudc {__version__}", file=out)
        return 0
    try:
        options, positionals, params = parse(args)
        if not positionals:
            raise UsageError("no COLLECTION given")
        client = connect(options, os.environ, sys.stdin)
        return commands.run(client, positionals, params, options.get("format", "table"), out, err)
    except UsageError as exc:
        print(f"deltacloudc: {exc}\n\n{USAGE}", file=err)
        return 2
    except KeyboardInterrupt:
        print("deltacloudc: interrupted", file=err)
        return 130
    except errors.DeltacloudError as exc:
        print(f"deltacloudc: {type(exc).__name__}: {exc}", file=err)
        return exit_code(exc)
    except (EOFError, commands.CommandError) as exc:
        print(f"deltacloudc: {exc or 'no password given'}", file=err)
        return 2


if __name__ == "__main__":
    sys.exit(main())
