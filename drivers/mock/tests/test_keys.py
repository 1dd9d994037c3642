"""Keys: the seeded key, generated key pairs, imported public keys."""

from __future__ import annotations

import re

import pytest

from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import LaunchOptions

# Made with ssh-keygen; fingerprints from ``ssh-keygen -l -E md5 -f``.
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBFdxcUZ09Rf5zQiwWLKdaP1AIj1qLEUfGuvTVCTwFIM test@mock"
ED25519_MD5 = "ac:c0:cd:b6:42:c2:15:73:f4:3a:ec:fc:6f:3f:3e:40"
RSA = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDL3UeA3Wcu8CF1QWWE6jn8ltW0/JW/TIVK3rZBAwWr0AvT1UAXLsCj10X8TcqNsL4s"
       "g1fArNeA+F6maqp6/4ekKyMbvtg3IvxxGt1cIyuv9YHlpzdOGNbsTbHkLH1QaLsKHk3i0RZB9EWgJcuViLXvg/7fBu59QV45wTTED2bfOQ== "
       "rsa@mock")
RSA_MD5 = "be:33:19:44:b3:5d:73:33:4b:4b:54:bf:62:42:88:c3"
SHA1_STYLE = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){19}")


def test_seeded_key(driver):
    (key,) = driver.keys({})
    assert (key.id, key.name, key.type) == ("test-key", "test-key", "key")
    assert key.fingerprint == "5e:ce:b6:dc:59:3b:5c:93:f8:2e:9d:20:ce:60:ca:f5:0b:8a:66:93"
    assert key.pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert key.pem.endswith("-----END RSA PRIVATE KEY-----")
    assert driver.key("test-key") == key


def test_create_generated_key(driver):
    key = driver.create_key("fresh")
    assert (key.id, key.name, key.type, key.public_key) == ("fresh", "fresh", "key", "")
    assert SHA1_STYLE.fullmatch(key.fingerprint)
    lines = key.pem.splitlines()
    assert lines[0] == "-----BEGIN RSA PRIVATE KEY-----" and lines[-1] == "-----END RSA PRIVATE KEY-----"
    assert len(lines) > 10 and all(re.fullmatch(r"[A-Za-z0-9+/=]{1,64}", line) for line in lines[1:-1])
    assert driver.key("fresh") == key
    other = driver.create_key("fresh2")
    assert other.fingerprint != key.fingerprint and other.pem != key.pem
    assert [k.id for k in driver.keys({})] == ["test-key", "fresh", "fresh2"]


@pytest.mark.parametrize(("text", "fingerprint"), [(ED25519, ED25519_MD5), (RSA, RSA_MD5)])
def test_import_public_key(driver, text, fingerprint):
    key = driver.create_key("imported", text)
    assert key.fingerprint == fingerprint
    assert key.pem == ""
    assert key.public_key == text
    assert driver.key("imported").fingerprint == fingerprint


def test_import_strips_surrounding_whitespace(driver):
    assert driver.create_key("padded", f"  {ED25519}\n").fingerprint == ED25519_MD5


@pytest.mark.parametrize("text", ["   ", ""])
def test_blank_public_key_generates(driver, text):
    key = driver.create_key("blank", text)
    assert key.pem and SHA1_STYLE.fullmatch(key.fingerprint)


@pytest.mark.parametrize("text", [
    "not a key",
    "ssh-rsa",
    "ssh-rsa !!!notbase64!!!",
    "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIBFdxcUZ09Rf5zQiwWLKdaP1AIj1qLEUfGuvTVCTwFIM",
    # an ed25519 body announced as RSA
    "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBFdxcUZ09Rf5zQiwWLKdaP1AIj1qLEUfGuvTVCTwFIM",
    "ssh-rsa AAA=",
    "ssh-rsa " + "A" * 20000,
])
def test_malformed_public_key(driver, text):
    with pytest.raises(ValidationError) as err:
        driver.create_key("bad", text)
    assert err.value.param == "public_key"
    assert driver.keys({"id": "bad"}) == []


def test_duplicate_key(driver):
    with pytest.raises(ConflictError):
        driver.create_key("test-key")
    driver.create_key("mine")
    with pytest.raises(ConflictError):
        driver.create_key("mine", ED25519)
    assert driver.key("mine").public_key == ""


@pytest.mark.parametrize("name", ["", "a/b", "tab\there"])
def test_bad_key_name(driver, name):
    with pytest.raises(ValidationError) as err:
        driver.create_key(name)
    assert err.value.param == "name"


def test_destroy_key(driver, ids):
    driver.create_key("temp")
    driver.destroy_key("temp")
    driver.destroy_key("test-key")
    assert ids(driver.keys({})) == []
    with pytest.raises(NotFoundError):
        driver.destroy_key("temp")
    with pytest.raises(NotFoundError):
        driver.key("temp")


def test_created_key_can_launch_instances(driver):
    driver.create_key("launcher", RSA)
    assert driver.create_instance("img1", LaunchOptions(keyname="launcher")).keyname == "launcher"
