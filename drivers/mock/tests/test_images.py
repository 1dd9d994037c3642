"""Images: the seeded ones, filters, and creating and destroying images of instances."""

from __future__ import annotations

import re

import pytest

from deltacloud.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from deltacloud.models import LaunchOptions

ALL_PROFILES = ("m1-small", "m1-large", "m1-xlarge", "opaque")


def test_seeded_images(driver):
    images = driver.images({})
    assert [(i.id, i.description, i.owner_id, i.architecture, i.state) for i in images] == [
        ("img1", "Fedora 10", "fedoraproject", "x86_64", "AVAILABLE"),
        ("img2", "Fedora 10", "fedoraproject", "i386", "AVAILABLE"),
        ("img3", "JBoss", "mockuser", "i386", "AVAILABLE"),
    ]
    assert all(i.hardware_profiles == ALL_PROFILES for i in images)
    assert images[0].creation_time == "2012-10-25T14:27:53+02:00"


@pytest.mark.parametrize(("filters", "expected"), [
    ({"id": "img2"}, ["img2"]),
    ({"architecture": "i386"}, ["img2", "img3"]),
    ({"architecture": "x86_64"}, ["img1"]),
    ({"owner_id": "mockuser"}, ["img3"]),
    ({"owner_id": "fedoraproject", "architecture": "i386"}, ["img2"]),
    ({"owner_id": "nobody"}, []),
    ({"id": "img9"}, []),
])
def test_image_filters(driver, ids, filters, expected):
    assert ids(driver.images(filters)) == expected


def test_show_image(driver):
    assert driver.image("img3").description == "JBoss"
    with pytest.raises(NotFoundError):
        driver.image("img9")


def test_create_image_named_and_described(driver):
    image = driver.create_image("inst0", "my-image", "my description")
    assert (image.id, image.name, image.description) == ("my-image", "my-image", "my description")
    assert image.owner_id == "mockuser"
    assert image.architecture == "x86_64"  # from inst0's image img1
    assert image.hardware_profiles == ALL_PROFILES
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", image.creation_time)
    assert driver.image("my-image") == image
    assert [i.id for i in driver.images({"owner_id": "mockuser"})] == ["img3", "my-image"]


def test_create_image_architecture_follows_the_instance_image(driver):
    assert driver.create_image("inst1", "from-inst1").architecture == "i386"  # inst1 runs img3


def test_create_image_generates_an_id_without_name(driver):
    first = driver.create_image("inst0")
    second = driver.create_image("inst2")
    assert first.id == "img4" and second.id == "img5"
    assert first.name == first.id and first.description == ""


def test_create_image_refused_for_inst3(driver):
    with pytest.raises(ConflictError):
        driver.create_image("inst3", "never")
    assert driver.images({"id": "never"}) == []


def test_create_image_of_unknown_instance(driver):
    with pytest.raises(NotFoundError):
        driver.create_image("inst99", "x")


def test_create_image_with_a_taken_name(driver):
    with pytest.raises(ConflictError):
        driver.create_image("inst0", "img1")
    driver.create_image("inst0", "mine")
    with pytest.raises(ConflictError):
        driver.create_image("inst2", "mine")
    assert driver.image("img1").owner_id == "fedoraproject"


@pytest.mark.parametrize("name", ["", "a/b", "bad\nname", "x" * 256])
def test_create_image_with_a_bad_name(driver, name):
    with pytest.raises(ValidationError) as err:
        driver.create_image("inst0", name)
    assert err.value.param == "name"


def test_instances_of_a_created_image(driver):
    driver.create_image("inst0", "golden")
    inst = driver.create_instance("golden", LaunchOptions())
    assert inst.image_id == "golden"
    assert inst.public_addresses[0].address == f"golden.{inst.id}.public.com"


def test_destroy_own_image(driver, ids):
    driver.create_image("inst0", "temp")
    driver.destroy_image("temp")
    assert "temp" not in ids(driver.images({}))
    driver.destroy_image("img3")  # seeded, owned by mockuser
    assert ids(driver.images({})) == ["img1", "img2"]


def test_destroy_image_of_another_owner(driver):
    with pytest.raises(ForbiddenError):
        driver.destroy_image("img1")
    assert driver.image("img1").id == "img1"


def test_destroy_unknown_image(driver):
    with pytest.raises(NotFoundError):
        driver.destroy_image("img9")
