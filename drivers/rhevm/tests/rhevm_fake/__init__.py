"""A fake oVirt engine (REST API v4 with SSO) for the rhevm driver's tests and for trying the driver by hand.

``seeded()`` builds an engine with two data centers, their clusters and templates;
``FakeEngine(engine)`` is the WSGI application; ``serve(app)`` runs it on a loopback port in a
thread. ``python -m rhevm_fake`` (from ``drivers/rhevm/tests``) serves one until interrupted.
"""

from rhevm_fake.app import FakeEngine
from rhevm_fake.server import LoopbackServer, serve
from rhevm_fake.state import BLANK_ID, Engine, Fault, ManualClock, seeded

__all__ = ["BLANK_ID", "Engine", "FakeEngine", "Fault", "LoopbackServer", "ManualClock", "seeded", "serve"]
