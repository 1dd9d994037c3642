"""What the rhevm tests share besides fixtures: the fake engine's users and a handle on a served engine."""

from __future__ import annotations

from rhevm_fake import Engine, LoopbackServer, ManualClock

USER, PASSWORD = "admin@internal", "secret"
OTHER_USER, OTHER_PASSWORD = "alice@internal", "wonderland"


class FakeSite:
    """A fake engine on loopback with a manual clock, and the URLs the driver takes."""

    def __init__(self, engine: Engine, clock: ManualClock, server: LoopbackServer) -> None:
        self.engine, self.clock, self.server = engine, clock, server

    @property
    def api(self) -> str:
        """The engine's API URL."""
        return f"{self.server.url}/ovirt-engine/api"

    def provider(self, data_center: str = "dc-0001") -> str:
        """The driver's provider string for one data center."""
        return f"{self.api};{data_center}"
