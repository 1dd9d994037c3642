"""What the suite may launch: images, realms and hardware profiles read from the API, and their combinations."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import items_of


@dataclass(frozen=True)
class Property:
    """One hardware profile property as published: kind, value, range bounds or enum entries."""

    name: str
    kind: str
    value: str
    unit: str = ""
    first: str = ""
    last: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """A hardware profile and its properties by name."""

    id: str
    properties: dict[str, Property] = field(default_factory=dict)

    def architectures(self) -> tuple[str, ...]:
        """The architectures the profile allows; () when it does not say."""
        prop = self.properties.get("architecture")
        if prop is None:
            return ()
        return prop.values if prop.kind == "enum" else (prop.value,)


@dataclass(frozen=True)
class ImageInfo:
    """What the suite needs of an image to launch it."""

    id: str
    architecture: str
    profiles: tuple[str, ...]


def property_from_xml(element: Any) -> Property:
    """Read a ``<property kind name unit value>`` with its ``<range>`` or ``<enum>``."""
    rng = element.find("range")
    enum = element.find("enum")
    return Property(
        element.get("name") or "", element.get("kind") or "", element.get("value") or "", element.get("unit") or "",
        rng.get("first") or "" if rng is not None else "", rng.get("last") or "" if rng is not None else "",
        tuple(e.get("value") or "" for e in enum.findall("entry")) if enum is not None else ())


def profile_from_xml(element: Any) -> Profile:
    """Read a ``<hardware_profile>``."""
    props = [property_from_xml(p) for p in element.findall("property")]
    return Profile(element.get("id") or "", {p.name: p for p in props})


def image_from_xml(element: Any) -> ImageInfo:
    """Read an ``<image>``."""
    hwps = element.find("hardware_profiles")
    profiles = tuple(h.get("id") or "" for h in hwps.findall("hardware_profile")) if hwps is not None else ()
    return ImageInfo(element.get("id") or "", (element.findtext("architecture") or "").strip(), profiles)


def compatible(image: ImageInfo, profile: Profile) -> bool:
    """Whether ``image`` may be launched with ``profile``: the image's list, else the architecture."""
    if image.profiles:
        return profile.id in image.profiles
    arches = profile.architectures()
    return not arches or not image.architecture or image.architecture in arches


@dataclass(frozen=True)
class Offer:
    """The images, realms and profiles the suite launches with."""

    images: tuple[ImageInfo, ...]
    realms: tuple[str, ...]
    profiles: tuple[Profile, ...]

    def profile(self, id: str) -> Profile:
        """The profile ``id``."""
        return next(p for p in self.profiles if p.id == id)

    def image_for(self, profile: Profile) -> ImageInfo | None:
        """An image that can be launched with ``profile``."""
        return next((i for i in self.images if compatible(i, profile)), None)

    def any_launch(self) -> dict[str, str]:
        """Parameters of one ordinary launch: the first image with a compatible profile, the first realm."""
        for image in self.images:
            for profile in self.profiles:
                if compatible(image, profile):
                    return {"image_id": image.id, "realm_id": self.realms[0], "hwp_id": profile.id}
        raise AssertionError("no listed image is compatible with any listed hardware profile")

    def combinations(self, limit: int) -> list[dict[str, str]]:
        """Launch parameters: every compatible (image, realm, profile), or, past ``limit``, a set covering each."""
        full = [(i, r, p) for i, r, p in itertools.product(self.images, self.realms, self.profiles)
                if compatible(i, p)]
        if len(full) > limit:
            full = _covering(full, limit)
        return [{"image_id": i.id, "realm_id": r, "hwp_id": p.id} for i, r, p in full]


def _covering(full: list[tuple[ImageInfo, str, Profile]], limit: int) -> list[tuple[ImageInfo, str, Profile]]:
    """A greedy subset of ``full`` in which each image, realm and profile appears at least once."""
    uncovered = {("i", i.id) for i, _, _ in full} | {("r", r) for _, r, _ in full} | {("p", p.id) for _, _, p in full}
    chosen: list[tuple[ImageInfo, str, Profile]] = []
    while uncovered and len(chosen) < limit:
        best = max(full, key=lambda c: len({("i", c[0].id), ("r", c[1]), ("p", c[2].id)} & uncovered))
        chosen.append(best)
        uncovered -= {("i", best[0].id), ("r", best[1]), ("p", best[2].id)}
    return chosen


def read_offer(api: DeltacloudApi, image_ids: list[str] | None = None) -> Offer:
    """The offer from the API: available realms, every profile, the images (or only ``image_ids``)."""
    realms = tuple(r.get("id") or "" for r in items_of(api.xml("/realms"), "realms")
                   if (r.findtext("state") or "AVAILABLE").strip().upper() == "AVAILABLE")
    profiles = tuple(profile_from_xml(p) for p in items_of(api.xml("/hardware_profiles"), "hardware_profiles"))
    images = [image_from_xml(i) for i in items_of(api.xml("/images"), "images")]
    if image_ids is not None:
        images = [i for i in images if i.id in image_ids]
        missing = set(image_ids) - {i.id for i in images}
        assert not missing, f"dc_launch_images names images the server does not list: {sorted(missing)}"
    assert realms, "no realm is AVAILABLE: nothing can be launched"
    assert profiles, "the driver lists no hardware profile"
    assert images, "the driver lists no image to launch"
    return Offer(tuple(images), realms, profiles)
