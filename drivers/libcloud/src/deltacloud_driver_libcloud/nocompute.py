"""The base collections of a family that offers no compute (object storage only).

Deltacloud's base collections are part of every driver; a storage-only family lists no realms,
profiles, images or instances, and refuses launches with 501, like the original's Azure driver.
"""

from __future__ import annotations

from typing import ClassVar

from deltacloud.driver import Driver, Filters, StateMachine
from deltacloud.errors import NotFoundError, NotSupportedError
from deltacloud.models import HardwareProfile, Image, Instance, LaunchOptions, Realm

#: The smallest machine the core accepts; nothing ever enters it.
NO_MACHINE = StateMachine.parse("""
    start -> running on create
    running -> finish on destroy
""")


class NoCompute(Driver):
    """Empty base collections; launching is 501.

    A subclass provides ``check_credentials()`` (a cheap call that fails with 401 for credentials
    the cloud refuses), which every listing makes first.
    """

    state_machine: ClassVar[StateMachine] = NO_MACHINE

    def realms(self, filters: Filters) -> list[Realm]:
        """None: the family has no compute (the credentials are still checked, as everywhere)."""
        self.check_credentials()
        return []

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """None."""
        return []

    def images(self, filters: Filters) -> list[Image]:
        """None (after checking the credentials)."""
        self.check_credentials()
        return []

    def instances(self, filters: Filters) -> list[Instance]:
        """None (after checking the credentials)."""
        self.check_credentials()
        return []

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance:
        """Refused: 501 (after checking the credentials)."""
        self.check_credentials()
        raise NotSupportedError(f"{self.name} offers object storage only: no instances")

    def destroy_instance(self, id: str) -> None:
        """There is no instance to destroy."""
        raise NotFoundError(f"Instance '{id}' not found")
