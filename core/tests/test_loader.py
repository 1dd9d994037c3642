"""Loading drivers through entry points: clear failures for drivers that break the contract."""

import textwrap

import pytest

from deltacloud import loader
from deltacloud.api.features import declare
from deltacloud.errors import DriverLoadError, UnknownDriverError
from deltacloud.testing import installed_entry_point


def test_installed_drivers_lists_entry_points(tiny):
    assert "tiny" in loader.installed_drivers()
    assert loader.load_driver("tiny").name == "Tiny"


def test_unknown_driver_names_the_installed_ones(tiny):
    with pytest.raises(UnknownDriverError) as err:
        loader.load("nope")
    assert "nope" in err.value.message and "tiny" in err.value.message
    assert err.value.status == 400


def _install(tmp_path, source):
    (tmp_path / "broken_driver.py").write_text(textwrap.dedent(source))
    return installed_entry_point(tmp_path, "broken", "broken_driver:Broken")


def test_driver_lacking_base_collections_fails_with_their_names(tmp_path):
    with _install(tmp_path, """
        from deltacloud.driver import Driver
        from deltacloud.driver import StateMachine
        class Broken(Driver):
            state_machine = StateMachine.parse("start -> running on create")
            def realms(self, filters): return []
    """), pytest.raises(DriverLoadError) as err:
        loader.load("broken")
    message = str(err.value)
    assert "base collections" in message
    for name in ("images", "instances", "hardware_profiles", "create_instance", "destroy_instance"):
        assert name in message


def test_unknown_feature_fails_loudly(tmp_path):
    with pytest.raises(DriverLoadError) as err:
        declare(("user_Data",), "Driver 'x'")
    assert "user_Data" in str(err.value)


def test_state_machine_action_without_method_fails(tmp_path):
    with _install(tmp_path, """
        from deltacloud.driver import Driver
        from deltacloud.driver import StateMachine
        class Broken(Driver):
            state_machine = StateMachine.parse("running -> running on reboot")
            def realms(self, f): return []
            def hardware_profiles(self, f): return []
            def images(self, f): return []
            def instances(self, f): return []
            def create_instance(self, image_id, options): raise NotImplementedError
            def destroy_instance(self, id): pass
    """), pytest.raises(DriverLoadError) as err:
        loader.load("broken")
    assert "reboot_instance" in str(err.value)


def test_not_a_driver_class_fails(tmp_path):
    with _install(tmp_path, "class Broken:\n    pass\n"), pytest.raises(DriverLoadError) as err:
        loader.load("broken")
    assert "not a subclass" in str(err.value)
