"""Hardware profile overrides (``hwp_*``): accepted inside a range or enum, refused with 400 outside it."""

from __future__ import annotations

import pytest

from deltacloud_conformance.choices import Offer, Profile, Property
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.lifecycle import Instances

__all__ = ["TestProfileOverrides"]

#: The properties a client may override at launch.
OVERRIDABLE = ("cpu", "memory", "storage", "architecture")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def variable(offer: Offer) -> list[tuple[Profile, Property]]:
    """Every overridable range or enum property of a profile some image can be launched with."""
    return [(profile, prop) for profile in offer.profiles if offer.image_for(profile) is not None
            for prop in profile.properties.values() if prop.kind in ("range", "enum") and prop.name in OVERRIDABLE]


def inside(prop: Property) -> str:
    """A value other than the default that the property allows."""
    if prop.kind == "range":
        return prop.last if prop.last != prop.value else prop.first
    return next((v for v in reversed(prop.values) if v != prop.value), prop.values[-1])


def outside(prop: Property) -> list[str]:
    """Values the property does not allow."""
    if prop.kind == "range":
        first, last = float(prop.first), float(prop.last)
        values = [_text(last + 1), _text(last * 2 + 1)]
        if first >= 1:
            values.append(_text(first - 1) if first - 1 > 0 else "0")
        return values
    numbers = [n for n in (_number(v) for v in prop.values) if n is not None]
    return [_text(max(numbers) + 1)] if numbers and len(numbers) == len(prop.values) else ["dcconf-not-a-choice"]


def launch_params(offer: Offer, profile: Profile, **extra: str) -> dict[str, str]:
    """Launch parameters of ``profile`` with an image it accepts."""
    image = offer.image_for(profile)
    assert image is not None
    return {"image_id": image.id, "realm_id": offer.realms[0], "hwp_id": profile.id, **extra}


def override_shown(root: object, name: str) -> str | None:
    """The value of the ``name`` override an instance document shows under its hardware profile."""
    for prop in root.findall("hardware_profile/property"):  # type: ignore[attr-defined]
        if prop.get("name") == name:
            return prop.get("value")
    return None


def same(a: str | None, b: str) -> bool:
    """Equal as numbers when both are numbers, else as text."""
    if a is None:
        return False
    na, nb = _number(a), _number(b)
    return na == nb if na is not None and nb is not None else a == b


class TestProfileOverrides:
    """``hwp_<property>`` parameters checked against the chosen profile."""

    area = "hardware profile overrides"

    def test_inside_ranges_and_enums(self, dc_instances: Instances, dc_offer: Offer) -> None:
        props = variable(dc_offer)
        if not props:
            pytest.skip("no hardware profile has a range or enum property to override")
        failures = []
        for profile, prop in props:
            value = inside(prop)
            response = dc_instances.create(launch_params(dc_offer, profile, **{f"hwp_{prop.name}": value}))
            if response.status != 201:
                failures.append(f"{profile.id} hwp_{prop.name}={value}: {response.describe()}")
                continue
            root = response.xml()
            shown = override_shown(root, prop.name)
            if not same(shown, value):
                failures.append(f"{profile.id} hwp_{prop.name}={value}: the instance shows {shown!r}")
            dc_instances.destroy(root.get("id"))
        assert not failures, "overrides inside the profile were not honoured:\n" + "\n".join(failures)

    @pytest.mark.dc_decision("validated-overrides")
    def test_outside_ranges_and_enums(self, dc_instances: Instances, dc_offer: Offer) -> None:
        props = variable(dc_offer)
        if not props:
            pytest.skip("no hardware profile has a range or enum property to override")
        failures = []
        for profile, prop in props:
            for value in outside(prop):
                response = dc_instances.create(launch_params(dc_offer, profile, **{f"hwp_{prop.name}": value}))
                if response.status != 400:
                    failures.append(f"{profile.id} hwp_{prop.name}={value}: {response.describe()}")
                elif f"hwp_{prop.name}" not in (response.xml().findtext("message") or ""):
                    failures.append(f"{profile.id} hwp_{prop.name}={value}: the 400 does not name hwp_{prop.name}")
        assert not failures, "overrides outside the profile were not refused with 400:\n" + "\n".join(failures)

    @pytest.mark.dc_decision("validated-overrides")
    def test_fixed_property_other_value(self, dc_instances: Instances, dc_offer: Offer) -> None:
        fixed = [(p, prop) for p in dc_offer.profiles if dc_offer.image_for(p) is not None
                 for prop in p.properties.values()
                 if prop.kind == "fixed" and prop.name in OVERRIDABLE and _number(prop.value) is not None]
        if not fixed:
            pytest.skip("no hardware profile has a numeric fixed property")
        profile, prop = fixed[0]
        other = _text(float(prop.value) + 1)
        response = dc_instances.create(launch_params(dc_offer, profile, **{f"hwp_{prop.name}": other}))
        assert response.status == 400, f"hwp_{prop.name}={other} on fixed {prop.value}: {response.describe()}"

    @pytest.mark.dc_decision("validated-overrides")
    def test_unknown_profile_is_400(self, dc_instances: Instances, dc_offer: Offer) -> None:
        params = {**dc_offer.any_launch(), "hwp_id": "dcconf-no-such-profile"}
        response = dc_instances.create(params).expect(400)
        assert "hwp_id" in (response.xml().findtext("message") or "") or "dcconf-no-such-profile" in response.text

    def test_profile_of_a_listing_is_the_one_shown(self, dc_api: DeltacloudApi, dc_offer: Offer) -> None:
        for profile in dc_offer.profiles:
            shown = dc_api.xml(f"/hardware_profiles/{profile.id}")
            assert {p.get("name") for p in shown.findall("property")} == set(profile.properties)
