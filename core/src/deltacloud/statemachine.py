"""Deprecated import path, kept for one release: ``from deltacloud.driver import StateMachine, Transition``."""

from deltacloud.driver.statemachine import StateMachine, Transition

__all__ = ["StateMachine", "Transition"]
