"""The fake engine itself, over HTTP: SSO tokens, faults, search, status changes driven by its clock."""

from __future__ import annotations

import time

import defusedxml.ElementTree as ET
import pytest
import requests
from rhevm_fake import BLANK_ID
from rhevm_helpers import PASSWORD, USER, FakeSite

TOKEN_FORM = {"grant_type": "password", "scope": "ovirt-app-api", "username": USER, "password": PASSWORD}


def _token(fake: FakeSite, **form: str) -> requests.Response:
    return requests.post(f"{fake.server.url}/ovirt-engine/sso/oauth/token", data={**TOKEN_FORM, **form}, timeout=5)


def _get(fake: FakeSite, path: str, token: str | None = None, **params: str) -> requests.Response:
    auth = None if token else (USER, PASSWORD)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{fake.api}{path}", params=params, auth=auth, headers=headers, timeout=5)


def _post(fake: FakeSite, path: str, body: str) -> requests.Response:
    return requests.post(f"{fake.api}{path}", data=body, auth=(USER, PASSWORD), timeout=5,
                         headers={"Content-Type": "application/xml"})


def _new_vm(fake: FakeSite, name: str = "vm1", template: str = "tpl-0001") -> str:
    response = _post(fake, "/vms", f'<vm><name>{name}</name><cluster id="cl-0001"/><template id="{template}"/></vm>')
    assert response.status_code == 201, response.text
    return ET.fromstring(response.content).get("id")


def _status(fake: FakeSite, vm: str) -> str:
    return ET.fromstring(_get(fake, f"/vms/{vm}").content).findtext("status")


def test_sso_token_works_until_it_expires(fake: FakeSite) -> None:
    answer = _token(fake)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    token = answer.json()["access_token"]
    assert answer.json()["token_type"] == "bearer" and int(answer.json()["exp"]) > time.time() * 1000
    assert _get(fake, "/clusters", token).status_code == 200
    fake.clock.advance(fake.engine.token_lifetime + 1)
    expired = _get(fake, "/clusters", token)
    assert expired.status_code == 401 and ET.fromstring(expired.content).tag == "fault"


def test_sso_refuses_a_wrong_password_with_a_json_error(fake: FakeSite) -> None:
    answer = _token(fake, password="nope")
    assert answer.status_code == 400 and answer.json()["error_code"] == "access_denied"
    assert "nope" not in answer.text
    assert _token(fake, grant_type="client_credentials").json()["error_code"] == "invalid_request"


def test_basic_authentication_and_its_refusal(fake: FakeSite) -> None:
    assert _get(fake, "").status_code == 200
    refused = requests.get(f"{fake.api}/vms", auth=(USER, "wrong"), timeout=5)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")


def test_search_by_data_center(fake: FakeSite) -> None:
    root = ET.fromstring(_get(fake, "/clusters", search="datacenter=lab").content)
    assert [c.findtext("name") for c in root.findall("cluster")] == ["lab-cluster"]
    templates = ET.fromstring(_get(fake, "/templates", search="datacenter=Default").content)
    assert {t.get("id") for t in templates.findall("template")} == {BLANK_ID, "tpl-0001"}
    assert _get(fake, "/vms", search="status=up").status_code == 400


def test_a_new_vm_is_image_locked_then_down_then_starts(fake: FakeSite) -> None:
    vm = _new_vm(fake)
    assert _status(fake, vm) == "image_locked"
    fake.clock.advance(2.5)
    assert _status(fake, vm) == "down"
    assert _post(fake, f"/vms/{vm}/start", "<action/>").status_code == 200
    assert _status(fake, vm) in ("wait_for_launch", "powering_up")
    fake.clock.advance(10)
    assert _status(fake, vm) == "up"
    nics = ET.fromstring(_get(fake, f"/vms/{vm}/nics", follow="reported_devices").content)
    assert nics.find("nic/reported_devices/reported_device/ips/ip/address") is not None


def test_wrong_status_is_a_409_fault(fake: FakeSite) -> None:
    vm = _new_vm(fake)
    fake.clock.advance(3)
    answer = _post(fake, f"/vms/{vm}/shutdown", "<action/>")
    assert answer.status_code == 409
    assert "Cannot shut down VM" in ET.fromstring(answer.content).findtext("detail")
    _post(fake, f"/vms/{vm}/start", "<action/>")
    fake.clock.advance(10)
    assert requests.delete(f"{fake.api}/vms/{vm}", auth=(USER, PASSWORD), timeout=5).status_code == 409
    _post(fake, f"/vms/{vm}/shutdown", "<action/>")
    assert _status(fake, vm) == "powering_down"
    fake.clock.advance(3)
    assert _status(fake, vm) == "down"
    assert requests.delete(f"{fake.api}/vms/{vm}", auth=(USER, PASSWORD), timeout=5).status_code == 200
    assert _get(fake, f"/vms/{vm}").status_code == 404


def test_a_template_in_use_cannot_be_removed(fake: FakeSite) -> None:
    _new_vm(fake, "user-of-rhel9")
    answer = requests.delete(f"{fake.api}/templates/tpl-0001", auth=(USER, PASSWORD), timeout=5)
    assert answer.status_code == 400
    assert "being used by the following VMs: user-of-rhel9" in ET.fromstring(answer.content).findtext("detail")


def test_template_from_a_stopped_vm_is_locked_then_ok(fake: FakeSite) -> None:
    vm = _new_vm(fake)
    fake.clock.advance(3)
    answer = _post(fake, "/templates", f'<template><name>snap</name><vm id="{vm}"/></template>')
    assert answer.status_code == 201
    template = ET.fromstring(answer.content)
    assert template.findtext("status") == "locked"
    fake.clock.advance(3)
    assert ET.fromstring(_get(fake, f"/templates/{template.get('id')}").content).findtext("status") == "ok"


@pytest.mark.parametrize("body", ["not xml", "<template/>", "<vm><name>x</name></vm>"])
def test_bad_bodies_are_400_faults(fake: FakeSite, body: str) -> None:
    answer = _post(fake, "/vms", body)
    assert answer.status_code == 400 and ET.fromstring(answer.content).tag == "fault"


def test_a_stalled_engine_answers_only_when_released(fake: FakeSite) -> None:
    fake.engine.stall(30)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{fake.api}/clusters", auth=(USER, PASSWORD), timeout=(5, 0.3))
    fake.engine.unstall()
    assert _get(fake, "/clusters").status_code == 200
