"""The plugin manager, and the typed facade the rest of the core calls hooks through.

Plugins register in the entry point group ``deltacloud.plugins``. ``DELTACLOUD_PLUGINS``
(comma-separated names) loads only those; ``DELTACLOUD_TRACE_HOOKS=1`` logs every hook call.
"""

from __future__ import annotations

import functools
import logging
import os
from importlib.metadata import entry_points
from typing import Any

import pluggy

from deltacloud.api.spec import Collection
from deltacloud.errors import DeltacloudError
from deltacloud.plugins import defaults as default_hooks
from deltacloud.plugins import hookspecs

log = logging.getLogger("deltacloud.plugins")
PLUGIN_GROUP = "deltacloud.plugins"


class PluginError(Exception):
    """An installed plugin cannot be used: it does not import, or implements a hook that does not exist."""


@functools.cache
def plugin_manager() -> pluggy.PluginManager:
    """The process's plugin manager, built once: specs, core defaults, installed plugins.

    ``PluginError`` names the plugin that does not import or whose hook implementations do not
    match the specs (a misspelled hook name, an unknown argument).
    """
    pm = pluggy.PluginManager("deltacloud")
    pm.add_hookspecs(hookspecs)
    pm.register(default_hooks, name="deltacloud.plugins.defaults")
    wanted = {n.strip() for n in os.environ.get("DELTACLOUD_PLUGINS", "").split(",") if n.strip()}
    for ep in entry_points(group=PLUGIN_GROUP):
        if wanted and ep.name not in wanted:
            continue
        try:
            pm.register(ep.load(), name=f"plugin:{ep.name}")
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin '{ep.name}' ({ep.value}): {exc}") from exc
        except Exception as exc:
            raise PluginError(f"plugin '{ep.name}' ({ep.value}) cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if os.environ.get("DELTACLOUD_TRACE_HOOKS"):
        _trace_to_log(pm)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = (pm.get_name(exc.plugin) or "").removeprefix("plugin:")
        raise PluginError(f"plugin '{name}': {exc}") from exc
    return pm


def _trace_to_log(pm: pluggy.PluginManager) -> None:
    """Log every hook call at INFO on ``deltacloud.plugins``, to standard error when logging is not set up."""
    if not log.hasHandlers():  # deltacloudd configures only gunicorn's loggers
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(process)d] [%(name)s] %(message)s"))
        log.addHandler(handler)
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    pm.trace.root.setwriter(lambda message: log.info("%s", message.rstrip()))
    pm.enable_tracing()


def register_driver(name: str, driver_class: type) -> None:
    """Register a driver class so it can implement hooks without a second entry point."""
    pm = plugin_manager()
    plugin_name = f"driver:{name}"
    if pm.get_plugin(plugin_name) is None:
        pm.register(driver_class, name=plugin_name)
        pm.check_pending()


def collections() -> list[Collection]:
    """Every collection of the API, from the core and from plugins, de-duplicated by name."""
    seen: dict[str, Collection] = {}
    for contributed in reversed(plugin_manager().hook.deltacloud_collections()):
        for collection in contributed:
            seen[collection.name] = collection
    return list(seen.values())


def extra_features(driver_name: str, driver_class: type) -> list[str]:
    """Feature names plugins advertise for a driver."""
    results = plugin_manager().hook.deltacloud_features(driver_name=driver_name, driver_class=driver_class)
    return [name for names in results for name in names]


def translate_error(error: Exception, driver_name: str) -> DeltacloudError | None:
    """The ``DeltacloudError`` a plugin or driver maps a backend exception to, if any."""
    return plugin_manager().hook.deltacloud_translate_error(error=error, driver_name=driver_name)


def configure_app(app: Any, config: Any) -> bool:
    """Let plugins adjust the app; whether any plugin besides the core's defaults may have."""
    hook = plugin_manager().hook.deltacloud_configure_app
    hook(app=app, config=config)
    return any(impl.plugin is not default_hooks for impl in hook.get_hookimpls())
