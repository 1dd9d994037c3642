"""The GoGrid driver of Deltacloud: GoGrid's JSON API v1.9 through the driver SDK's backend toolkit."""

from deltacloud_driver_gogrid.driver import DEFAULT_PROVIDER, ENTRY_POINT, FEATURES, GoGridDriver

__all__ = ["DEFAULT_PROVIDER", "ENTRY_POINT", "FEATURES", "GoGridDriver"]
