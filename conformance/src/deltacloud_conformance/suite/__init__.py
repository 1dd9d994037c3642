"""The conformance suite: import it into a driver's test module with ``from deltacloud_conformance.suite import *``.

Each module covers one area; a driver adjusts a test by subclassing its class under the same
name in its own test module (the SQLAlchemy dialect-suite way).
"""

from deltacloud_conformance.suite.test_collections import *  # noqa: F403
from deltacloud_conformance.suite.test_collections import __all__ as _collections
from deltacloud_conformance.suite.test_entry_point import *  # noqa: F403
from deltacloud_conformance.suite.test_entry_point import __all__ as _entry_point
from deltacloud_conformance.suite.test_errors import *  # noqa: F403
from deltacloud_conformance.suite.test_errors import __all__ as _errors
from deltacloud_conformance.suite.test_features import *  # noqa: F403
from deltacloud_conformance.suite.test_features import __all__ as _features
from deltacloud_conformance.suite.test_hardware_profiles import *  # noqa: F403
from deltacloud_conformance.suite.test_hardware_profiles import __all__ as _profiles
from deltacloud_conformance.suite.test_instances import *  # noqa: F403
from deltacloud_conformance.suite.test_instances import __all__ as _instances
from deltacloud_conformance.suite.test_keys import *  # noqa: F403
from deltacloud_conformance.suite.test_keys import __all__ as _keys
from deltacloud_conformance.suite.test_network import *  # noqa: F403
from deltacloud_conformance.suite.test_network import __all__ as _network
from deltacloud_conformance.suite.test_networking import *  # noqa: F403
from deltacloud_conformance.suite.test_networking import __all__ as _networking
from deltacloud_conformance.suite.test_objects import *  # noqa: F403
from deltacloud_conformance.suite.test_objects import __all__ as _objects
from deltacloud_conformance.suite.test_state_machine import *  # noqa: F403
from deltacloud_conformance.suite.test_state_machine import __all__ as _state_machine
from deltacloud_conformance.suite.test_storage import *  # noqa: F403
from deltacloud_conformance.suite.test_storage import __all__ as _storage

__all__ = [*_entry_point, *_collections, *_instances, *_state_machine, *_profiles, *_features, *_errors, *_keys,
           *_storage, *_network, *_networking, *_objects]
