"""The state machine of clouds whose instances start, stop, reboot and are destroyed (libvirt, GCE).

A new instance is PENDING until it runs (or fails into ERROR); RUNNING may reboot, stop through
STOPPING into STOPPED, or be destroyed; STOPPED may start again or be destroyed. Each cloud keeps
its own explicit mapping of raw statuses onto these states.
"""

from __future__ import annotations

from deltacloud.driver import StateMachine

START_STOP_MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    pending -> error auto
    running -> running on reboot
    running -> stopping on stop
    running -> finish on destroy
    stopping -> stopped auto
    stopped -> running on start
    stopped -> finish on destroy
    error -> finish on destroy
""")
