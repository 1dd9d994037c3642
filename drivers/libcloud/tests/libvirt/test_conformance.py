"""The conformance suite against the libvirt driver over HTTP, on libvirt's test hypervisor.

The fixtures that point the suite at our server and pin the advertised features are in
``conftest.py``.
"""

from __future__ import annotations

from deltacloud_conformance.suite import *  # noqa: F403
