"""The pytest plugin (entry point ``pytest11``): command-line options and the fixtures the suite runs on.

Nothing here runs a test by itself: the suite runs where a test module imports it
(``from deltacloud_conformance.suite import *``), or when ``--deltacloud-url`` is given with no
test path (an operator certifying a server from an empty directory).

A driver's ``conftest.py`` adjusts the run by overriding session- (or module-) scoped fixtures:
``dc_driver``, ``dc_credentials``, ``dc_provider``, ``dc_expected_features``, ``dc_settings``,
``dc_launch_images``, ``dc_keyname`` and ``dc_user_data_reader``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deltacloud_conformance import profile
from deltacloud_conformance.choices import Offer, read_offer
from deltacloud_conformance.client import DeltacloudApi, HttpTransport, InProcessTransport
from deltacloud_conformance.documents import EntryPoint, Machine, entry_point_from_xml, machine_from_xml
from deltacloud_conformance.lifecycle import Instances, Settings
from deltacloud_conformance.report import SummaryPlugin
from deltacloud_conformance.requirements import check_requirements
from deltacloud_conformance.tracker import Tracker

SUITE_DIR = Path(__file__).parent / "suite"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--deltacloud-*`` options (inert unless the suite runs)."""
    group = parser.getgroup("deltacloud", "Deltacloud conformance kit")
    add = group.addoption
    add("--deltacloud-driver", metavar="NAME", help="run the suite in-process against the driver installed as NAME")
    add("--deltacloud-url", metavar="URL", help="run the suite against a live server's entry point, e.g. "
        "http://127.0.0.1:3001/api")
    add("--deltacloud-user", metavar="USER", help="user name or access key (env DELTACLOUD_USER)")
    add("--deltacloud-password", metavar="PASSWORD", help="password or secret key (env DELTACLOUD_PASSWORD)")
    add("--deltacloud-provider", metavar="PROVIDER", help="provider to select (region, endpoint…)")
    add("--deltacloud-expect-features", metavar="NAMES",
        help="comma-separated features the server must advertise, exactly ('' for none)")
    add("--deltacloud-state-timeout", metavar="SECONDS", type=float,
        help=f"longest wait for an instance state change (default {Settings.state_timeout:g})")
    add("--deltacloud-max-launches", metavar="N", type=int,
        help=f"most instances the image/realm/profile combination test launches (default {Settings.max_launches})")
    add("--deltacloud-ca-bundle", metavar="FILE", help="CA bundle to verify a live server's certificate with")
    add("--deltacloud-profile", choices=profile.PROFILES, default=profile.DEFAULT,
        help="strict (default): our server's behaviour, decisions and extensions included; 1.1: what Deltacloud "
             "1.1 promised (pure decisions and extensions deselected, the rest loosened; the summary lists them)")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; with ``--deltacloud-url`` and no test path, collect the suite itself."""
    config.addinivalue_line("markers", "dc_requires(collection=None, feature=None): run only when /api advertises "
                                       "the collection or feature; skip with the reason otherwise")
    config.addinivalue_line("markers", "dc_decision(name): checks one of our decisions (design.md section 9); "
                                       "the 1.1 profile deselects or loosens it")
    config.addinivalue_line("markers", "dc_extension(name): checks one of our extensions; the 1.1 profile "
                                       "deselects or loosens it")
    profile.select(config.getoption("deltacloud_profile", profile.DEFAULT) or profile.DEFAULT)
    config.pluginmanager.register(SummaryPlugin(), "deltacloud-conformance-summary")
    config.pluginmanager.register(ProfileReport(), "deltacloud-conformance-profile")
    source = getattr(config, "args_source", None)
    if (config.getoption("deltacloud_url") and source == pytest.Config.ArgsSource.INVOCATION_DIR
            and not _has_tests(config.invocation_params.dir)):
        config.args = [str(SUITE_DIR)]


def _choices_of(item: pytest.Item) -> list[tuple[str, str]]:
    """``(marker, name)`` of each decision or extension a test is marked with; unknown names fail loudly."""
    found = []
    for marker in ("dc_decision", "dc_extension"):
        for mark in item.iter_markers(marker):
            name = mark.args[0] if mark.args else ""
            choice = profile.CHOICES.get(name)
            if choice is None or choice.kind != marker.removeprefix("dc_"):
                raise pytest.UsageError(f"{item.nodeid}: {marker}({name!r}) is not in deltacloud_conformance.profile")
            found.append((marker, name))
    return found


class ProfileReport:
    """Deselects what the 1.1 profile leaves out and lists, at the end, what the profile deselected and loosened."""

    def __init__(self) -> None:
        self.deselected: list[tuple[str, str, str]] = []
        self.loosened: dict[str, list[str]] = {}
        self.marked: dict[str, int] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Under profile 1.1, deselect the tests of pure decisions and extensions; note the loosened ones."""
        kept, dropped = [], []
        for item in items:
            choices = _choices_of(item)
            out = profile.deselected_by(choices)
            if out is not None:
                dropped.append(item)
                self.deselected.append((item.nodeid, out[0], out[1].why))
                continue
            kept.append(item)
            for _marker, name in choices:
                self.marked[name] = self.marked.get(name, 0) + 1
                if profile.loosened(name):
                    self.loosened.setdefault(name, []).append(item.nodeid)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """What the profile changed, and why."""
        if not self.marked:
            return
        write = terminalreporter.write_line
        terminalreporter.section(f"deltacloud profile {profile.current()}")
        if profile.current() == profile.DEFAULT:
            write("nothing deselected or loosened; checked as our own decisions and extensions (the 1.1 profile "
                  "deselects or loosens them): " + ", ".join(f"{n} ({c})" for n, c in self.marked.items()))
            return
        by_choice: dict[str, list[str]] = {}
        for nodeid, name, _why in self.deselected:
            by_choice.setdefault(name, []).append(nodeid)
        for name, nodeids in by_choice.items():
            write(f"deselected {len(nodeids)} ({name}: {profile.CHOICES[name].why})")
        for name, nodeids in self.loosened.items():
            choice = profile.CHOICES[name]
            write(f"loosened {len(nodeids)} ({name}: {choice.loosened_to}; ours: {choice.why})")


def _has_tests(directory: Path) -> bool:
    """Whether ``directory`` holds tests of its own (then ``pytest`` there runs them, not the bare suite)."""
    return (directory / "conftest.py").exists() or (directory / "tests").is_dir() or any(
        directory.glob("test_*.py"))


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say what the suite is run against, when it is."""
    url, driver = config.getoption("deltacloud_url"), config.getoption("deltacloud_driver")
    if url:
        return f"deltacloud conformance: live server {url}"
    if driver:
        return f"deltacloud conformance: driver {driver!r} in-process"
    return None


# -- what to test, and as whom -------------------------------------------------------------------

@pytest.fixture(scope="session")
def dc_driver(pytestconfig: pytest.Config) -> str | None:
    """The driver to load in-process (``--deltacloud-driver``); override in a driver's conftest."""
    return pytestconfig.getoption("deltacloud_driver")


@pytest.fixture(scope="session")
def dc_credentials(pytestconfig: pytest.Config) -> tuple[str, str] | None:
    """``(user, password)`` for the cloud: the options, else ``DELTACLOUD_USER``/``DELTACLOUD_PASSWORD``."""
    user = pytestconfig.getoption("deltacloud_user") or os.environ.get("DELTACLOUD_USER")
    password = pytestconfig.getoption("deltacloud_password") or os.environ.get("DELTACLOUD_PASSWORD")
    if user is None:
        return None
    return user, password or ""


@pytest.fixture(scope="session")
def dc_provider(pytestconfig: pytest.Config) -> str | None:
    """The provider to select on every request (``--deltacloud-provider``), or None for the default."""
    return pytestconfig.getoption("deltacloud_provider")


@pytest.fixture(scope="session")
def dc_expected_features(pytestconfig: pytest.Config) -> frozenset[str] | None:
    """Exactly the features ``/api`` must advertise; a driver's conftest pins them. None: not pinned."""
    value = pytestconfig.getoption("deltacloud_expect_features")
    if value is None:
        return None
    return frozenset(name.strip() for name in value.split(",") if name.strip())


@pytest.fixture(scope="session")
def dc_settings(pytestconfig: pytest.Config) -> Settings:
    """Timeouts and limits; the options override the defaults."""
    timeout = pytestconfig.getoption("deltacloud_state_timeout")
    launches = pytestconfig.getoption("deltacloud_max_launches")
    defaults = Settings()
    return Settings(state_timeout=timeout if timeout is not None else defaults.state_timeout,
                    max_launches=launches if launches is not None else defaults.max_launches)


@pytest.fixture(scope="session")
def dc_launch_images() -> list[str] | None:
    """Image ids the instance tests may launch; None: every listed image (bounded by ``max_launches``)."""
    return None


@pytest.fixture(scope="session")
def dc_keyname() -> str | None:
    """An existing key name for ``authentication_key`` when the driver cannot create keys through the API."""
    return None


@pytest.fixture(scope="session")
def dc_bucket_location() -> str | None:
    """A location buckets may be created in, to check the ``bucket_location`` feature; None skips that check."""
    return None


@pytest.fixture(scope="session")
def dc_user_data_reader() -> Callable[[str], bytes | None] | None:
    """A function reading an instance's user data back from the cloud, when the API cannot show it."""
    return None


# -- the API ---------------------------------------------------------------------------------------

def _in_process(driver: str, provider: str | None) -> InProcessTransport:
    """An in-process app serving ``driver``; fails the tests with the loader's own message if it cannot load."""
    from deltacloud import loader
    from deltacloud.config import ServerConfig
    from deltacloud.errors import DeltacloudError, DriverLoadError
    from deltacloud.http.app import create_app

    try:
        loader.load(driver)
    except (DeltacloudError, DriverLoadError) as exc:
        pytest.fail(f"driver {driver!r} cannot be loaded: {getattr(exc, 'message', None) or exc}", pytrace=False)
    return InProcessTransport(create_app(ServerConfig(driver=driver, provider=provider)))


@pytest.fixture(scope="module")
def dc_api(pytestconfig: pytest.Config, dc_driver: str | None, dc_credentials: tuple[str, str] | None,
           dc_provider: str | None) -> Iterator[DeltacloudApi]:
    """The API under test: a live server (``--deltacloud-url``) or the driver loaded in-process.

    Module-scoped, like everything read from it: two drivers' test modules in one pytest run
    (``pytest drivers/``) each get their own API, built from their own conftest's fixtures.
    """
    url = pytestconfig.getoption("deltacloud_url")
    if url:
        transport: Any = HttpTransport(url, verify=pytestconfig.getoption("deltacloud_ca_bundle") or True)
    elif dc_driver:
        transport = _in_process(dc_driver, dc_provider)
    else:
        pytest.fail("nothing to test: pass --deltacloud-url URL or --deltacloud-driver NAME, or override the "
                    "dc_driver fixture in your conftest.py", pytrace=False)
    if dc_credentials is None:
        pytest.fail("no credentials: pass --deltacloud-user/--deltacloud-password (or set DELTACLOUD_USER and "
                    "DELTACLOUD_PASSWORD), or override the dc_credentials fixture", pytrace=False)
    try:
        # The kit reads XML unless a test is about content negotiation (it then sends its own Accept).
        yield DeltacloudApi(transport, dc_credentials, dc_provider, {"Accept": "application/xml"})
    finally:
        transport.close()


@pytest.fixture(scope="module")
def dc_entry(dc_api: DeltacloudApi) -> EntryPoint:
    """The entry point document, read once."""
    return entry_point_from_xml(dc_api.xml("/"))


@pytest.fixture(scope="module")
def dc_machine(dc_api: DeltacloudApi) -> Machine:
    """The instance state machine, read once from ``/api/instance_states``."""
    return machine_from_xml(dc_api.xml("/instance_states"))


@pytest.fixture(scope="module")
def _dc_offer_cache() -> dict[str, Offer]:
    """The offer once read successfully (kept per test module)."""
    return {}


@pytest.fixture
def dc_offer(dc_api: DeltacloudApi, dc_launch_images: list[str] | None, _dc_offer_cache: dict[str, Offer]) -> Offer:
    """The images, available realms and hardware profiles instances are launched with, read once.

    Function-scoped over a module cache, so that a test whose requirements are not met skips
    before the offer is read, even when reading it fails.
    """
    if "offer" not in _dc_offer_cache:
        _dc_offer_cache["offer"] = read_offer(dc_api, dc_launch_images)
    return _dc_offer_cache["offer"]


@pytest.fixture
def dc_tracker(dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> Iterator[Tracker]:
    """Records what a test creates and destroys it at teardown, even when the test failed.

    What could not be destroyed errors the test and is listed again at the end of the run.
    """
    tracker = Tracker(dc_api)
    yield tracker
    problems = tracker.cleanup()
    if problems:
        summary = request.config.pluginmanager.get_plugin("deltacloud-conformance-summary")
        if isinstance(summary, SummaryPlugin):
            summary.summary.leaked(request.node.nodeid, problems)
        pytest.fail("the suite could not destroy what it created (left in the cloud):\n  " + "\n  ".join(problems),
                    pytrace=False)


@pytest.fixture
def dc_instances(dc_api: DeltacloudApi, dc_machine: Machine, dc_tracker: Tracker,
                 dc_settings: Settings) -> Instances:
    """Launch, act on and destroy instances, every launch tracked."""
    instances = Instances(dc_api, dc_machine, dc_tracker, dc_settings)
    # What exists before the test launches anything, however it launches (a JSON body, the query string).
    instances.dependents.take_baseline()
    return instances


@pytest.fixture
def dc_unique(request: pytest.FixtureRequest, dc_settings: Settings) -> Callable[[str], str]:
    """Unique names for what a test creates: ``dcconf-<kind>-<random><counter>`` (lower case, digits, dashes)."""
    token = secrets.token_hex(3)
    counter = iter(range(1_000_000))

    def name(kind: str = "x") -> str:
        return f"{dc_settings.prefix}-{kind}-{token}{next(counter)}"

    return name


@pytest.fixture(autouse=True)
def _dc_requirements(request: pytest.FixtureRequest) -> None:
    """Skip a test whose ``dc_requires`` collection or feature ``/api`` does not advertise."""
    markers = list(request.node.iter_markers("dc_requires"))
    if markers:
        check_requirements(markers, request.getfixturevalue("dc_entry"))
