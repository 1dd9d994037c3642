"""A fake GoGrid (JSON API v1.9) for the gogrid driver's tests, runnable alone: ``python -m gogrid_fake``.

``FakeGoGrid`` is the WSGI application, ``World`` its account, ``ManualClock`` the clock tests
advance instead of sleeping, and ``serve`` runs any WSGI app on a loopback port in a thread.
"""

from gogrid_fake.app import DEFAULT_KEY, DEFAULT_SECRET, FakeGoGrid, signature
from gogrid_fake.serve import LoopbackServer, serve
from gogrid_fake.world import ManualClock, SystemClock, World

__all__ = ["DEFAULT_KEY", "DEFAULT_SECRET", "FakeGoGrid", "LoopbackServer", "ManualClock", "SystemClock", "World",
           "serve", "signature"]
