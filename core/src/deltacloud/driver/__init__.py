"""The driver SDK, the public face for driver authors: ``from deltacloud.driver import Driver``.

* ``Driver`` (``base``): the contract, base collections abstract, optional ones in ``optional``;
* ``StateMachine`` and ``Transition`` (``statemachine``): instance states declared as data;
* ``DriverSettings`` (``settings``): what the operator configured for the driver, given once at load;
* ``IdentityMemo`` (``memo``): values worked out once from long-lived objects, kept by their identity;
* ``deltacloud.driver.toolkit``: the backend toolkit (pooled HTTP sessions, error tables, parsing,
  timeouts, the provider-URL safety rule), imported separately so a driver that needs none of it
  pays nothing for it.
"""

from deltacloud.driver.base import Driver, Filters
from deltacloud.driver.memo import IdentityMemo
from deltacloud.driver.optional import BlobData, OptionalCollections, find
from deltacloud.driver.settings import DriverSettings
from deltacloud.driver.statemachine import StateMachine, Transition

__all__ = ["BlobData", "Driver", "DriverSettings", "Filters", "IdentityMemo", "OptionalCollections", "StateMachine",
           "Transition", "find"]
