"""The kit's profiles: strict (default) checks our decisions and extensions, 1.1 deselects or loosens them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from deltacloud_conformance import profile

FEATURES = {"user_name", "realm_filter", "authentication_key", "instance_count"}


def test_every_marked_choice_is_catalogued_with_its_reason() -> None:
    for name, choice in profile.CHOICES.items():
        assert choice.kind in ("decision", "extension") and choice.why, name
        assert choice.in_11 == "deselect" or choice.loosened_to, f"{name}: a loosened check must say to what"


def test_strict_is_the_default_and_lists_what_it_checks_as_ours(install: Callable[[str], str],
                                                                 suite: Callable[..., pytest.RunResult]) -> None:
    result = suite(install("CompleteDriver"), FEATURES, select="TestEntryPoint or TestFormats or TestBadRequests")
    assert result.parseoutcomes().get("failed", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*deltacloud profile strict*", "nothing deselected or loosened; checked as our own*"
                                 "conditional-get (1)*"])
    result.stdout.no_fnmatch_line("deselected * (*")  # the only deselections are -k's


def test_profile_11_deselects_pure_choices_and_loosens_the_rest(install: Callable[[str], str],
                                                                 suite: Callable[..., pytest.RunResult]) -> None:
    result = suite(install("CompleteDriver"), FEATURES, "--deltacloud-profile", "1.1",
                   select="TestEntryPoint or TestFormats or TestBadRequests or TestNotFound")
    assert result.parseoutcomes().get("failed", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*deltacloud profile 1.1*",
                                 "deselected 1 (conditional-get: 304 Not Modified*",
                                 "deselected 1 (openapi: *",
                                 "loosened 1 (missing-instance-404: 403 or 404*"])


def test_an_unknown_choice_name_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked="import pytest\n\n@pytest.mark.dc_decision('no-such-choice')\n"
                                    "def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*dc_decision('no-such-choice') is not in deltacloud_conformance.profile*"])
