"""Load balancers (classic ELB) at the driver level, against moto."""

from __future__ import annotations

import pytest

from deltacloud.errors import ConflictError, NotFoundError
from deltacloud.models import LaunchOptions


def test_load_balancer_lifecycle(driver, moto):
    instance = driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro"))
    created = driver.create_load_balancer("web-lb", "us-east-1a", "http", 80, 8080)
    assert created.id == created.name == "web-lb"
    assert created.realm_ids == ("us-east-1a",)
    assert [(li.protocol, li.load_balancer_port, li.instance_port) for li in created.listeners] == [
        ("HTTP", "80", "8080")]
    assert created.public_addresses and created.instance_ids == ()
    assert [b.id for b in driver.load_balancers({})] == ["web-lb"]
    names = [d["LoadBalancerName"] for d in moto.client("elb").describe_load_balancers()["LoadBalancerDescriptions"]]
    assert names == ["web-lb"]
    assert driver.register_load_balancer("web-lb", instance.id).instance_ids == (instance.id,)
    assert driver.load_balancer("web-lb").instance_ids == (instance.id,)
    assert driver.unregister_load_balancer("web-lb", instance.id).instance_ids == ()
    with pytest.raises(NotFoundError):
        driver.unregister_load_balancer("web-lb", instance.id)
    driver.destroy_load_balancer("web-lb")
    assert driver.load_balancers({}) == []


def test_duplicate_balancer_is_409(driver):
    driver.create_load_balancer("twice", "us-east-1a", "tcp", 22, 22)
    with pytest.raises(ConflictError):
        driver.create_load_balancer("twice", "us-east-1b", "tcp", 22, 22)


def test_missing_balancer_is_404(driver):
    with pytest.raises(NotFoundError):
        driver.load_balancer("nope")
    assert driver.load_balancers({"id": "nope"}) == []
    with pytest.raises(NotFoundError):
        driver.destroy_load_balancer("nope")
