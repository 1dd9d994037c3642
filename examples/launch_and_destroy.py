"""Launch an instance, wait until it runs, then carry it to FINISH along the driver's state machine.

    DELTACLOUD_URL=... DELTACLOUD_USER=... DELTACLOUD_PASSWORD=... python examples/launch_and_destroy.py [IMAGE_ID]
"""

from __future__ import annotations

import os
import sys

from deltacloud_client import Client


def main() -> None:
    client = Client(os.environ["DELTACLOUD_URL"], os.environ.get("DELTACLOUD_USER"),
                    os.environ.get("DELTACLOUD_PASSWORD"))
    image_id = sys.argv[1] if len(sys.argv) > 1 else client.images()[0].id
    options = {"name": "example"} if client.feature("instances", "user_name") else {}
    instance = client.create_instance(image_id, **options)
    print(f"launched {instance.id} ({instance.state})")

    instance = client.wait_for(instance, "RUNNING", timeout=300)
    print(f"{instance.id} is RUNNING; it offers: {', '.join(instance.actions)}")

    print(f"to FINISH: {' then '.join(client.path(instance, 'FINISH'))}")
    client.drive(instance, "FINISH", timeout=300,
                 on_action=lambda inst, action: print(f"{inst.id}: {inst.state}, now {action}"))
    print(f"{instance.id} is gone")


if __name__ == "__main__":
    main()
