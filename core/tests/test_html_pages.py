"""The browser pages over the tiny driver: Post/Redirect/Get, links keeping the driver, forms, SVG, docs."""

import re

import defusedxml.ElementTree as ET

FORM = "application/x-www-form-urlencoded"


def _html(auth):
    return {**auth, "Accept": "text/html"}


def _launch(client, auth):
    created = client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1"})
    return ET.fromstring(created.content).get("id")


def test_a_form_create_and_action_redirect_to_the_object_with_a_message(client, auth):
    r = client.simulate_post("/api/instances", headers={**_html(auth), "Content-Type": FORM}, body="image_id=i1")
    assert r.status_code == 303 and r.content == b""
    location = r.headers["Location"]
    match = re.fullmatch(r"http://falconframework\.org/api/instances/([^?]+)\?done=created", location)
    assert match, location
    page = client.simulate_get(f"/api/instances/{match[1]}", params={"done": "created"}, headers=_html(auth))
    assert "The instance was created." in page.text and "None" not in page.text
    stop = client.simulate_post(f"/api/instances/{match[1]}/stop", headers={**_html(auth), "Content-Type": FORM})
    assert stop.status_code == 303
    assert stop.headers["Location"].endswith(f"/api/instances/{match[1]}?done=stop")
    # Other clients still get the API's own answers.
    assert client.simulate_post(f"/api/instances/{_launch(client, auth)}/stop", headers=auth).status_code == 202


def test_links_keep_the_matrix_parameters_of_the_request(client, auth):
    page = client.simulate_get("/api;driver=tiny;provider=east/instances", headers=_html(auth)).text
    links = set(re.findall(r'href="(http://falconframework\.org/api[^"]*)"', page))
    assert links and all(link.startswith("http://falconframework.org/api;driver=tiny;provider=east") for link in links)
    plain = client.simulate_get("/api/instances", headers=_html(auth)).text
    assert ";driver=" not in plain  # no choice made: plain URLs
    r = client.simulate_post("/api;driver=tiny;provider=east/instances", headers={**_html(auth), "Content-Type": FORM},
                             body="image_id=i1")
    assert r.status_code == 303 and "/api;driver=tiny;provider=east/instances/" in r.headers["Location"]


def test_a_refused_form_comes_back_filled_in(client, auth):
    r = client.simulate_post("/api/instances", headers={**_html(auth), "Content-Type": FORM},
                             body="image_id=i1&hwp_id=no-such-profile&name=kept")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text and "hwp_id" in r.text
    assert 'name="name" type="text" value="kept"' in r.text
    assert 'action="http://falconframework.org/api/instances"' in r.text


def test_destroy_asks_first(client, auth):
    id = _launch(client, auth)
    client.simulate_post(f"/api/instances/{id}/stop", headers=auth)
    page = client.simulate_get(f"/api/instances/{id}", headers=_html(auth)).text
    assert f'href="http://falconframework.org/api/instances/{id}?confirm=destroy"' in page
    assert 'name="_method" value="delete"' not in page  # no one-click destroy
    confirm = client.simulate_get(f"/api/instances/{id}", params={"confirm": "destroy"}, headers=_html(auth)).text
    assert 'class="confirm"' in confirm and 'name="_method" value="delete"' in confirm


def test_the_state_machine_as_svg(client):
    r = client.simulate_get("/api/instance_states", params={"format": "svg"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(r.content)
    ids = {g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g")}
    assert {"state-start", "state-running", "state-stopped", "state-finish"} <= ids
    labels = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"stop", "START", "RUNNING"} <= labels
    assert client.simulate_get("/api/instances", params={"format": "svg"}).status_code == 406
    page = client.simulate_get("/api/instance_states", headers={"Accept": "text/html"}).text
    assert "<svg" in page and "state-running" in page


def test_docs_of_one_operation(client):
    r = client.simulate_get("/api/docs/instances/create")
    assert r.status_code == 200
    assert 'id="instances-create"' in r.text and 'id="instances-stop"' not in r.text
    assert "201 on success" in r.text and "curl -u USER:PASSWORD -d image_id=img1" in r.text
    assert "user_name" in r.text  # the feature adding ``name``
    assert client.simulate_get("/api/docs/instances/nothing").status_code == 404
