"""The kit run with pytester: a complete driver passes, gaps skip with reasons, broken features fail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

COMPLETE_FEATURES = {"user_name", "realm_filter", "authentication_key", "instance_count"}


def _driver_class(name: str) -> type:
    """The class the entry point ``name`` points to, as the run just used it (the loader caches it)."""
    from deltacloud import loader

    return loader.load_driver(name)


def test_complete_driver_passes(install: Callable[[str], str], suite: Callable[..., pytest.RunResult]) -> None:
    name = install("CompleteDriver")
    result = suite(name, COMPLETE_FEATURES)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] > 80
    # Every skip is an optional feature or check, with its reason; never a base collection.
    skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert skips and all("does not advertise" in s or "lists no provider" in s or "define dc_" in s for s in skips)
    cls = _driver_class(name)
    assert cls.instances_store == {} and cls.keys_store == {}, "the suite left resources behind"


def test_missing_optional_collection_skips_with_reasons(install: Callable[[str], str],
                                                         suite: Callable[..., pytest.RunResult]) -> None:
    name = install("NoKeysDriver")
    result = suite(name, {"user_name", "realm_filter"})
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"SKIPPED * driver '{name}' does not advertise the collection 'keys' at /api"])
    result.stdout.fnmatch_lines([f"SKIPPED * driver '{name}' does not advertise the feature 'authentication_key'*"])


def test_declared_but_ignored_feature_fails(install: Callable[[str], str],
                                            suite: Callable[..., pytest.RunResult]) -> None:
    name = install("IgnoresNameDriver")
    result = suite(name, COMPLETE_FEATURES)
    result.assert_outcomes(failed=1, passed=result.parseoutcomes()["passed"],
                           skipped=result.parseoutcomes().get("skipped", 0))
    result.stdout.fnmatch_lines(["*AssertionError: asked for name 'dcconf-vm-*', got 'vm*'",
                                 "FAILED *TestInstanceFeatures::test_user_name_is_echoed*"])
    cls = _driver_class(name)
    assert cls.instances_store == {}, "a failing test left its instance behind"


def test_missing_base_collection_fails_to_load(install: Callable[[str], str],
                                               suite: Callable[..., pytest.RunResult]) -> None:
    name = install("NoImagesDriver")
    result = suite(name, set(), select="TestEntryPoint or TestRealms")
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) > 0 and outcomes.get("passed", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"*driver '{name}' cannot be loaded: Driver '{name}' does not implement the base "
                                 "collections: missing images*"])


def test_features_must_be_pinned(install: Callable[[str], str], suite: Callable[..., pytest.RunResult]) -> None:
    name = install("NoKeysDriver")
    result = suite(name, None, select="TestAdvertisedFeatures")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pin the features your driver advertises*dc_expected_features*"])


def test_pinned_features_must_match(install: Callable[[str], str], suite: Callable[..., pytest.RunResult]) -> None:
    name = install("NoKeysDriver")
    result = suite(name, {"user_name", "user_data"}, select="TestAdvertisedFeatures")
    result.assert_outcomes(failed=1)
    assert ("advertised but not expected: ['realm_filter']; expected but not advertised: ['user_data']"
            in result.stdout.str())


def test_nothing_to_test_says_how(suite: Callable[..., pytest.RunResult]) -> None:
    result = suite(None, set(), select="test_answers_without_credentials")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*nothing to test: pass --deltacloud-url URL or --deltacloud-driver NAME*"])


def test_driver_named_on_the_command_line(install: Callable[[str], str],
                                          suite: Callable[..., pytest.RunResult]) -> None:
    name = install("NoKeysDriver")
    result = suite(None, {"user_name", "realm_filter"}, f"--deltacloud-driver={name}", select="TestEntryPoint")
    assert result.parseoutcomes().get("passed", 0) >= 7, result.stdout.str()
    result.stdout.fnmatch_lines([f"deltacloud conformance: driver '{name}' in-process"])


def test_plugin_is_inert_without_the_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_one():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "deltacloud conformance" not in result.stdout.str()
    help_text = pytester.runpytest("--help").stdout.str()
    assert "--deltacloud-url" in help_text and "--deltacloud-driver" in help_text



def test_two_drivers_in_one_run(install: Callable[[str], str], pytester: pytest.Pytester,
                                driver_conftest: Callable[..., str]) -> None:
    """``pytest drivers/``: each driver's module runs against its own driver, not the first one loaded."""
    first, second = install("CompleteDriver"), install("NoKeysDriver")
    for name, features in ((first, COMPLETE_FEATURES), (second, {"user_name", "realm_filter"})):
        directory = pytester.mkpydir(f"tests_{name}")
        (directory / "conftest.py").write_text(driver_conftest(name, features))
        (directory / f"test_{name}.py").write_text("from deltacloud_conformance.suite import *  # noqa: F403\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rfEs", "-k", "TestAdvertisedFeatures or TestKeys")
    result.assert_outcomes(passed=1 + 4 + 1, skipped=4)
    result.stdout.fnmatch_lines([f"SKIPPED * driver '{second}' does not advertise the collection 'keys' at /api"])


def test_unknown_state_is_flagged_at_once(install: Callable[[str], str],
                                          suite: Callable[..., pytest.RunResult]) -> None:
    """A state the driver's own machine lacks fails where it is first seen, naming the method and the states."""
    name = install("ActiveDriver")
    result = suite(name, COMPLETE_FEATURES, select="TestInstanceDestroy")
    result.assert_outcomes(failed=1, errors=1)  # the test, then its teardown: the instance cannot be destroyed
    flagged = ("*unknown state 'ACTIVE' from the driver's instance()/instances(); its states are PENDING, RUNNING, "
               "STOPPING, STOPPED, FINISH (/api/instance_states): map the cloud's state to one of them*")
    result.stdout.fnmatch_lines([flagged])
    result.stdout.fnmatch_lines(["FAIL instances*",
                                 "*first: AssertionError: unknown state 'ACTIVE' from the driver's instance()/*"])
    assert "assert None" not in result.stdout.str()


def test_what_the_cloud_made_for_a_test_is_destroyed(install: Callable[[str], str],
                                                     suite: Callable[..., pytest.RunResult]) -> None:
    """A volume attached and an address associated at launch go after their instance; older ones stay."""
    name = install("LaunchExtrasDriver")
    result = suite(name, COMPLETE_FEATURES, select="TestInstanceCreate or TestInstanceDestroy")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 5 and not outcomes.get("failed") and not outcomes.get("errors"), (
        result.stdout.str())
    cls = _driver_class(name)
    assert cls.instances_store == {}, "instances left behind"
    assert set(cls.volumes_store) == {"vol-old"}, f"volumes: {sorted(cls.volumes_store)}"
    assert set(cls.addresses_store) == {"10.0.0.1"}, f"addresses: {sorted(cls.addresses_store)}"


def test_what_the_cloud_made_and_could_not_be_destroyed_is_reported(
        install: Callable[[str], str], suite: Callable[..., pytest.RunResult]) -> None:
    name = install("StuckVolumesDriver")
    result = suite(name, COMPLETE_FEATURES, select="test_shown_and_listed")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*= deltacloud conformance: 1 left in the cloud, not cleaned =*",
                                 "test_conformance.py::TestInstanceCreate::test_shown_and_listed: storage_volumes/"
                                 "vol-vm1 (made by the cloud for instances/vm1): AssertionError: cannot destroy "
                                 "storage_volumes/vol-vm1: DELETE */api/storage_volumes/vol-vm1 -> 502 *"])
    cls = _driver_class(name)
    assert cls.instances_store == {} and set(cls.addresses_store) == {"10.0.0.1"}
