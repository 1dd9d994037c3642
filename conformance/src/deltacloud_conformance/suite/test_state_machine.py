"""The state machine honoured: actions offered by state, allowed ones work, the others get 405, waits bounded."""

from __future__ import annotations

from collections import deque
from typing import Any

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.documents import Machine, xml_actions
from deltacloud_conformance.lifecycle import Instances

__all__ = ["TestStateMachine"]

#: Action links that do not come from the state machine.
EXTRA_ACTIONS = frozenset({"create_image", "run"})


def state_of(root: Any) -> str:
    """The ``<state>`` of an instance element, lower case."""
    return (root.findtext("state") or "").strip().lower()


def first_step_towards(machine: Machine, state: str, wanted: Any) -> str | None:
    """The first action of the shortest path from ``state`` to a stable state satisfying ``wanted``."""
    queue: deque[tuple[str, str | None]] = deque([(state, None)])
    seen = {state}
    while queue:
        current, first = queue.popleft()
        if first is not None and wanted(current):
            return first
        for action in machine.actions_for(current):
            if action == "destroy":
                continue
            for landing in machine.settles_into(machine.target(current, action) or current):
                if not machine.is_transient(landing) and landing not in seen:
                    seen.add(landing)
                    queue.append((landing, first or action))
    return None


class TestStateMachine:
    """Each instance follows the machine ``/api/instance_states`` publishes."""

    area = "state machine"

    def test_automatic_transitions_complete(self, dc_instances: Instances, dc_offer: Offer,
                                            dc_machine: Machine) -> None:
        created = dc_instances.launch(dc_offer.any_launch())
        initial = state_of(created)
        settled = state_of(dc_instances.wait_stable(created.get("id")))
        assert settled in dc_machine.settles_into(initial), (
            f"a new instance went from {initial.upper()} to {settled.upper()}, which no automatic transition allows")

    def test_actions_offered_match_the_state(self, dc_instances: Instances, dc_offer: Offer,
                                             dc_machine: Machine) -> None:
        id = dc_instances.launch(dc_offer.any_launch()).get("id")
        root = dc_instances.wait_stable(id)
        self.check_action_links(root, dc_machine, dc_instances)

    def check_action_links(self, root: Any, machine: Machine, instances: Instances) -> None:
        """The instance's action links are exactly its state's actions, with the right method and href."""
        state, href = state_of(root), root.get("href")
        actions = {rel: link for rel, link in xml_actions(root).items() if rel not in EXTRA_ACTIONS}
        assert set(actions) == set(machine.actions_for(state)), (
            f"an instance {state.upper()} offers {sorted(actions)}; the machine allows {machine.actions_for(state)}")
        for rel, (method, link) in actions.items():
            if rel == "destroy":
                assert (method, link) == ("delete", href), f"destroy link is {method} {link}"
            else:
                assert (method, link) == ("post", f"{href}/{rel}"), f"{rel} link is {method} {link}"

    def test_walk_every_action(self, dc_instances: Instances, dc_offer: Offer, dc_machine: Machine) -> None:
        """Take every action from every stable state reached; refused actions must answer 405 there."""
        machine = dc_machine
        id = dc_instances.launch(dc_offer.any_launch()).get("id")
        tested: set[tuple[str, str]] = set()
        refusals_checked: set[str] = set()
        root = dc_instances.wait_stable(id)
        for _ in range(4 * len(machine.transitions) + 4):
            state = state_of(root)
            self.check_action_links(root, machine, dc_instances)
            if state not in refusals_checked:
                self.check_refusals(dc_instances, machine, id, state)
                refusals_checked.add(state)

            def untested(s: str) -> bool:
                return any((s, a) not in tested and a != "destroy" for a in machine.actions_for(s))

            if untested(state):
                action = next(a for a in machine.actions_for(state) if (state, a) not in tested and a != "destroy")
            else:
                action = first_step_towards(machine, state, untested) or (
                    "destroy" if "destroy" in machine.actions_for(state) else
                    first_step_towards(machine, state, lambda s: "destroy" in machine.actions_for(s)))
            assert action, f"instance {id} is {state.upper()} and no action leads anywhere new or to destroy"
            response = dc_instances.act(id, action)
            tested.add((state, action))
            if action == "destroy":
                response.expect(204)
                dc_instances.tracker.forget("instances", id)
                dc_instances.wait_gone(id)
                break
            after = state_of(response.expect(202).xml())
            target = machine.target(state, action) or ""
            assert after in machine.settles_into(target), (
                f"{action} from {state.upper()} answered {after.upper()}; the machine leads to {target.upper()}")
            root = dc_instances.wait_stable(id)
        else:
            raise AssertionError(f"the walk did not reach destroy; actions taken: {sorted(tested)}")
        reachable = {s for s, _ in tested} | refusals_checked
        undestroyed = [s for s in reachable if "destroy" in machine.actions_for(s) and (s, "destroy") not in tested]
        for state in sorted(undestroyed):
            self.destroy_from(dc_instances, dc_offer, machine, state)  # one walk ends at the first destroy
            tested.add((state, "destroy"))
        missed = {(s, a) for s in reachable for a in machine.actions_for(s)} - tested
        assert not missed, f"actions never taken: {sorted(missed)}"

    def destroy_from(self, instances: Instances, offer: Offer, machine: Machine, state: str) -> None:
        """Launch an instance, lead it to ``state`` by the shortest path, and destroy it from there."""
        id = instances.launch(offer.any_launch()).get("id")
        root = instances.wait_stable(id)
        for _ in range(len(machine.transitions) + 1):
            if state_of(root) == state:
                break
            step = first_step_towards(machine, state_of(root), lambda s: s == state)
            assert step, f"no way from {state_of(root).upper()} to {state.upper()}"
            instances.act(id, step).expect(202)
            root = instances.wait_stable(id)
        assert state_of(root) == state, f"instance {id} never reached {state.upper()}"
        instances.act(id, "destroy").expect(204)
        instances.tracker.forget("instances", id)
        instances.wait_gone(id)

    def check_refusals(self, instances: Instances, machine: Machine, id: str, state: str) -> None:
        """Every client action the state does not allow answers 405 and leaves the instance as it was."""
        for action in machine.client_actions():
            if action in machine.actions_for(state):
                continue
            response = instances.act(id, action)
            assert response.status == 405, f"{action} on an instance {state.upper()}: {response.describe()}"
            error = response.xml()
            assert error.tag == "error" and error.get("status") == "405", response.describe()
            now = instances.state(id)
            assert now is not None and now.lower() == state, (
                f"a refused {action} moved the instance from {state.upper()} to {now}")
