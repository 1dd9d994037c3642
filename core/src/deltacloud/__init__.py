"""Deltacloud for Python: one standard REST API over many IaaS clouds.

The driver contract lives in ``deltacloud.driver`` and ``deltacloud.models``; the server in
``deltacloud.http.app`` (``create_app``); hooks in ``deltacloud.plugins.hookspecs``.
"""

from deltacloud.config import API_VERSION

__all__ = ["API_VERSION"]
__version__ = "0.1.0"
