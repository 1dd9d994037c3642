"""The mock's injectable clock: the driver option ``clock`` and the clocks themselves."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from deltacloud.driver.settings import DriverSettings
from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import MockDriver
from deltacloud_driver_mock.clock import SYSTEM_CLOCK, FileClock, ManualClock, clock_option


def _settings(**options: str) -> DriverSettings:
    return DriverSettings(options=MappingProxyType(options))


@pytest.fixture
def restore_settings():
    """Put the class's settings and clock back after a test configured the driver."""
    saved = MockDriver.settings, MockDriver.clock
    yield
    MockDriver.settings, MockDriver.clock = saved


def test_the_default_is_the_system_clock(restore_settings):
    MockDriver.configure(_settings())
    assert MockDriver.clock is SYSTEM_CLOCK
    assert clock_option("system") is SYSTEM_CLOCK


def test_a_clock_file_is_shared_by_every_reader(tmp_path, restore_settings):
    FileClock.create(tmp_path / "clock", start=500.0)
    MockDriver.configure(_settings(clock=str(tmp_path / "clock")))
    assert MockDriver.clock.now() == 500.0
    FileClock(tmp_path / "clock").advance(2.5)  # another process (the test) moves it
    assert MockDriver.clock.now() == 502.5


def test_the_clock_drives_instances_of_a_configured_driver(tmp_path, make_driver, monkeypatch, restore_settings):
    clock = FileClock.create(tmp_path / "clock")
    MockDriver.configure(_settings(clock=str(clock.path)))
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "60")
    inst = make_driver().create_instance("img1", LaunchOptions())
    assert make_driver().instance(inst.id).state == "PENDING"
    clock.advance(60)
    assert make_driver().instance(inst.id).state == "RUNNING"


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), ("soon", "not epoch seconds")])
def test_an_unusable_clock_file_is_refused_at_load(tmp_path, content, message, restore_settings):
    path = tmp_path / "clock"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError, match=f"driver option 'clock'.*{message}"):
        MockDriver.configure(_settings(clock=str(path)))


def test_clocks_never_go_back(tmp_path):
    manual = ManualClock(start=10.0)
    manual.advance(5)
    assert manual.now() == 15.0
    with pytest.raises(ValueError):
        manual.advance(-1)
    with pytest.raises(ValueError):
        FileClock.create(tmp_path / "clock", start=1.0).advance(-1)
