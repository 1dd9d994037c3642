"""``deltacloudd`` command line: parsing, driver checks, TLS flags, gunicorn settings (no server started)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from deltacloud import cli, loader
from deltacloud.config import ServerConfig
from deltacloud.errors import DriverLoadError, UnknownDriverError


class FakeCloud:
    """Stands in for a driver class: the CLI reads only ``name``."""

    name = "Fake Cloud"


class Nameless:
    """A driver class without a human name."""

    name = ""


@pytest.fixture
def drivers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Three installed drivers: ``fake`` loads, ``plain`` has no human name, ``broken`` fails to load."""
    table: dict[str, Any] = {"fake": FakeCloud, "plain": Nameless, "broken": DriverLoadError("Driver 'broken': boom")}

    def load_driver(name: str) -> type:
        if name not in table:
            raise UnknownDriverError(f"Driver '{name}' is not installed")
        if isinstance(table[name], Exception):
            raise table[name]
        return table[name]

    monkeypatch.setattr(loader, "installed_drivers", lambda: tuple(sorted(table)))
    monkeypatch.setattr(loader, "load_driver", load_driver)
    return table


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[ServerConfig, dict[str, Any], str]]:
    """Replace ``cli.serve``; record what ``main`` would have served."""
    calls: list[tuple[ServerConfig, dict[str, Any], str]] = []

    def fake_serve(config: ServerConfig, options: dict[str, Any], banner: str) -> int:
        calls.append((config, options, banner))
        return 0

    monkeypatch.setattr(cli, "serve", fake_serve)
    return calls


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No API_DRIVER / API_PROVIDER from the outside; DELTACLOUD_MOCK_STORAGE restored after the test."""
    monkeypatch.delenv("API_DRIVER", raising=False)
    monkeypatch.delenv("API_PROVIDER", raising=False)
    monkeypatch.delenv("SCRIPT_NAME", raising=False)
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", "unchanged")
    return monkeypatch


def _pem_pair(tmp_path: Path) -> tuple[str, str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("not checked by the CLI\n")
    key.write_text("not checked by the CLI\n")
    return str(cert), str(key)


# -- parsing ------------------------------------------------------------------------------------


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    args = cli.build_parser().parse_args([])
    assert (args.driver, args.provider, args.hostname, args.port) == ("mock", None, "127.0.0.1", 3001)
    assert (args.workers, args.threads, args.timeout) == (1, 16, 60)
    assert (args.ssl_cert, args.ssl_key, args.mock_storage, args.max_body) == (None, None, None, None)
    assert not args.verbose and not args.list_drivers


def test_environment_gives_driver_and_provider_defaults(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("API_DRIVER", "fake")
    clean_env.setenv("API_PROVIDER", "eu-west-1")
    args = cli.build_parser().parse_args([])
    assert (args.driver, args.provider) == ("fake", "eu-west-1")
    assert cli.build_parser().parse_args(["-i", "plain", "-P", "x"]).driver == "plain"


def test_every_flag_parses(clean_env: pytest.MonkeyPatch) -> None:
    args = cli.build_parser().parse_args([
        "-i", "fake", "-r", "0.0.0.0", "-p", "8080", "-P", "prov", "--workers", "3", "--threads", "8",
        "--ssl-cert", "c.pem", "--ssl-key", "k.pem", "--mock-storage", "/tmp/m", "--timeout", "5",
        "-V", "--max-body", "2048", "-L", "off",
    ])
    assert (args.driver, args.hostname, args.port, args.provider) == ("fake", "0.0.0.0", 8080, "prov")
    assert (args.workers, args.threads, args.timeout, args.max_body) == (3, 8, 5, 2048)
    assert (args.ssl_cert, args.ssl_key, args.mock_storage, args.log) == ("c.pem", "k.pem", "/tmp/m", "off")
    assert args.verbose


@pytest.mark.parametrize("argv", [
    ["-p", "0"], ["-p", "70000"], ["-p", "http"], ["--workers", "0"], ["--threads", "-1"],
    ["--timeout", "0"], ["--max-body", "lots"], ["--no-such-flag"],
])
def test_bad_values_exit_2(argv: list[str], drivers: dict[str, Any], served: list[Any],
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-i", "fake", *argv]) == 2
    assert "error" in capsys.readouterr().err
    assert served == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--driver", "--hostname", "--port", "--provider", "--drivers", "--workers", "--threads",
                 "--ssl-cert", "--ssl-key", "--mock-storage", "--timeout", "--verbose", "--max-body"):
        assert flag in out


# -- listing drivers ----------------------------------------------------------------------------


def test_list_drivers_prints_names_and_human_names(drivers: dict[str, Any], served: list[Any],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-l"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["broken", "fake", "plain"]
    assert lines[1].split(None, 1)[1] == "Fake Cloud"
    assert lines[2].split(None, 1)[1] == "plain"  # no human name: the id stands in
    assert "cannot be loaded" in lines[0] and "boom" in lines[0]
    assert served == []


def test_list_drivers_when_none_installed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(loader, "installed_drivers", lambda: ())
    assert cli.main(["--drivers"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no drivers installed" in captured.err


# -- driver checks before serving ----------------------------------------------------------------


def test_unknown_driver_exits_2_naming_installed_drivers(drivers: dict[str, Any], served: list[Any],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-i", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "nosuch" in err
    assert "broken, fake, plain" in err
    assert served == []


def test_unknown_driver_from_environment(drivers: dict[str, Any], served: list[Any], clean_env: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("API_DRIVER", "ec2")
    assert cli.main([]) == 2
    assert "'ec2'" in capsys.readouterr().err
    assert served == []


def test_driver_that_fails_to_load_exits_2_with_its_message(drivers: dict[str, Any], served: list[Any],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-i", "broken"]) == 2
    assert "Driver 'broken': boom" in capsys.readouterr().err
    assert served == []


# -- TLS flags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "missing"), [("--ssl-cert", "--ssl-key"), ("--ssl-key", "--ssl-cert")])
def test_tls_flags_come_in_pairs(given: str, missing: str, tmp_path: Path, drivers: dict[str, Any],
                                 served: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    cert, _ = _pem_pair(tmp_path)
    assert cli.main(["-i", "fake", given, cert]) == 2
    err = capsys.readouterr().err
    assert f"{given} needs {missing}" in err
    assert served == []


def test_tls_files_must_be_readable(tmp_path: Path, drivers: dict[str, Any], served: list[Any],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    cert, _ = _pem_pair(tmp_path)
    missing = str(tmp_path / "absent.key")
    assert cli.main(["-i", "fake", "--ssl-cert", cert, "--ssl-key", missing]) == 2
    assert f"--ssl-key: cannot read {missing}" in capsys.readouterr().err
    assert served == []


# -- what main hands to the server -----------------------------------------------------------------


def test_main_serves_with_config_and_banner(drivers: dict[str, Any], served: list[Any],
                                            clean_env: pytest.MonkeyPatch) -> None:
    assert cli.main(["-i", "fake", "-P", "north", "-p", "4000", "--max-body", "4096"]) == 0
    [(config, options, banner)] = served
    assert config == ServerConfig(driver="fake", provider="north", max_body_bytes=4096)
    assert options["bind"] == ["127.0.0.1:4000"]
    assert banner == "deltacloudd: driver fake (provider north) on http://127.0.0.1:4000/api"


def test_default_body_limit_is_the_config_default(drivers: dict[str, Any], served: list[Any],
                                                  clean_env: pytest.MonkeyPatch) -> None:
    assert cli.main(["-i", "fake"]) == 0
    config, _, banner = served[0]
    assert config.max_body_bytes == ServerConfig().max_body_bytes
    assert banner == "deltacloudd: driver fake on http://127.0.0.1:3001/api"


def test_tls_banner_and_options(tmp_path: Path, drivers: dict[str, Any], served: list[Any],
                                clean_env: pytest.MonkeyPatch) -> None:
    cert, key = _pem_pair(tmp_path)
    assert cli.main(["-i", "fake", "--ssl-cert", cert, "--ssl-key", key]) == 0
    _, options, banner = served[0]
    assert banner == "deltacloudd: driver fake on https://127.0.0.1:3001/api"
    assert (options["certfile"], options["keyfile"]) == (cert, key)


def test_mock_storage_sets_the_environment(tmp_path: Path, drivers: dict[str, Any], served: list[Any],
                                           clean_env: pytest.MonkeyPatch) -> None:
    clean_env.chdir(tmp_path)
    assert cli.main(["-i", "fake", "--mock-storage", "store"]) == 0
    assert os.environ["DELTACLOUD_MOCK_STORAGE"] == str(tmp_path / "store")


def test_ipv6_address_is_bracketed(drivers: dict[str, Any], served: list[Any], clean_env: pytest.MonkeyPatch) -> None:
    assert cli.main(["-i", "fake", "-r", "::1", "-p", "3002"]) == 0
    _, options, banner = served[0]
    assert options["bind"] == ["[::1]:3002"]
    assert banner.endswith("http://[::1]:3002/api")


def test_banner_shows_the_script_name_prefix(drivers: dict[str, Any], served: list[Any],
                                            clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SCRIPT_NAME", "/cloud/")
    assert cli.main(["-i", "fake"]) == 0
    assert served[0][2] == "deltacloudd: driver fake on http://127.0.0.1:3001/cloud/api"


# -- gunicorn settings -------------------------------------------------------------------------------


def _options(*argv: str) -> dict[str, Any]:
    return cli.gunicorn_options(cli.build_parser().parse_args(["-i", "fake", *argv]))


def test_gunicorn_options() -> None:
    options = _options("--workers", "2", "--threads", "6", "--timeout", "9", "--max-upload", "1000")
    assert options["control_socket_disable"] is True
    assert options["worker_class"] == "deltacloud.guard.GuardedWorker"
    assert (options["workers"], options["threads"], options["timeout"]) == (2, 6, 9)
    assert options["max_upload"] == 1000
    assert options["loglevel"] == "info" and options["access_log"] == "-"
    assert options["accesslog"] is None  # gunicorn's own access log stays off: the app writes one
    assert "certfile" not in options and "keyfile" not in options
    assert _options("-V")["loglevel"] == "debug"
    assert _options("-L", "off")["access_log"] == "off"
    assert _options()["threads"] == 16
    assert _options()["keepalive"] == 15 and _options("--keepalive", "3")["keepalive"] == 3


def test_gunicorn_accepts_the_settings(tmp_path: Path) -> None:
    cert, key = _pem_pair(tmp_path)
    options = _options("--ssl-cert", cert, "--ssl-key", key, "--threads", "2")
    server = cli.DeltacloudServer(ServerConfig(driver="fake"), options, "banner")
    cfg = server.cfg
    assert cfg.control_socket_disable is True
    assert cfg.worker_class_str == "deltacloud.guard.GuardedWorker"
    # The threads are deltacloud.serve's, not gunicorn's (whose asgi worker would warn about them).
    assert cfg.threads == 1 and cfg.timeout == 60 and cfg.keepalive == 15
    assert cfg.certfile == cert and cfg.keyfile == key and cfg.is_ssl
    assert cfg.accesslog is None
    assert cfg.proc_name == "deltacloudd"


def test_when_ready_prints_the_banner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = cli.DeltacloudServer(ServerConfig(driver="fake"), _options(), "deltacloudd: driver fake on X")
    server.cfg.when_ready(None)
    assert capsys.readouterr().out == "deltacloudd: driver fake on X\n"
