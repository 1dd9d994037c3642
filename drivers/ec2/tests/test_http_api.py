"""The ec2 driver through the Deltacloud API over HTTP (our server on loopback, moto behind it).

What clients see: documents, status codes, headers; every listing checked against what was
created, and the backend checked independently with boto3.
"""

from __future__ import annotations

import base64

from deltacloud_driver_ec2 import FEATURES


def ids(root, tag):
    return [item.get("id") for item in root.findall(tag)]


def launch(api, moto, **params):
    response = api.post("/instances", data={"image_id": moto.images["x86"], "hwp_id": "t3.micro", **params})
    return response.expect(201).xml()


def test_entry_point_lists_collections_and_features(api):
    root = api.xml("/")
    assert root.get("driver") == "ec2"
    rels = {link.get("rel") for link in root.findall("link")}
    assert {"instances", "images", "realms", "hardware_profiles", "keys", "firewalls", "addresses",
            "storage_volumes", "storage_snapshots", "load_balancers", "instance_states", "drivers"} <= rels
    advertised = {f.get("name") for f in root.findall("link/feature")}
    assert advertised <= set(FEATURES)
    assert {"user_data", "authentication_key", "firewalls", "instance_count", "user_name", "realm_filter",
            "owner_id", "image_name", "image_description", "attach_snapshot"} <= advertised


def test_drivers_lists_the_regions_without_credentials(api):
    root = api.get("/drivers/ec2", auth=None).expect(200).xml()
    regions = [p.get("id") for p in root.findall("provider")]
    assert "us-east-1" in regions and "eu-west-1" in regions
    east = next(p for p in root.findall("provider") if p.get("id") == "us-east-1")
    kinds = {e.get("kind"): (e.text or "").strip() for e in east.findall("entrypoint")}
    assert kinds["ec2"] == "https://ec2.us-east-1.amazonaws.com"


def test_instance_states_publish_the_ec2_machine(api):
    root = api.get("/instance_states", auth=None).expect(200).xml()
    moves = {(s.get("name"), t.get("to"), t.get("action") or "auto") for s in root.findall("state")
             for t in s.findall("transition")}
    assert ("running", "stopping", "stop") in moves and ("stopping", "stopped", "auto") in moves
    assert ("running", "finish", "destroy") in moves and ("stopped", "finish", "destroy") in moves
    assert ("stopped", "pending", "start") in moves and ("running", "running", "reboot") in moves


def test_launch_with_every_feature(api, moto):
    ec2 = moto.client("ec2")
    ec2.create_key_pair(KeyName="ops")
    group = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    root = launch(api, moto, realm_id="us-east-1c", keyname="ops", name="frontend", firewalls1=group,
                  user_data=base64.b64encode(b"#cloud-config\n").decode())
    id = root.get("id")
    assert root.findtext("name") == "frontend" and root.find("realm").get("id") == "us-east-1c"
    assert root.find("authentication").get("type") == "key"
    assert root.findtext("authentication/login/keyname") == "ops"
    assert ids(root, "firewalls/firewall") == [group]
    data = ec2.describe_instance_attribute(InstanceId=id, Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(data) == b"#cloud-config\n"
    listed = api.xml("/instances")
    assert ids(listed, "instance") == [id]
    assert ids(api.xml("/instances", params={"realm_id": "us-east-1a"}), "instance") == []


def test_a_launch_makes_only_the_backend_calls_it_needs(api, moto):
    """With a profile, a launch is one RunInstances: the image and zone are checked by EC2 itself."""
    response = api.post("/instances", data={"image_id": moto.images["x86"], "hwp_id": "t3.micro",
                                            "realm_id": "us-east-1a"})
    assert response.expect(201).header("x-backend-calls") == "1"
    # Without a profile, the image's architecture picks the default one: DescribeImages, then RunInstances.
    response = api.post("/instances", data={"image_id": moto.images["arm"]})
    assert response.expect(201).header("x-backend-calls") == "2"
    missing = api.post("/instances", data={"image_id": "ami-00000000000000000", "hwp_id": "t3.micro"})
    assert missing.status == 400 and "image_id" in missing.xml().findtext("message")


def test_instance_count_answers_a_list(api, moto):
    root = api.post("/instances", data={"image_id": moto.images["x86"], "instance_count": "2"}).expect(201).xml()
    assert root.tag == "instances" and len(ids(root, "instance")) == 2
    assert sorted(ids(api.xml("/instances"), "instance")) == sorted(ids(root, "instance"))


def test_actions_follow_the_machine(api, moto):
    id = launch(api, moto).get("id")
    shown = api.xml(f"/instances/{id}")
    assert shown.findtext("state") == "RUNNING"
    assert {link.get("rel") for link in shown.findall("actions/link")} >= {"reboot", "stop", "destroy"}
    assert api.post(f"/instances/{id}/reboot").expect(202).xml().findtext("state") == "RUNNING"
    assert api.post(f"/instances/{id}/stop").expect(202).xml().findtext("state") in ("STOPPING", "STOPPED")
    stopped = api.xml(f"/instances/{id}")
    assert {link.get("rel") for link in stopped.findall("actions/link")} >= {"start", "destroy"}
    assert api.post(f"/instances/{id}/stop").status == 405, "stop is not allowed from STOPPED"
    assert api.post(f"/instances/{id}/start").expect(202).xml().findtext("state") in ("PENDING", "RUNNING")
    api.delete(f"/instances/{id}").expect(204)
    assert api.xml(f"/instances/{id}").findtext("state") == "FINISH"
    assert ids(api.xml("/instances"), "instance") == []
    state = moto.client("ec2").describe_instances(InstanceIds=[id])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] == "terminated"


def test_images_default_owner_id_and_create(api, moto):
    listed = ids(api.xml("/images"), "image")
    assert sorted(listed) == [moto.images["x86"], moto.images["arm"]]
    assert ids(api.xml("/images", params={"owner_id": "210987654321"}), "image") == [moto.images["public"]]
    assert ids(api.xml("/images", params={"architecture": "arm64"}), "image") == [moto.images["arm"]]
    assert sorted(ids(api.xml("/images", params={"owner_id": "self"}), "image")) == sorted(listed)
    assert api.xml(f"/images/{moto.images['public']}").findtext("owner_id") == "210987654321"
    instance = launch(api, moto).get("id")
    image = api.post("/images", data={"instance_id": instance, "name": "golden", "description": "gold"})
    created = image.expect(201).xml()
    assert (created.findtext("name"), created.findtext("description")) == ("golden", "gold")
    assert created.get("id") in ids(api.xml("/images"), "image")
    api.delete(f"/images/{created.get('id')}").expect(204)
    assert created.get("id") not in ids(api.xml("/images"), "image")


def test_keys_create_import_destroy(api):
    created = api.post("/keys", data={"name": "deploy"}).expect(201).xml()
    assert created.get("id") == "deploy" and "PRIVATE KEY" in (created.findtext("pem") or "")
    assert ids(api.xml("/keys"), "key") == ["deploy"]
    from deltacloud_conformance.keys import public_key_text

    imported = api.post("/keys", data={"name": "laptop", "public_key": public_key_text()}).expect(201).xml()
    assert imported.find("pem") is None and (imported.findtext("fingerprint") or "").strip()
    api.delete("/keys/deploy").expect(204)
    api.get("/keys/deploy").expect(404)
    assert ids(api.xml("/keys"), "key") == ["laptop"]


def test_firewalls_and_rules(api, moto):
    created = api.post("/firewalls", data={"name": "web", "description": "web tier"}).expect(201)
    fw = created.xml().get("id")
    assert fw.startswith("sg-") and created.header("location").endswith(f"/firewalls/{fw}")
    assert fw in ids(api.xml("/firewalls"), "firewall")
    rule = api.post(f"/firewalls/{fw}/rules", data={"protocol": "tcp", "port_from": "443", "port_to": "443",
                                                     "ip_address1": "0.0.0.0/0"}).expect(201).xml()
    [rule_id] = ids(rule, "rules/rule")
    permissions = moto.client("ec2").describe_security_groups(GroupIds=[fw])["SecurityGroups"][0]["IpPermissions"]
    assert [(p["FromPort"], p["IpRanges"][0]["CidrIp"]) for p in permissions] == [(443, "0.0.0.0/0")]
    api.delete(f"/firewalls/{fw}/{rule_id}").expect(204)
    assert ids(api.xml(f"/firewalls/{fw}"), "rules/rule") == []
    api.delete(f"/firewalls/{fw}").expect(204)
    api.get(f"/firewalls/{fw}").expect(404)


def test_addresses(api, moto):
    instance = launch(api, moto).get("id")
    ip = api.post("/addresses").expect(201).xml().get("id")
    assert ids(api.xml("/addresses"), "address") == [ip]
    api.post(f"/addresses/{ip}/associate", data={"instance_id": instance}).expect(202)
    assert ip in [a.text for a in api.xml(f"/instances/{instance}").findall("public_addresses/address")]
    api.post(f"/addresses/{ip}/disassociate").expect(202)
    api.delete(f"/addresses/{ip}").expect(204)
    assert ids(api.xml("/addresses"), "address") == []
    assert moto.client("ec2").describe_addresses()["Addresses"] == []


def test_volumes_and_snapshots(api, moto):
    instance = launch(api, moto, realm_id="us-east-1a").get("id")
    volume = api.post("/storage_volumes", data={"capacity": "2", "realm_id": "us-east-1a"}).expect(201).xml()
    vol = volume.get("id")
    assert vol in ids(api.xml("/storage_volumes"), "storage_volume")
    api.post(f"/storage_volumes/{vol}/attach", data={"instance_id": instance, "device": "/dev/sdf"}).expect(202)
    assert vol in ids(api.xml(f"/instances/{instance}"), "storage_volumes/storage_volume")
    api.post(f"/storage_volumes/{vol}/detach").expect(202)
    snap = api.post("/storage_snapshots", data={"volume_id": vol, "name": "s1"}).expect(201).xml().get("id")
    assert snap in ids(api.xml("/storage_snapshots"), "storage_snapshot")
    api.delete(f"/storage_snapshots/{snap}").expect(204)
    api.delete(f"/storage_volumes/{vol}").expect(204)
    assert ids(api.xml("/storage_volumes"), "storage_volume") == [
        v["VolumeId"] for v in moto.client("ec2").describe_volumes()["Volumes"]], "only the root volume is left"


def test_load_balancers(api, moto):
    instance = launch(api, moto).get("id")
    api.post("/load_balancers", data={"name": "lb1", "realm_id": "us-east-1a", "listener_protocol": "HTTP",
                                      "listener_balancer_port": "80", "listener_instance_port": "8080"}).expect(201)
    assert ids(api.xml("/load_balancers"), "load_balancer") == ["lb1"]
    api.post("/load_balancers/lb1/register", data={"instance_id": instance}).expect(200, 202)
    assert ids(api.xml("/load_balancers/lb1"), "instances/instance") == [instance]
    api.post("/load_balancers/lb1/unregister", data={"instance_id": instance}).expect(200, 202)
    api.delete("/load_balancers/lb1").expect(204)
    assert ids(api.xml("/load_balancers"), "load_balancer") == []


def test_wrong_secret_is_401_without_echo(api, moto):
    response = api.get("/instances", auth=(moto.access_key, "wrong-secret"))
    assert response.status == 401 and response.xml().tag == "error"
    assert "wrong-secret" not in response.text and moto.secret_key not in response.text
    assert response.header("www-authenticate").startswith("Basic")


def test_unknown_ids_are_404(api):
    for path in ("/instances/i-0123456789abcdef0", "/images/ami-0123456789abcdef0", "/realms/nowhere-1z",
                 "/storage_volumes/vol-0123456789abcdef0", "/firewalls/sg-0123456789abcdef0",
                 "/addresses/198.51.100.9", "/load_balancers/nope", "/keys/nope"):
        assert api.get(path).status == 404, path


def test_backend_refusals_are_400_with_its_message(api, moto):
    ip = api.post("/addresses").expect(201).xml().get("id")
    response = api.post(f"/addresses/{ip}/associate", data={"instance_id": "i-0123456789abcdef0"})
    assert response.status == 400 and "InvalidInstanceID" in response.xml().findtext("message")


def test_throttling_and_backend_failures_over_http(api, api_server):
    """A provider that throttles gives 503 with Retry-After; one that fails gives 502 with its message."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answers = {"code": 503, "body": "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request "
                                    "limit exceeded.</Message></Error></Errors></Response>"}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            data = answers["body"].encode()
            self.send_response(answers["code"])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    stub = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=stub.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        provider = {"X-Deltacloud-Provider": f"http://127.0.0.1:{stub.server_port}"}
        throttled = api.get("/instances", headers=provider)
        assert throttled.status == 503 and throttled.header("retry-after") == "5"
        assert "RequestLimitExceeded" in throttled.xml().findtext("message")
        answers.update(code=500, body="<Response><Errors><Error><Code>InternalError</Code><Message>An internal "
                                      "error has occurred</Message></Error></Errors></Response>")
        failed = api.get("/instances", headers=provider, fmt="json")
        assert failed.status == 502 and "An internal error has occurred" in failed.text
    finally:
        stub.shutdown()
        stub.server_close()
        thread.join(timeout=5)


def test_bad_provider_is_400(api):
    response = api.get("/realms", headers={"X-Deltacloud-Provider": "mars-north-1"})
    assert response.status == 400 and "provider" in response.xml().findtext("message").lower()
