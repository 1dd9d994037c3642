"""Realms and hardware profiles: the static offer, and who may see it."""

from __future__ import annotations

import pytest

from deltacloud.errors import AuthenticationError, NotFoundError


def test_hardware_profiles_need_no_credentials_and_are_ordered(make_driver, ids):
    anonymous = make_driver(None)
    assert ids(anonymous.hardware_profiles({})) == ["m1-small", "m1-large", "m1-xlarge", "opaque"]


def test_m1_small_is_fixed(driver):
    profile = driver.hardware_profile("m1-small")
    assert [(p.name, p.kind, p.value, p.unit) for p in profile.properties] == [
        ("cpu", "fixed", "1", "count"),
        ("memory", "fixed", "1740.8", "MB"),
        ("storage", "fixed", "160", "GB"),
        ("architecture", "fixed", "i386", "label"),
    ]


def test_m1_large_has_ranges_and_an_enum(driver):
    profile = driver.hardware_profile("m1-large")
    cpu, memory, storage, arch = profile.properties
    assert (cpu.kind, cpu.first, cpu.last, cpu.value) == ("range", "1", "6", "1")
    assert (memory.kind, memory.first, memory.last, memory.value) == ("range", "7680", "15360", "10240")
    assert (storage.kind, storage.values, storage.value) == ("enum", ("850", "1024"), "850")
    assert (arch.kind, arch.value) == ("fixed", "x86_64")


def test_m1_xlarge(driver):
    profile = driver.hardware_profile("m1-xlarge")
    cpu, memory, storage, arch = profile.properties
    assert (cpu.kind, cpu.value) == ("fixed", "4")
    assert (memory.kind, memory.first, memory.last, memory.value) == ("range", "12288", "32768", "12288")
    assert (storage.kind, storage.values) == ("enum", ("1024", "2048", "4096"))
    assert (arch.kind, arch.value) == ("fixed", "x86_64")


def test_opaque_has_no_properties(driver):
    assert driver.hardware_profile("opaque").properties == ()


def test_hardware_profile_filter_and_unknown(driver, ids):
    assert ids(driver.hardware_profiles({"id": "m1-xlarge"})) == ["m1-xlarge"]
    with pytest.raises(NotFoundError):
        driver.hardware_profile("m9-huge")


def test_realms(driver):
    realms = driver.realms({})
    assert [(r.id, r.name, r.state, r.limit) for r in realms] == [
        ("us", "United States", "AVAILABLE", ""), ("eu", "Europe", "AVAILABLE", "")]
    assert driver.realm("eu").name == "Europe"
    with pytest.raises(NotFoundError):
        driver.realm("mars")


def test_realms_need_credentials(make_driver):
    with pytest.raises(AuthenticationError):
        make_driver(None).realms({})
