"""The mock's decoded-model cache: correct at once after a change, and bounded by what exists, not by history."""

from __future__ import annotations

from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import MockDriver
from deltacloud_driver_mock.decoded import DecodedModels
from deltacloud_driver_mock.driver import INSTANCE_MODELS

SEED_INSTANCES = 4  # the seed instances mockuser owns (inst0 to inst3)


def test_a_lifecycle_loop_keeps_no_more_than_what_exists(driver: MockDriver) -> None:
    """Create, show, stop, list and destroy 200 instances: what is kept follows the live instances."""
    INSTANCE_MODELS.clear()
    for _ in range(200):
        made = driver.create_instance("img1", LaunchOptions())
        assert driver.instance(made.id).state in ("PENDING", "RUNNING")
        driver.stop_instance(made.id)
        assert made.id in {i.id for i in driver.instances({})}
        assert driver.instance(made.id).state in ("STOPPING", "STOPPED")
        driver.destroy_instance(made.id)
        listed = driver.instances({})
        assert made.id not in {i.id for i in listed}
        assert len(INSTANCE_MODELS) == len(listed)
    assert len(listed) == SEED_INSTANCES


def test_single_lookups_between_listings_are_bounded() -> None:
    """Lookups that are not full listings add at most ``slack`` entries beyond the last full listing."""
    decoded: list[str] = []
    models = DecodedModels(lambda body: decoded.append(body) or body.upper(), slack=3)
    assert models.models("scope", ["a", "b"], complete=True) == ["A", "B"]
    for body in "cdefgh":
        assert models.models("scope", [body], complete=False) == [body.upper()]
    assert len(models) == 2 + 3
    assert models.models("scope", ["a", "c"], complete=True) == ["A", "C"] and len(models) == 2
    assert decoded == ["a", "b", *"cdefgh"], "a kept text is never decoded twice"
    assert models.models("other", ["a"], complete=True) == ["A"] and decoded[-1] == "a", "scopes are separate"
