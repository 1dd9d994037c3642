"""Errors: 401, 404, 400 and 405, each as an error document in the negotiated format, never leaking secrets."""

from __future__ import annotations

import pytest

from deltacloud_conformance import profile
from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import ApiResponse, DeltacloudApi
from deltacloud_conformance.documents import items_of
from deltacloud_conformance.lifecycle import Instances
from deltacloud_conformance.requirements import requires_feature

__all__ = ["TestBadRequests", "TestNotFound", "TestUnauthorized"]

FORMATS = ("xml", "json")


def check_error(response: ApiResponse, status: int, fmt: str, *, also: tuple[int, ...] = (),
                document_in_11: bool = True, hint: str = "") -> str:
    """Assert an error document of ``status`` (or one of ``also``) in ``fmt``; its message.

    ``document_in_11=False``: 1.1 answered this error in plain text or HTML, so under the 1.1
    profile only the status is checked (decision ``error-documents``) and the text is the message.
    """
    __tracebackhide__ = True
    assert response.status in (status, *also), f"expected {status}: {response.describe()}{hint}"
    if not document_in_11 and profile.loosened("error-documents") and response.content_type not in (
            "application/xml", "application/json"):
        return response.text
    if fmt == "json":
        doc = response.json()
        # 1.1: {"code": 404, "message": "...", "error": "<kind of failure>"}
        assert isinstance(doc, dict) and "code" in doc and "message" in doc, (
            f"a JSON error must carry code and message: {response.describe()}")
        assert isinstance(doc.get("error"), str), f"a JSON error's 'error' must be a string: {response.describe()}"
        assert str(doc["code"]) == str(status), response.describe()
        message = str(doc.get("message") or "")
    else:
        root = response.xml()
        assert root.tag == "error" and root.get("status") == str(status), response.describe()
        assert root.find("backend") is not None, f"an error document names its backend: {response.describe()}"
        message = root.findtext("message") or ""
    assert message.strip(), f"an error without a message: {response.describe()}"
    assert "Traceback" not in response.text, f"an error document shows a backtrace: {response.describe()}"
    return message


class TestUnauthorized:
    """401 with a Basic challenge when credentials are missing or wrong."""

    area = "errors"

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_without_credentials(self, dc_api: DeltacloudApi, fmt: str) -> None:
        response = dc_api.get("/instances", auth=None, fmt=fmt)
        check_error(response, 401, fmt)
        assert (response.header("www-authenticate") or "").lower().startswith("basic realm="), response.describe()

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_wrong_password(self, dc_api: DeltacloudApi, fmt: str) -> None:
        assert dc_api.credentials is not None
        user, password = dc_api.credentials
        wrong = password + "-dcconf-wrong"
        response = dc_api.get("/instances", auth=(user, wrong), fmt=fmt)
        check_error(response, 401, fmt)
        assert wrong not in response.text, "the error echoes the password"

    def test_wrong_user(self, dc_api: DeltacloudApi) -> None:
        assert dc_api.credentials is not None
        check_error(dc_api.get("/instances", auth=("dcconf-nobody", dc_api.credentials[1])), 401, "xml")

    def test_creating_needs_credentials(self, dc_api: DeltacloudApi, dc_offer: Offer,
                                        dc_instances: Instances) -> None:
        response = dc_instances.create(dc_offer.any_launch(), auth=None)
        check_error(response, 401, "xml")

    @pytest.mark.dc_decision("error-documents")
    def test_force_auth_checks_the_credentials(self, dc_api: DeltacloudApi) -> None:
        assert dc_api.credentials is not None
        dc_api.get("/", params={"force_auth": "1"}).expect(200)
        check_error(dc_api.get("/", params={"force_auth": "1"}, auth=(dc_api.credentials[0], "dcconf-wrong")),
                    401, "xml", document_in_11=False)
        check_error(dc_api.get("/", params={"force_auth": "1"}, auth=None), 401, "xml", document_in_11=False)


class TestNotFound:
    """404 for what does not exist, in the negotiated format."""

    area = "errors"

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("collection", ["realms", "hardware_profiles", "images", "instances"])
    def test_unknown_id(self, dc_api: DeltacloudApi, collection: str, fmt: str) -> None:
        check_error(dc_api.get(f"/{collection}/dcconf-no-such-id", fmt=fmt), 404, fmt)

    @pytest.mark.dc_decision("error-documents")
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_unknown_collection(self, dc_api: DeltacloudApi, fmt: str) -> None:
        check_error(dc_api.get("/dcconf-no-such-collection", fmt=fmt), 404, fmt, document_in_11=False)

    @pytest.mark.dc_decision("missing-instance-404")
    def test_action_on_a_missing_instance(self, dc_api: DeltacloudApi, dc_instances: Instances) -> None:
        also = (403,) if profile.loosened("missing-instance-404") else ()
        for action in dc_instances.machine.client_actions():
            check_error(dc_instances.act("dcconf-no-such-id", action), 404, "xml", also=also)


class TestBadRequests:
    """400 for bad parameters, 405 for a method a collection does not have."""

    area = "errors"

    @pytest.mark.dc_decision("error-documents")
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_missing_image_id(self, dc_instances: Instances, fmt: str) -> None:
        message = check_error(dc_instances.create({}, fmt=fmt), 400, fmt, document_in_11=False)
        assert "image_id" in message, f"the 400 does not name image_id: {message!r}"

    def test_unknown_realm(self, dc_instances: Instances, dc_offer: Offer) -> None:
        message = check_error(dc_instances.create({**dc_offer.any_launch(), "realm_id": "dcconf-nowhere"}), 400,
                              "xml", hint=profile.fault("unknown-references"))
        assert "realm" in message.lower(), f"the 400 does not name the realm: {message!r}"

    def test_unknown_image(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """An image that does not exist is a bad parameter (400) or a missing object (404), never a launch."""
        response = dc_instances.create({**dc_offer.any_launch(), "image_id": "dcconf-no-such-image"})
        assert response.status in (400, 404), (
            f"launching a missing image: {response.describe()}{profile.fault('unknown-references')}")
        check_error(response, response.status, "xml")

    @requires_feature("instance_count")
    def test_instance_count_not_a_number(self, dc_instances: Instances, dc_offer: Offer) -> None:
        message = check_error(dc_instances.create({**dc_offer.any_launch(), "instance_count": "many"}), 400, "xml")
        assert "instance_count" in message

    @pytest.mark.dc_decision("unsupported-405")
    def test_method_not_allowed(self, dc_api: DeltacloudApi) -> None:
        realm = items_of(dc_api.xml("/realms"), "realms")[0].get("id")
        response = dc_api.delete(f"/realms/{realm}")
        if profile.loosened("unsupported-405"):
            assert response.status in (404, 405, 412), f"DELETE on a realm: {response.describe()}"
            return
        check_error(response, 405, "xml")
        assert "GET" in (response.header("allow") or ""), f"a 405 names what is allowed: {response.describe()}"

    @pytest.mark.dc_extension("warning-header")
    def test_unknown_parameters_are_ignored(self, dc_api: DeltacloudApi) -> None:
        response = dc_api.get("/realms", params={"dcconf_unknown": "1"}).expect(200)
        if not profile.loosened("warning-header"):
            assert "dcconf_unknown" in (response.header("warning") or ""), "ignored parameters go in a Warning header"
