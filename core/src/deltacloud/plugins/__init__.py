"""Hooks many plugins may implement (pluggy): the specs, the manager and its typed facade, the core's defaults.

The rest of the core calls hooks only through this facade, never through ``pm.hook``.
"""

from deltacloud.plugins.hookspecs import hookimpl, hookspec
from deltacloud.plugins.manager import (
    PLUGIN_GROUP,
    PluginError,
    collections,
    configure_app,
    extra_features,
    plugin_manager,
    register_driver,
    translate_error,
)

__all__ = ["PLUGIN_GROUP", "PluginError", "collections", "configure_app", "extra_features", "hookimpl", "hookspec",
           "plugin_manager", "register_driver", "translate_error"]
