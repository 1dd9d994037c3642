"""Deltacloud's EC2 driver: EC2, EBS, ELB and S3 through apache-libcloud.

Installed as the entry point ``ec2`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_ec2.driver import FEATURES, Ec2Driver

__all__ = ["FEATURES", "Ec2Driver"]
