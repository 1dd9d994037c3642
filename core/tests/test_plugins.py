"""The plugin system through real ``deltacloud.plugins`` entry points and real ``deltacloudd`` processes.

Two plugin distributions of the tests (``fixtures/fortunes_plugin.py`` implements every hook,
``fixtures/stamp_plugin.py`` two of them) are made real entry points with
``deltacloud.testing.installed_entry_point`` and reach the server through its ``PYTHONPATH``:
all plugins load by default, ``DELTACLOUD_PLUGINS`` picks some, ``DELTACLOUD_TRACE_HOOKS=1``
logs hook calls, and a misspelled hook implementation stops the server at start-up.
"""

from __future__ import annotations

import ast
import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest
import requests
from defusedxml import ElementTree

from deltacloud import plugins
from deltacloud.plugins import PLUGIN_GROUP, hookspecs
from deltacloud.testing import Deltaclouds, ServerProcess, deltacloudd_fixture, installed_entry_point

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parents[2] / "docs"
AUTH = ("mockuser", "mockpassword")
TIMEOUT = 10

servers = deltacloudd_fixture("servers", scope="module")


def _install(directory: Path, *names: str) -> contextlib.ExitStack:
    """Copy the named plugin modules into ``directory`` and make each an entry point of ``deltacloud.plugins``."""
    stack = contextlib.ExitStack()
    for name in names:
        shutil.copy(FIXTURES / f"{name}_plugin.py", directory / f"{name}_plugin.py")
        stack.enter_context(installed_entry_point(directory, name, f"{name}_plugin", group=PLUGIN_GROUP))
    return stack


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory on ``sys.path`` holding both plugin distributions (the dist-info and the modules)."""
    directory = tmp_path_factory.mktemp("plugins")
    with _install(directory, "fortunes", "stamp"):
        yield directory


@pytest.fixture(scope="module")
def both(servers: Deltaclouds, plugin_dir: Path) -> ServerProcess:
    """``deltacloudd -i mock`` with every installed plugin (no ``DELTACLOUD_PLUGINS``)."""
    return servers.start("--log", "off", pythonpath=[plugin_dir], env={"DELTACLOUD_PLUGINS": ""})


@pytest.fixture(scope="module")
def fortunes_only(servers: Deltaclouds, plugin_dir: Path) -> ServerProcess:
    """``deltacloudd -i mock`` loading only the ``fortunes`` plugin, with hook tracing on."""
    return servers.start("--log", "off", pythonpath=[plugin_dir],
                         env={"DELTACLOUD_PLUGINS": "fortunes", "DELTACLOUD_TRACE_HOOKS": "1"})


def _root(server: ServerProcess, path: str = "", **params: str) -> ElementTree.Element:
    response = requests.get(f"{server.url}{path}", auth=AUTH, params=params, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.content)


def _features(server: ServerProcess, collection: str) -> set[str]:
    link = next(e for e in _root(server).findall("link") if e.get("rel") == collection)
    return {f.get("name") for f in link.findall("feature")}


def _base(server: ServerProcess) -> str:
    return server.url.removesuffix("/api")


# -- every hook, over HTTP ---------------------------------------------------------------------------

def test_the_collection_hook_adds_a_collection_with_its_own_writers(both: ServerProcess) -> None:
    assert "fortunes" in {e.get("rel") for e in _root(both).findall("link")}
    listing = _root(both, "/fortunes")
    assert listing.tag == "fortunes"
    assert [(e.get("id"), e.findtext("text")) for e in listing.findall("fortune")] == [
        ("f1", "A watched instance never leaves PENDING."), ("f2", "Clouds pass; APIs stay.")]
    one = requests.get(f"{both.url}/fortunes/f2", params={"format": "json"}, timeout=TIMEOUT)
    assert one.status_code == 200
    assert one.json()["fortune"] == {"id": "f2", "href": f"{both.url}/fortunes/f2", "text": "Clouds pass; APIs stay."}
    missing = requests.get(f"{both.url}/fortunes/f9", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert ElementTree.fromstring(missing.content).findtext("message") == "Fortune 'f9' not found"
    # The API description knows it: OPTIONS lists what the collection offers.
    options = requests.options(f"{both.url}/fortunes", timeout=TIMEOUT)
    assert options.status_code == 200 and "GET" in options.headers["Allow"]


def test_the_features_hook_adds_a_feature(both: ServerProcess) -> None:
    features = _features(both, "instances")
    assert {"sandboxing", "authentication_password"} <= features
    assert "user_name" in features  # the mock's own features stay


def test_the_translate_error_hook_maps_the_plugins_exception(both: ServerProcess) -> None:
    response = requests.post(f"{both.url}/fortunes/f1/draw", timeout=TIMEOUT)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "30"
    message = ElementTree.fromstring(response.content).findtext("message")
    assert message == "No fortune for driver mock: the jar is empty"
    assert "Traceback" not in both.output()


def test_the_configure_app_hook_adds_a_route(both: ServerProcess) -> None:
    response = requests.get(f"{_base(both)}/plugin/fortunes", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.text == "fortunes plugin here, default driver mock\n"
    assert requests.get(f"{_base(both)}/plugin/stamp", timeout=TIMEOUT).text == "stamped\n"


# -- DELTACLOUD_PLUGINS and DELTACLOUD_TRACE_HOOKS ---------------------------------------------------

def test_deltacloud_plugins_loads_only_the_named_plugins(fortunes_only: ServerProcess) -> None:
    features = _features(fortunes_only, "instances")
    assert "sandboxing" in features
    assert "authentication_password" not in features  # the stamp plugin's feature
    assert requests.get(f"{_base(fortunes_only)}/plugin/stamp", timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{_base(fortunes_only)}/plugin/fortunes", timeout=TIMEOUT).status_code == 200
    assert requests.get(f"{fortunes_only.url}/fortunes/f1", timeout=TIMEOUT).status_code == 200


def test_trace_hooks_logs_every_hook_call(fortunes_only: ServerProcess) -> None:
    requests.post(f"{fortunes_only.url}/fortunes/f1/draw", timeout=TIMEOUT)
    log = fortunes_only.output()
    for hook in ("deltacloud_collections", "deltacloud_features", "deltacloud_configure_app",
                 "deltacloud_translate_error"):
        assert re.search(rf"\b{hook}\b", log), f"{hook} is not in the log:\n{log[-3000:]}"


def test_without_tracing_no_hook_calls_are_logged(both: ServerProcess) -> None:
    requests.get(f"{both.url}/fortunes", timeout=TIMEOUT)
    assert "deltacloud_collections" not in both.output()


# -- a misspelled hook implementation ----------------------------------------------------------------

def test_a_misspelled_hookimpl_stops_the_server_at_start_up(tmp_path: Path) -> None:
    with _install(tmp_path, "misspelled"):
        with pytest.raises(plugins.PluginError, match=r"plugin 'misspelled'.*deltacloud_colections") as caught:
            plugins.plugin_manager()  # in this process: check_pending refuses it
        assert isinstance(caught.value.__cause__, pluggy.PluginValidationError)
        attempt = Deltaclouds(tmp_path / "server")
        with pytest.raises(RuntimeError, match="exited with") as failed:
            attempt.start("--log", "off", pythonpath=[tmp_path], timeout=30)
    output = str(failed.value)
    assert "deltacloudd: error: plugin 'misspelled'" in output and "deltacloud_colections" in output
    assert "Traceback" not in output
    plugins.plugin_manager()  # gone again: the manager builds without it


# -- the docs ----------------------------------------------------------------------------------------

def _hookspecs() -> dict[str, list[str]]:
    """Every hookspec's name and its parameters, read from ``hookspecs.py``."""
    tree = ast.parse(Path(hookspecs.__file__).read_text())
    return {node.name: [a.arg for a in node.args.args] for node in tree.body
            if isinstance(node, ast.FunctionDef) and any(
                (getattr(d, "id", None) or getattr(getattr(d, "func", None), "id", None)) == "hookspec"
                for d in node.decorator_list)}


def test_every_hookspec_is_documented() -> None:
    specs = _hookspecs()
    assert set(specs) == {"deltacloud_collections", "deltacloud_features", "deltacloud_translate_error",
                          "deltacloud_configure_app"}
    text = (DOCS / "writing-a-plugin.md").read_text()
    for name, params in specs.items():
        section = text.split(f"### `{name}", 1)
        assert len(section) == 2, f"docs/writing-a-plugin.md has no section for {name}"
        body = section[1].split("\n### ", 1)[0]
        for param in params:
            assert f"`{param}`" in body, f"{name}: parameter {param} is not documented"
    assert "DELTACLOUD_PLUGINS" in text and "DELTACLOUD_TRACE_HOOKS" in text and PLUGIN_GROUP in text
