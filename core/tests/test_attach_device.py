"""Attach without ``device`` (1.1's Ruby client sends none): the driver picks one when it can, else 400."""

from __future__ import annotations

import pytest

from deltacloud.api.volumes import attach_volume, picks_device
from deltacloud.errors import ValidationError


class NamesDevice:
    """A driver whose backend needs the device named (EC2's AttachVolume does)."""

    def attach_storage_volume(self, id: str, instance_id: str, device: str) -> tuple[str, str, str]:
        return (id, instance_id, device)


class PicksDevice:
    """A driver that chooses a free device itself."""

    def attach_storage_volume(self, id: str, instance_id: str, device: str | None = None) -> tuple[str, str, str]:
        return (id, instance_id, device or "/dev/picked")


def test_a_driver_that_cannot_pick_gets_a_400_naming_device():
    assert not picks_device(NamesDevice) and picks_device(PicksDevice)
    with pytest.raises(ValidationError) as raised:
        attach_volume(NamesDevice(), "vol1", {"instance_id": "i1"})
    assert raised.value.param == "device"
    assert attach_volume(NamesDevice(), "vol1", {"instance_id": "i1", "device": "/dev/sdf"}) == (
        "vol1", "i1", "/dev/sdf")


def test_a_driver_that_picks_is_called_without_device():
    assert attach_volume(PicksDevice(), "vol1", {"instance_id": "i1"}) == ("vol1", "i1", "/dev/picked")
    assert attach_volume(PicksDevice(), "vol1", {"instance_id": "i1", "device": "/dev/sdh"})[2] == "/dev/sdh"
