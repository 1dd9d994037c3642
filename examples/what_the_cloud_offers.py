"""Print what a Deltacloud server offers: its driver, collections, features, profiles and state machine.

    DELTACLOUD_URL=... DELTACLOUD_USER=... DELTACLOUD_PASSWORD=... python examples/what_the_cloud_offers.py
"""

from __future__ import annotations

import os

from deltacloud_client import Client


def main() -> None:
    client = Client(os.environ["DELTACLOUD_URL"], os.environ.get("DELTACLOUD_USER"),
                    os.environ.get("DELTACLOUD_PASSWORD"))
    print(f"Deltacloud API {client.version}, driver {client.driver}")
    for name in client.collections:
        features = ", ".join(f.name for f in client.features(name))
        print(f"  {name}" + (f" (features: {features})" if features else ""))
    if client.supports("hardware_profiles"):
        for profile in client.hardware_profiles():
            props = ", ".join(f"{p.name} {p.value}{' ' + p.unit if p.unit else ''} ({p.kind})"
                              for p in profile.properties.values())
            print(f"profile {profile.id}: {props or 'no properties'}")
    for transition in client.instance_states().transitions:
        print(f"{transition.source} -> {transition.target}: {transition.action or 'automatically'}")


if __name__ == "__main__":
    main()
