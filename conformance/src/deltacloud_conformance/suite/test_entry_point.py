"""The entry point: links, features, driver and provider selection, formats, caching headers."""

from __future__ import annotations

import pytest

from deltacloud_conformance import profile
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import (
    BASE_COLLECTIONS,
    EntryPoint,
    entry_point_from_json,
    entry_point_from_xml,
    items_of,
)

__all__ = ["TestEntryPoint", "TestFormats", "TestSelection"]


class TestEntryPoint:
    """``GET /api`` describes the driver: its collections and the features it advertises."""

    area = "entry point"

    def test_answers_without_credentials(self, dc_api: DeltacloudApi) -> None:
        root = dc_api.get("/", auth=None).expect(200).xml()
        entry = entry_point_from_xml(root)
        assert entry.driver, "<api> has no driver attribute"
        assert entry.version, "<api> has no version attribute"

    def test_links_every_base_collection(self, dc_entry: EntryPoint, dc_api: DeltacloudApi) -> None:
        missing = [c for c in BASE_COLLECTIONS if not dc_entry.has(c)]
        assert not missing, f"/api does not link the base collections {missing}"
        for rel, href in dc_entry.links.items():
            assert href == dc_api.url(f"/{rel}"), f"link {rel!r} points to {href!r}, not {dc_api.url('/' + rel)!r}"

    def test_every_link_answers(self, dc_entry: EntryPoint, dc_api: DeltacloudApi) -> None:
        for rel, href in dc_entry.links.items():
            root = dc_api.get(href).expect(200).xml()
            expected = "states" if rel == "instance_states" else rel
            assert root.tag == expected, f"{href} answers <{root.tag}>, not <{expected}>"

    def test_features_are_well_formed(self, dc_entry: EntryPoint) -> None:
        names = [f.name for f in dc_entry.features]
        assert len(names) == len(set(names)), f"a feature is advertised twice: {sorted(names)}"
        for feature in dc_entry.features:
            assert feature.name and feature.operation, f"feature without name or rel: {feature}"
            assert feature.params and all(feature.params), f"feature {feature.name!r} lists no parameter"

    def test_json_agrees_with_xml(self, dc_entry: EntryPoint, dc_api: DeltacloudApi) -> None:
        as_json = entry_point_from_json(dc_api.json("/"))
        assert (as_json.driver, as_json.version) == (dc_entry.driver, dc_entry.version)
        assert dict(as_json.links) == dict(dc_entry.links)
        assert {(f.name, f.collection, f.operation, f.params) for f in as_json.features} == {
            (f.name, f.collection, f.operation, f.params) for f in dc_entry.features}

    def test_head_has_no_body(self, dc_api: DeltacloudApi) -> None:
        response = dc_api.request("HEAD", "/").expect(200)
        assert response.content == b"", f"HEAD /api sent a body: {response.describe()}"

    @pytest.mark.dc_decision("quoted-etag")
    def test_etag(self, dc_api: DeltacloudApi) -> None:
        etag = dc_api.get("/").expect(200).header("etag")
        assert etag, "/api has no ETag"
        if not profile.loosened("quoted-etag"):
            assert etag.startswith('"') and etag.endswith('"'), f"/api has no quoted strong ETag: {etag!r}"
        assert dc_api.get("/").header("etag") == etag, "the same document got another ETag"
        assert dc_api.get("/drivers").expect(200).header("etag"), "GET /api/drivers has no ETag"

    @pytest.mark.dc_extension("conditional-get")
    def test_conditional_get(self, dc_api: DeltacloudApi) -> None:
        etag = dc_api.get("/").expect(200).header("etag")
        cached = dc_api.get("/", headers={"If-None-Match": etag}).expect(304)
        assert cached.content == b"", "a 304 must not carry a body"
        dc_api.get("/", headers={"If-None-Match": '"dcconf-stale"'}).expect(200)
        listing = dc_api.get("/drivers").expect(200).header("etag")
        dc_api.get("/drivers", headers={"If-None-Match": listing}).expect(304)

    @pytest.mark.dc_extension("openapi")
    def test_openapi_document(self, dc_api: DeltacloudApi, dc_entry: EntryPoint) -> None:
        doc = dc_api.get("/openapi.json").expect(200).json()
        assert isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3."), "not an OpenAPI 3 document"
        paths = doc.get("paths")
        assert isinstance(paths, dict) and any(p.startswith("/instances") for p in paths), (
            "the OpenAPI document does not describe /instances")


class TestFormats:
    """Content negotiation: ``?format=`` first, then ``Accept``; XML when the client does not care."""

    area = "entry point"

    @pytest.mark.parametrize(("accept", "media"), [
        (None, "application/xml"),
        ("*/*", "application/xml"),
        ("application/xml", "application/xml"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("application/json;q=0.5, application/xml", "application/xml"),
    ])
    @pytest.mark.dc_decision("star-accept-xml")
    def test_accept(self, dc_api: DeltacloudApi, accept: str | None, media: str) -> None:
        wanted = {media}
        if accept in (None, "*/*") and profile.loosened("star-accept-xml"):
            wanted.add("text/html")  # 1.1 answered its HTML UI
        for target in ("/", "/drivers"):
            response = dc_api.get(target, headers={"Accept": accept}).expect(200)  # None: no Accept at all
            assert response.content_type in wanted, f"Accept {accept!r} gave {response.describe()}"

    @pytest.mark.parametrize(("fmt", "media"), [("xml", "application/xml"), ("json", "application/json"),
                                                ("html", "text/html")])
    def test_format_parameter_wins(self, dc_api: DeltacloudApi, fmt: str, media: str) -> None:
        response = dc_api.get("/instance_states", fmt=fmt, headers={"Accept": "application/json"}).expect(200)
        assert response.content_type == media, response.describe()

    def test_unproducible_type_is_406(self, dc_api: DeltacloudApi) -> None:
        dc_api.get("/", headers={"Accept": "application/x-dcconf-nothing"}).expect(406)


class TestSelection:
    """Driver and provider chosen per request by matrix parameters or ``X-Deltacloud-*`` headers."""

    area = "entry point"

    def test_current_driver_is_listed(self, dc_api: DeltacloudApi, dc_entry: EntryPoint) -> None:
        drivers = items_of(dc_api.get("/drivers", auth=None).expect(200).xml(), "drivers")
        assert dc_entry.driver in [d.get("id") for d in drivers], f"/api/drivers does not list {dc_entry.driver!r}"
        shown = dc_api.xml(f"/drivers/{dc_entry.driver}")
        assert shown.tag == "driver" and shown.get("id") == dc_entry.driver
        assert (shown.findtext("name") or "").strip(), "the driver has no <name>"

    def test_driver_by_matrix_parameter(self, dc_api: DeltacloudApi, dc_entry: EntryPoint) -> None:
        response = dc_api.get(f";driver={dc_entry.driver}").expect(200)
        assert entry_point_from_xml(response.xml()).driver == dc_entry.driver
        assert response.header("x-deltacloud-driver") == dc_entry.driver

    def test_driver_by_header(self, dc_api: DeltacloudApi, dc_entry: EntryPoint) -> None:
        response = dc_api.get("/instance_states", headers={"X-Deltacloud-Driver": dc_entry.driver}).expect(200)
        assert response.header("x-deltacloud-driver") == dc_entry.driver

    @pytest.mark.dc_decision("unknown-driver-400")
    def test_unknown_driver_is_400_naming_the_installed_ones(self, dc_api: DeltacloudApi,
                                                             dc_entry: EntryPoint) -> None:
        response = dc_api.get(";driver=dcconf-no-such-driver").expect(400)
        message = response.xml().findtext("message") or ""
        assert dc_entry.driver in message, f"the 400 does not name the installed drivers: {message!r}"

    def test_switch_by_post_redirects(self, dc_api: DeltacloudApi, dc_entry: EntryPoint) -> None:
        response = dc_api.post("/", data={"driver": dc_entry.driver}, auth=None).expect(301)
        assert (response.header("location") or "").endswith(f"/api;driver={dc_entry.driver}"), response.describe()

    def test_provider_selection(self, dc_api: DeltacloudApi, dc_entry: EntryPoint,
                                dc_provider: str | None) -> None:
        """Each provider selected by ``;provider=`` (its value percent-encoded) and by the header.

        A provider holding ``/``, ``:`` or ``;`` (a URL, a libvirt URI) travels encoded; only a
        server that decodes the path before the app sees it (in-process, ``wsgiref``) cannot
        read it from the matrix parameter, and there the header alone is checked.
        """
        listed = [p.get("id") or "" for p in dc_api.xml(f"/drivers/{dc_entry.driver}").findall("provider")]
        providers = [p for p in dict.fromkeys([dc_provider or "", *listed]) if p][:3]
        if not providers:
            pytest.skip(f"driver {dc_entry.driver!r} lists no provider and none was given (--deltacloud-provider)")
        for provider in providers:
            by_header = dc_api.get("/", headers={"X-Deltacloud-Provider": provider}).expect(200)
            assert by_header.header("x-deltacloud-provider") == provider, by_header.describe()
            assert by_header.xml().get("provider") == provider, by_header.describe()
            target = dc_api.matrix("provider", provider)
            if target != f";provider={provider}" and not dc_api.sees_raw_paths(by_header):
                continue  # the server decodes the path first: the encoded value cannot reach the app intact
            # without the session's provider header: the matrix parameter alone selects
            response = dc_api.get(target, headers={"X-Deltacloud-Provider": None}).expect(200)
            assert response.xml().get("provider") == provider, f"/api{target}: {response.describe()}"
            assert response.header("x-deltacloud-provider") == provider
