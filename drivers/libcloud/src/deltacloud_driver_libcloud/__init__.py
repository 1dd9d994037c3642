"""Deltacloud drivers for the clouds apache-libcloud speaks to, one entry point per cloud family.

Each family is a subpackage with its own state map, state machine, features and collections:
``libvirt`` (compute on a libvirt hypervisor). Importing this package imports none of them.
"""
