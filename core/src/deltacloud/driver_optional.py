"""Deprecated import path, kept for one release: ``from deltacloud.driver import BlobData, OptionalCollections``."""

from deltacloud.driver.optional import BlobData, OptionalCollections, find

__all__ = ["BlobData", "OptionalCollections", "find"]
