"""Every family's explicit state map lands in its own state machine, never in libcloud's NodeState.

The maps are data; these checks keep each map and its machine from drifting apart (a state the
machine lacks would leave instances without actions).
"""

from __future__ import annotations

import pytest

from deltacloud.driver import StateMachine
from deltacloud_driver_libcloud.google import states as google_states
from deltacloud_driver_libcloud.libvirt import states as libvirt_states
from deltacloud_driver_libcloud.openstack import states as openstack_states
from deltacloud_driver_libcloud.vcloud import states as vcloud_states

FAMILIES = [
    ("libvirt", libvirt_states.STATE_MAP, libvirt_states.MACHINE, libvirt_states.deltacloud_state, 42),
    ("openstack", openstack_states.STATE_MAP, openstack_states.MACHINE, openstack_states.deltacloud_state,
     "SOMETHING_NEW"),
    ("vcloud", vcloud_states.STATE_MAP, vcloud_states.MACHINE, vcloud_states.deltacloud_state, "99"),
    ("google", google_states.STATE_MAP, google_states.MACHINE, google_states.deltacloud_state, "SOMETHING_NEW"),
]


@pytest.mark.parametrize(("family", "state_map", "machine", "convert", "unknown"), FAMILIES,
                         ids=[f[0] for f in FAMILIES])
def test_every_mapped_state_is_a_state_of_the_machine(family: str, state_map: dict, machine: StateMachine,
                                                      convert: object, unknown: object) -> None:
    states = {s.upper() for s in machine.states}
    assert set(state_map.values()) <= states, f"{family}: {set(state_map.values()) - states}"
    assert convert(unknown) == "ERROR" and "ERROR" in states  # type: ignore[operator]


def test_what_libcloud_would_lose_is_kept() -> None:
    # libcloud calls a shut-off, a paused and a shutting-down domain all TERMINATED
    assert {libvirt_states.deltacloud_state(s) for s in (libvirt_states.SHUTOFF, libvirt_states.PAUSED)} == {
        "STOPPED"}
    assert libvirt_states.deltacloud_state(libvirt_states.SHUTDOWN) == "STOPPING"
    # libcloud has no word for a shelved server; vCloud's deployed-but-off vApp is no PENDING
    assert openstack_states.deltacloud_state("SHELVED_OFFLOADED") == "STOPPED"
    assert vcloud_states.deltacloud_state("8") == "STOPPED" and vcloud_states.deltacloud_state("2") == "STOPPED"
    assert "TERMINATED" not in {*libvirt_states.STATE_MAP.values(), *openstack_states.STATE_MAP.values()}
    # libcloud calls a stopping GCE instance PENDING, which would end in RUNNING
    assert google_states.deltacloud_state("STOPPING") == "STOPPING"
    assert google_states.deltacloud_state("TERMINATED") == "STOPPED"
