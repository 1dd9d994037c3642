"""The operator's own ``-P`` URI is trusted without being listed again in the driver option ``uris``."""

from __future__ import annotations

import pytest

from deltacloud import loader
from deltacloud.config import ServerConfig
from deltacloud.driver import DriverSettings
from deltacloud.errors import ValidationError
from deltacloud.loader import settings_for
from deltacloud_driver_libcloud.libvirt.connection import allowed_uris, check_uri


def test_the_operators_provider_reaches_the_driver_settings_only_for_the_default_driver():
    loader.configure(ServerConfig(driver="libvirt", provider="qemu:///system"))
    try:
        assert settings_for("libvirt").provider == "qemu:///system"
        assert settings_for("mock").provider is None
    finally:
        loader.configure(ServerConfig())


def test_the_operators_uri_is_allowed_and_a_clients_other_uri_is_not():
    settings = DriverSettings(provider="qemu:///system")
    assert "qemu:///system" in allowed_uris(settings) and "test:///default" in allowed_uris(settings)
    assert check_uri("qemu:///system", settings) == "qemu:///system"
    with pytest.raises(ValidationError, match="provider"):
        check_uri("qemu+ssh://elsewhere/system", settings)
