"""Keys, firewalls and addresses at the driver level, against moto: create, then list, then remove."""

from __future__ import annotations

import pytest

from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import LaunchOptions, RuleSource


@pytest.fixture
def public_key() -> str:
    """A fresh OpenSSH public key (the conformance kit's generator)."""
    from deltacloud_conformance.keys import public_key_text

    return public_key_text("test@deltacloud")


def test_create_list_show_destroy_key(driver, moto):
    created = driver.create_key("deploy")
    assert created.id == "deploy" and created.pem.startswith("-----BEGIN") and created.fingerprint
    assert [k.id for k in driver.keys({})] == ["deploy"]
    listed = driver.key("deploy")
    assert listed.fingerprint == created.fingerprint and listed.pem == "", "the private key is shown once only"
    assert [k["KeyName"] for k in moto.client("ec2").describe_key_pairs()["KeyPairs"]] == ["deploy"]
    driver.destroy_key("deploy")
    assert driver.keys({}) == []
    with pytest.raises(NotFoundError):
        driver.destroy_key("deploy")


def test_import_key(driver, public_key):
    imported = driver.create_key("laptop", public_key)
    assert imported.pem == "" and imported.fingerprint and imported.public_key == public_key
    assert [k.id for k in driver.keys({})] == ["laptop"]


def test_duplicate_key_is_409(driver):
    driver.create_key("twice")
    with pytest.raises(ConflictError):
        driver.create_key("twice")


def test_keys_made_elsewhere_are_listed(driver, moto):
    moto.client("ec2").create_key_pair(KeyName="from-boto")
    assert [k.id for k in driver.keys({})] == ["from-boto"]
    assert driver.keys({"id": "nope"}) == []


def test_firewall_lifecycle_with_rules(driver, moto):
    created = driver.create_firewall("web", "web servers")
    assert created.id.startswith("sg-") and (created.name, created.description) == ("web", "web servers")
    assert created.id in [f.id for f in driver.firewalls({})]
    with_rule = driver.add_firewall_rule(created.id, "tcp", 80, 443, (
        RuleSource("address", address="10.0.0.0", prefix="8"), RuleSource("address", address="192.0.2.0",
                                                                           prefix="24")))
    [rule] = with_rule.rules
    assert (rule.protocol, rule.port_from, rule.port_to) == ("tcp", "80", "443")
    assert sorted(f"{s.address}/{s.prefix}" for s in rule.sources) == ["10.0.0.0/8", "192.0.2.0/24"]
    permissions = moto.client("ec2").describe_security_groups(GroupIds=[created.id])["SecurityGroups"][0]
    assert permissions["IpPermissions"][0]["FromPort"] == 80
    driver.delete_firewall_rule(created.id, rule.id)
    assert driver.firewall(created.id).rules == ()
    with pytest.raises(NotFoundError):
        driver.delete_firewall_rule(created.id, rule.id)
    driver.destroy_firewall(created.id)
    assert created.id not in [f.id for f in driver.firewalls({})]


def test_group_sources_and_lookup_by_name(driver):
    app = driver.create_firewall("app", "application")
    db = driver.create_firewall("db", "database")
    rules = driver.add_firewall_rule(db.id, "tcp", 5432, 5432, (RuleSource("group", name=app.id),)).rules
    assert [s.type for s in rules[0].sources] == ["group"]
    assert driver.firewall("db").id == db.id, "a firewall can be named by its group name too"
    assert rules[0].id == driver.firewall(db.id).rules[0].id, "rule ids are stable"


def test_missing_firewall_is_404(driver):
    with pytest.raises(NotFoundError):
        driver.firewall("sg-0123456789abcdef0")
    with pytest.raises(NotFoundError):
        driver.add_firewall_rule("sg-0123456789abcdef0", "tcp", 22, 22, (RuleSource("address", "0.0.0.0", "0"),))
    with pytest.raises(NotFoundError):
        driver.destroy_firewall("no-such-group")


def test_address_lifecycle(driver, moto):
    instance = driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro"))
    address = driver.create_address()
    assert address.id == address.ip and address.instance_id == ""
    assert [a.id for a in driver.addresses({})] == [address.id]
    assert driver.associate_address(address.id, instance.id).instance_id == instance.id
    assert address.ip in [a.address for a in driver.instance(instance.id).public_addresses]
    assert driver.disassociate_address(address.id).instance_id == ""
    with pytest.raises(ConflictError):
        driver.disassociate_address(address.id)
    driver.destroy_address(address.id)
    assert driver.addresses({}) == []
    assert moto.client("ec2").describe_addresses()["Addresses"] == []


def test_address_with_unknown_instance_is_400(driver):
    address = driver.create_address()
    with pytest.raises(ValidationError):
        driver.associate_address(address.id, "i-0123456789abcdef0")


def test_missing_address_is_404(driver):
    with pytest.raises(NotFoundError):
        driver.address("198.51.100.7")
