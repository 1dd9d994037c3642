"""The browser UI in a real headless Chromium (Selenium) against a live ``deltacloudd -i mock``.

Chromium and ChromeDriver are Debian's (``chromium``, ``chromium-driver``; ``.ci/browser-deps`` installs
them). Credentials go on every request as an ``Authorization`` header set through the DevTools protocol
(``Network.setExtraHTTPHeaders``), which is what a browser does after its Basic login dialog; headless
Chromium has no dialog to answer. Status codes are read from Chromium's performance log. Screenshots of
every step go to ``test-output/ui`` (gitignored; ``DELTACLOUD_TEST_OUTPUT`` moves it) for review. All
traffic stays on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from deltacloud.testing import Deltaclouds

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("DELTACLOUD_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DELTACLOUD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,800")
OUTPUT = Path(os.environ.get("DELTACLOUD_TEST_OUTPUT", Path(__file__).resolve().parents[3] / "test-output")) / "ui"
START_TIMEOUT = 20.0  # seconds for the server to answer /api
WAIT = 10.0  # seconds for any page or state the browser waits for
SEEDED = ["inst0", "inst1", "inst2", "inst3"]
AUTHORIZATION = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()


@pytest.fixture(scope="module")
def server(deltacloudd_module: Deltaclouds) -> str:
    """``deltacloudd -i mock`` on a free loopback port with its own store; new instances start in 1 s."""
    return deltacloudd_module.start("--threads", "4", "--log", "off", env={"DELTACLOUD_MOCK_DELAY": "1"},
                                    timeout=START_TIMEOUT).url


def _require_browser() -> None:
    """Fail (not skip) with the install command when the browser stack is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(path) and os.access(path, os.X_OK))]
    if missing:
        pytest.fail(f"headless Chromium is required for the HTML UI tests, missing: {', '.join(missing)}; "
                    "install it with `sh .ci/browser-deps` as root (Debian: apt-get install chromium chromium-driver)",
                    pytrace=False)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium at 1280x800 with a fresh profile, sending mockuser's credentials on every request."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("browser")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(CHROMEDRIVER, log_output=str(tmp / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(WAIT * 2)
        driver.set_script_timeout(WAIT)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": AUTHORIZATION}})
        yield driver
    finally:
        driver.quit()


# -- helpers: what a person looks at --------------------------------------------------------------


def _until(driver: WebDriver, condition: Callable[[WebDriver], object], what: str | Callable[[], str]) -> object:
    """Wait at most WAIT seconds for ``condition(driver)`` to be truthy."""
    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.1).until(condition)
    except TimeoutException:
        what = what() if callable(what) else what
        pytest.fail(f"not seen within {WAIT} s: {what}\nat {driver.current_url}:\n{_text(driver)[:3000]}")


# Read in one script each: a page may be replaced (a navigation, the page's own polling) between a
# find and a read, which would make a found element stale.


def _text(driver: WebDriver) -> str:
    return driver.execute_script("return document.body ? document.body.innerText : '';")


def _h1(driver: WebDriver) -> str:
    return driver.execute_script("var h = document.querySelector('h1'); return h ? h.innerText.trim() : '';")


def _wait_h1(driver: WebDriver, expected: str) -> None:
    _until(driver, lambda d: _h1(d) == expected, f"heading {expected!r}")


def _field(driver: WebDriver, name: str) -> str:
    """The value an object page shows for ``name`` ("" when it shows none); read in one step, as the
    page's polling may replace the element at any moment."""
    return driver.execute_script(
        "var dd = document.querySelector(`dl.description dd[data-field='${arguments[0]}']`);"
        "return dd ? dd.innerText.trim() : '';", name)


def _listed(driver: WebDriver) -> list[str]:
    """The ids in a collection page's table."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('table.listing tbody td:first-child a'), a => a.innerText);")


def _message(driver: WebDriver) -> str:
    return driver.execute_script("var p = document.querySelector('p.message'); return p ? p.innerText.trim() : '';")


def _documents(driver: WebDriver) -> list[tuple[str, str, int]]:
    """(method, URL, status) of each page request since the last call, from Chromium's performance log."""
    sent: dict[str, str] = {}
    seen = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent" and params.get("type") == "Document":
            sent[params["requestId"]] = params["request"]["method"]
            if "redirectResponse" in params:
                seen.append(("?", params["redirectResponse"]["url"], int(params["redirectResponse"]["status"])))
        if message.get("method") == "Network.responseReceived" and params.get("type") == "Document":
            seen.append((sent.get(params["requestId"], "?"), params["response"]["url"],
                         int(params["response"]["status"])))
    return seen


def _shot(driver: WebDriver, name: str) -> None:
    """A screenshot for review under test-output/ui; it must be a real PNG."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def _post_count(driver: WebDriver) -> int:
    """POSTs the browser sent since the last look at the log (a refresh must send none)."""
    return sum(1 for method, _, _ in _documents(driver) if method == "POST")


def _refresh_repeats_nothing(driver: WebDriver) -> None:
    """Reload the page: the browser sends a GET, never the form's POST again."""
    _documents(driver)
    url = driver.current_url
    driver.refresh()
    _until(driver, lambda d: d.execute_script("return document.readyState") == "complete", "the reloaded page")
    assert driver.current_url == url
    seen = _documents(driver)
    assert [m for m, _, _ in seen if m == "POST"] == [], seen


# -- the scenarios ----------------------------------------------------------------------------------


def test_driver_and_provider_are_kept_across_clicks(server: str, browser: WebDriver) -> None:
    """The picker switches with a 303; every link then carries ;driver=;provider=, the long list is paged."""
    driver = browser
    driver.get(server)
    _wait_h1(driver, "Deltacloud API 1.1.3")
    _shot(driver, "01-entry-point")
    Select(driver.find_element(By.ID, "switch-driver")).select_by_value("ec2")
    provider = driver.find_element(By.ID, "switch-provider")
    provider.clear()
    provider.send_keys("eu-west-1")
    _documents(driver)
    driver.find_element(By.CSS_SELECTOR, "#switch button[type=submit]").click()
    chosen = f"{server};driver=ec2;provider=eu-west-1"
    _until(driver, lambda d: d.current_url == chosen, f"the entry point at {chosen}")
    statuses = [(m, s) for m, u, s in _documents(driver) if u == server]
    assert ("?", 303) in statuses or ("POST", 303) in statuses, statuses
    assert "driver ec2, provider eu-west-1" in driver.find_element(By.CSS_SELECTOR, ".selection").text

    driver.find_element(By.LINK_TEXT, "hardware_profiles").click()
    _wait_h1(driver, "hardware profiles")
    assert driver.current_url == f"{chosen}/hardware_profiles"
    counted = re.search(r"(\d+) in all, page 1 of (\d+)", _text(driver))
    assert counted, _text(driver)[:500]
    total, pages = int(counted[1]), int(counted[2])
    assert total > 500 and pages == -(-total // 50)  # hundreds of profiles, fifty a page
    assert len(_listed(driver)) == 50
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.listing th")]
    assert headers[:4] == ["id", "cpu", "memory", "storage"], headers
    driver.find_element(By.LINK_TEXT, "Next").click()
    _until(driver, lambda d: f"page 2 of {pages}" in _text(d), "page 2")
    assert driver.current_url == f"{chosen}/hardware_profiles?page=2"
    query = driver.find_element(By.ID, "filter-q")
    query.send_keys("m5.large")
    query.submit()
    _until(driver, lambda d: "match" in _text(d), "the filtered list")
    assert "m5.large" in _listed(driver) and len(_listed(driver)) < 50
    driver.find_element(By.LINK_TEXT, "m5.large").click()
    _wait_h1(driver, "hardware profile m5.large")
    assert driver.current_url == f"{chosen}/hardware_profiles/m5.large"
    assert _field(driver, "cpu") and _field(driver, "memory")
    _shot(driver, "02-ec2-profile")
    json_link = driver.find_element(By.CSS_SELECTOR, "a[type='application/json']").get_attribute("href")
    assert json_link == f"{chosen}/hardware_profiles/m5.large?format=json"
    driver.find_element(By.LINK_TEXT, "Documentation").click()
    _until(driver, lambda d: d.current_url == f"{chosen}/docs", "the docs under the same choice")
    assert _h1(driver) == "API documentation (ec2 driver)"

    driver.get(server)  # no matrix parameters: the default driver again
    _wait_h1(driver, "Deltacloud API 1.1.3")
    assert "driver mock" in driver.find_element(By.CSS_SELECTOR, ".selection").text


def _wait_state(driver: WebDriver, state: str) -> None:
    _until(driver, lambda d: _field(d, "state") == state, lambda: f"state {state} (shown: {_field(driver, 'state')})")


def _press(driver: WebDriver, action: str) -> None:
    """Press an action button at the top of an object page."""
    _documents(driver)
    driver.find_element(By.CSS_SELECTOR, f".actions form.action-{action} button").click()


def test_launch_from_an_image_and_follow_the_life_cycle(server: str, browser: WebDriver) -> None:
    """Launch img1 with m1-large at 2 cpus; RUNNING without a reload; stop, start, destroy; refreshes repeat nothing."""
    driver = browser
    driver.get(f"{server}/images")
    _wait_h1(driver, "images")
    row = driver.find_element(By.XPATH, "//table[@class='listing']//tr[td/a='img1']").text
    assert "Fedora 10" in row  # an image's description identifies it
    driver.find_element(By.LINK_TEXT, "img1").click()
    _wait_h1(driver, "image img1")
    form = driver.find_element(By.ID, "create-form")
    assert form.find_element(By.NAME, "image_id").get_attribute("value") == "img1"
    Select(form.find_element(By.NAME, "realm_id")).select_by_value("eu")
    Select(form.find_element(By.NAME, "hwp_id")).select_by_value("m1-large")
    controls = form.find_element(By.CSS_SELECTOR, "fieldset[data-profile='m1-large']")
    assert controls.is_displayed()
    cpu = controls.find_element(By.NAME, "hwp_cpu")
    assert (cpu.get_attribute("min"), cpu.get_attribute("max")) == ("1", "6")
    cpu.clear()
    cpu.send_keys("2")
    form.find_element(By.NAME, "name").send_keys("ui-made")
    _shot(driver, "03-launch-form")
    _documents(driver)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _until(driver, lambda d: "?done=created" in d.current_url, "the new instance's page after the 303")
    assert (f"{server}/instances", 303) in [(u, s) for _, u, s in _documents(driver)]
    new_id = _h1(driver).removeprefix("instance ")
    assert re.fullmatch(r"inst\d+", new_id) and new_id not in SEEDED
    assert _message(driver) == "The instance was created."
    assert _field(driver, "name") == "ui-made"
    assert _field(driver, "realm") == "eu" and _field(driver, "hardware profile") == "m1-large"
    assert "cpu = 2" in _field(driver, "overrides").split(", ")
    assert "None" not in _text(driver)
    driver.execute_script("window.samePage = true")  # gone if the page were reloaded
    _wait_state(driver, "RUNNING")  # followed by the page's own polling
    assert driver.execute_script("return window.samePage") is True
    _shot(driver, "04-instance-running")
    _refresh_repeats_nothing(driver)
    driver.get(f"{server}/instances")
    assert _listed(driver) == [*SEEDED, new_id]

    driver.get(f"{server}/instances/{new_id}")
    _press(driver, "stop")
    _until(driver, lambda d: "?done=stop" in d.current_url, "the instance's page after stop")
    assert _message(driver).startswith("Stop: accepted")
    driver.execute_script("window.samePage = true")
    _wait_state(driver, "STOPPED")
    assert driver.execute_script("return window.samePage") is True
    _refresh_repeats_nothing(driver)
    assert _field(driver, "state") == "STOPPED"

    _press(driver, "start")
    _until(driver, lambda d: "?done=start" in d.current_url, "the instance's page after start")
    _wait_state(driver, "RUNNING")
    _refresh_repeats_nothing(driver)
    _press(driver, "stop")
    _until(driver, lambda d: "?done=stop" in d.current_url, "the instance's page after the second stop")
    _wait_state(driver, "STOPPED")

    driver.find_element(By.CSS_SELECTOR, ".actions a.action-destroy").click()  # asks first
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section.confirm"), "the confirmation")
    assert driver.current_url == f"{server}/instances/{new_id}?confirm=destroy"
    _shot(driver, "05-confirm-destroy")
    _documents(driver)
    driver.find_element(By.CSS_SELECTOR, "section.confirm button").click()
    _until(driver, lambda d: d.current_url == f"{server}/instances?done=destroyed&gone={new_id}", "the listing")
    assert _message(driver) == f"The instance {new_id} was destroyed."
    assert _listed(driver) == SEEDED
    _refresh_repeats_nothing(driver)
    assert _listed(driver) == SEEDED


def test_a_refused_form_keeps_the_input_and_says_what_to_fix(server: str, browser: WebDriver) -> None:
    """A profile override out of its range: 400, the message, the form filled in as sent; nothing made."""
    driver = browser
    driver.get(f"{server}/instances")
    _wait_h1(driver, "instances")
    form = driver.find_element(By.ID, "create-form")
    Select(form.find_element(By.NAME, "hwp_id")).select_by_value("m1-large")
    cpu = form.find_element(By.CSS_SELECTOR, "fieldset[data-profile='m1-large'] input[name=hwp_cpu]")
    driver.execute_script("arguments[0].removeAttribute('max')", cpu)  # what an old browser would let through
    cpu.clear()
    cpu.send_keys("99")
    form.find_element(By.NAME, "name").send_keys("too-big")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_h1(driver, "400")
    error = driver.find_element(By.CSS_SELECTOR, "p.error").text
    assert "hwp_cpu" in error and "99" in error, error
    again = driver.find_element(By.ID, "create-form")
    assert again.find_element(By.NAME, "name").get_attribute("value") == "too-big"
    assert Select(again.find_element(By.NAME, "hwp_id")).first_selected_option.get_attribute("value") == "m1-large"
    assert again.find_element(By.CSS_SELECTOR, "fieldset[data-profile='m1-large'] input[name=hwp_cpu]") \
        .get_attribute("value") == "99"
    _shot(driver, "06-refused-form")
    driver.get(f"{server}/instances")
    assert _listed(driver) == SEEDED


def test_bucket_upload_and_download(server: str, browser: WebDriver, tmp_path: Path) -> None:
    """Create a bucket, upload a file into it from the form, download it back, delete it."""
    driver = browser
    driver.get(f"{server}/buckets")
    _wait_h1(driver, "buckets")
    form = driver.find_element(By.ID, "create-form")
    form.find_element(By.NAME, "name").send_keys("ui-bucket")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _until(driver, lambda d: d.current_url == f"{server}/buckets/ui-bucket?done=created", "the bucket's page")
    _wait_h1(driver, "bucket ui-bucket")
    content = "hello from the browser\n" * 100
    upload = tmp_path / "hello.txt"
    upload.write_text(content)
    form = driver.find_element(By.ID, "create_blob-form")
    form.find_element(By.NAME, "blob_id").send_keys("hello.txt")
    form.find_element(By.NAME, "blob_data").send_keys(str(upload))
    _documents(driver)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _until(driver, lambda d: "?done=uploaded" in d.current_url, "the blob's page after the upload")
    _wait_h1(driver, "blob hello.txt")
    assert _field(driver, "size (bytes)") == str(len(content))
    _shot(driver, "07-blob")
    _refresh_repeats_nothing(driver)
    href = driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href")
    assert href == f"{server}/buckets/ui-bucket/hello.txt/content"
    fetched = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));",
        href)
    assert fetched == [200, content]
    driver.find_element(By.LINK_TEXT, "ui-bucket").click()
    _wait_h1(driver, "bucket ui-bucket")
    assert "hello.txt" in _field(driver, "blobs")


def test_state_machine_docs_and_a_phone(server: str, browser: WebDriver) -> None:
    """The state machine as SVG on its page and alone; an operation's docs; an instance page on a phone."""
    driver = browser
    driver.get(f"{server}/instance_states")
    _wait_h1(driver, "Instance states of the mock driver")
    states = [g.get_attribute("id") for g in driver.find_elements(By.CSS_SELECTOR, "svg.state-machine g.state")]
    assert {"state-start", "state-pending", "state-running", "state-stopped", "state-finish"} <= set(states)
    _shot(driver, "08-state-machine")
    driver.get(f"{server}/instance_states?format=svg")
    assert driver.execute_script("return document.documentElement.namespaceURI") == "http://www.w3.org/2000/svg"

    driver.get(f"{server}/docs/instances/create")
    _until(driver, lambda d: d.find_elements(By.ID, "instances-create"), "the create operation's docs")
    text = driver.find_element(By.ID, "instances-create").text
    assert "POST /api/instances" in text and "hwp_cpu" in text and "201 on success" in text
    assert "curl -u USER:PASSWORD -d image_id=img1" in text
    assert "user_data" in text  # a feature's parameter, named with its feature
    _shot(driver, "09-docs")

    driver.set_window_size(390, 844)
    try:
        driver.get(f"{server}/instances/inst0")
        _wait_h1(driver, "instance inst0")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        _shot(driver, "10-phone-instance")
    finally:
        driver.set_window_size(1280, 800)


def test_volume_attach_and_firewall_rules(server: str, browser: WebDriver) -> None:
    """Attach a free volume to a running instance from its page; add a firewall rule and delete it."""
    driver = browser
    driver.get(f"{server}/storage_volumes/vol2")
    _wait_h1(driver, "storage volume vol2")
    assert not driver.find_elements(By.CSS_SELECTOR, ".actions .action-detach")  # a free volume: attach only
    driver.find_element(By.CSS_SELECTOR, ".actions a.action-attach").click()
    form = driver.find_element(By.ID, "attach-form")
    Select(form.find_element(By.NAME, "instance_id")).select_by_value("inst1")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _until(driver, lambda d: d.current_url == f"{server}/storage_volumes/vol2?done=attach", "the volume after attach")
    assert _message(driver).startswith("Attach: accepted")
    assert _field(driver, "instance") == "inst1"
    assert driver.find_elements(By.CSS_SELECTOR, ".actions form.action-detach")
    _refresh_repeats_nothing(driver)
    _press(driver, "detach")
    _until(driver, lambda d: d.current_url == f"{server}/storage_volumes/vol2?done=detach", "the volume after detach")
    _until(driver, lambda d: _field(d, "instance") == "", "the volume detached")

    driver.get(f"{server}/firewalls/default")
    _wait_h1(driver, "firewall default")
    before = len(driver.find_elements(By.CSS_SELECTOR, "ul.rules li"))
    form = driver.find_element(By.ID, "add_rule-form")
    Select(form.find_element(By.NAME, "protocol")).select_by_value("tcp")
    form.find_element(By.NAME, "port_from").send_keys("8080")
    form.find_element(By.NAME, "port_to").send_keys("8081")
    form.find_element(By.NAME, "ip_address").send_keys("10.0.0.0/8")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _until(driver, lambda d: d.current_url == f"{server}/firewalls/default?done=add_rule", "the firewall after add")
    rules = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "ul.rules li")]
    assert len(rules) == before + 1 and any("8080" in r and "10.0.0.0/8" in r for r in rules), rules
    _refresh_repeats_nothing(driver)
    assert len(driver.find_elements(By.CSS_SELECTOR, "ul.rules li")) == before + 1
    added = driver.find_element(By.XPATH, "//ul[@class='rules']/li[contains(., '8080')]")
    added.find_element(By.CSS_SELECTOR, "button").click()
    _until(driver, lambda d: "?done=deleted" in d.current_url, "the firewall after deleting the rule")
    assert len(driver.find_elements(By.CSS_SELECTOR, "ul.rules li")) == before
    _shot(driver, "11-firewall")
