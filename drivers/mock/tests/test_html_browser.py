"""The HTML UI in a real headless Chromium, driven through Selenium against a live ``deltacloudd -i mock``.

Chromium and ChromeDriver are Debian's (``chromium``, ``chromium-driver``; ``.ci/browser-deps`` installs
them). Credentials go on every request as an ``Authorization`` header set through the DevTools protocol
(``Network.setExtraHTTPHeaders``): the pages' links and forms carry absolute URLs without credentials,
and headless Chromium has no dialog to answer a 401 challenge. Status codes are read from Chromium's
performance log. All traffic stays on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from deltacloud.testing import Deltaclouds

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("DELTACLOUD_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DELTACLOUD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1200,900")
START_TIMEOUT = 20.0  # seconds for the server to answer /api
WAIT = 5.0  # seconds for any page or state the browser waits for
SEEDED = ["inst0", "inst1", "inst2", "inst3"]
AUTHORIZATION = "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()

@pytest.fixture(scope="module")
def server(deltacloudd_module: Deltaclouds) -> str:
    """``deltacloudd -i mock`` on a free loopback port with its own store and home; the entry point URL."""
    return deltacloudd_module.start("--threads", "4", "--log", "off", timeout=START_TIMEOUT).url


def _require_browser() -> None:
    """Fail (not skip) with the install command when the browser stack is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(path) and os.access(path, os.X_OK))]
    if missing:
        pytest.fail(f"headless Chromium is required for the HTML UI tests, missing: {', '.join(missing)}; "
                    "install it with `sh .ci/browser-deps` as root (Debian: apt-get install chromium chromium-driver)",
                    pytrace=False)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile, sending mockuser's credentials on every request."""
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
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": AUTHORIZATION}})
        yield driver
    finally:
        driver.quit()


# -- helpers: what a person looks at --------------------------------------------------------------


def _until(driver: WebDriver, condition: Callable[[WebDriver], object], what: str | Callable[[], str],
           refresh: bool = False) -> object:
    """Wait at most WAIT seconds for ``condition(driver)`` to be truthy (reloading first if ``refresh``)."""

    def check(d: WebDriver) -> object:
        if refresh:
            driver.refresh()
        return condition(d)

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.1 if not refresh else 0.3).until(check)
    except TimeoutException:
        what = what() if callable(what) else what
        pytest.fail(f"not seen within {WAIT} s: {what}\nat {driver.current_url}:\n{_text(driver)[:3000]}")


def _text(driver: WebDriver) -> str:
    """The visible text of the page."""
    return driver.find_element(By.TAG_NAME, "body").text


def _h1(driver: WebDriver) -> str:
    """The page's first heading, or "" while there is none."""
    found = driver.find_elements(By.TAG_NAME, "h1")
    return found[0].text if found else ""


def _wait_h1(driver: WebDriver, expected: str) -> None:
    """Wait for the page whose heading is ``expected``."""
    _until(driver, lambda d: _h1(d) == expected, f"heading {expected!r}")


def _field(driver: WebDriver, name: str) -> str:
    """The value shown for a top-level field of an object page (its <dt> and <dd>)."""
    return driver.find_element(By.XPATH, f"//main/dl/dt[.='{name}']/following-sibling::dd[1]").text


def _listed(driver: WebDriver) -> list[str]:
    """The ids in a collection page's table."""
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "main table tbody td:first-child a")]


def _click(driver: WebDriver, selector: str) -> None:
    """Click the element a CSS selector finds."""
    driver.find_element(By.CSS_SELECTOR, selector).click()


def _click_link(driver: WebDriver, text: str) -> None:
    """Click the link with this text."""
    driver.find_element(By.LINK_TEXT, text).click()


def _documents(driver: WebDriver) -> list[tuple[str, int]]:
    """(URL, status) of each page response since the last call, from Chromium's performance log."""
    seen = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
            response = message["params"]["response"]
            seen.append((response["url"], int(response["status"])))
    return seen


def _wait_document(driver: WebDriver, url: str, status: int) -> None:
    """Wait until the browser received ``status`` for a page request to ``url``."""
    seen: list[tuple[str, int]] = []

    def received(d: WebDriver) -> bool:
        seen.extend(_documents(driver))
        return (url, status) in seen

    _until(driver, received, lambda: f"{status} for {url} (page responses seen: {seen})")


# -- the scenarios ----------------------------------------------------------------------------------


def test_instance_lifecycle_through_the_forms(server: str, browser: WebDriver, tmp_path: Path) -> None:
    """Entry point -> instances -> create form -> 201 page -> instance -> stop -> destroy -> gone."""
    driver = browser
    driver.get(server)
    _wait_h1(driver, "Deltacloud API 1.1.3")
    collections = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ul.collections > li > a")]
    assert {"instances", "images", "realms", "hardware_profiles", "instance_states"} <= set(collections), collections

    _click_link(driver, "instances")
    _wait_h1(driver, "instances")
    assert driver.current_url == f"{server}/instances"
    assert _listed(driver) == SEEDED
    assert "RUNNING" in _text(driver)
    driver.save_screenshot(str(tmp_path / "instances.png"))
    png = (tmp_path / "instances.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000, len(png)

    form = driver.find_element(By.ID, "create")
    for name, value in (("image_id", "img1"), ("hwp_id", "m1-small"), ("name", "browser-made")):
        form.find_element(By.NAME, name).send_keys(value)
    _documents(driver)  # forget the responses so far
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_document(driver, f"{server}/instances", 201)
    _until(driver, lambda d: _h1(d).startswith("instance "), "the new instance's page")
    new_id = _h1(driver).removeprefix("instance ")
    assert new_id not in SEEDED
    assert _field(driver, "name") == "browser-made"
    assert _field(driver, "state") in {"PENDING", "RUNNING"}

    _click(driver, f"main > p > a[href='{server}/instances']")  # back to the listing, as a person would
    _wait_h1(driver, "instances")
    assert _listed(driver) == [*SEEDED, new_id]
    _click_link(driver, new_id)
    _until(driver, lambda d: d.current_url == f"{server}/instances/{new_id}", "the instance's own URL")
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form.action-stop"), "the stop button", refresh=True)
    assert _field(driver, "state") == "RUNNING"
    assert "img1" in _field(driver, "image")

    _documents(driver)
    _click(driver, "form.action-stop button")
    _wait_document(driver, f"{server}/instances/{new_id}/stop", 202)
    _wait_h1(driver, f"instance {new_id}")
    assert _field(driver, "state") in {"STOPPING", "STOPPED"}

    driver.get(f"{server}/instances/{new_id}")
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form.action-destroy"), "the destroy button",
           refresh=True)
    assert _field(driver, "state") == "STOPPED"
    destroy = driver.find_element(By.CSS_SELECTOR, "form.action-destroy")
    assert destroy.find_element(By.NAME, "_method").get_attribute("value") == "delete"
    _documents(driver)
    destroy.find_element(By.CSS_SELECTOR, "button").click()
    # The form's delete answers 303 to the collection: the browser lands on the listing, without the instance.
    _wait_document(driver, f"{server}/instances", 200)
    _until(driver, lambda d: d.current_url == f"{server}/instances", "the instances listing after destroy")
    _wait_h1(driver, "instances")
    assert _listed(driver) == SEEDED


def test_browsing_images_profiles_docs_and_errors(server: str, browser: WebDriver) -> None:
    """An image, the m1-large profile's range and enum, the docs, and error pages with their message."""
    driver = browser
    driver.get(server)
    _wait_h1(driver, "Deltacloud API 1.1.3")
    _click_link(driver, "images")
    _wait_h1(driver, "images")
    assert "img1" in _listed(driver)
    _click_link(driver, "img1")
    _wait_h1(driver, "image img1")
    assert _field(driver, "description") == "Fedora 10"
    assert _field(driver, "state") == "AVAILABLE"
    buttons = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "form.op button")]
    assert buttons == ["create instance", "destroy image"], buttons

    driver.get(server)
    _click_link(driver, "hardware_profiles")
    _wait_h1(driver, "hardware profiles")
    assert {"m1-small", "m1-large", "m1-xlarge", "opaque"} <= set(_listed(driver))
    _click_link(driver, "m1-large")
    _wait_h1(driver, "hardware profile m1-large")

    def prop(name: str) -> list[str]:
        return driver.find_element(By.XPATH, f"//dt[.='properties']/following-sibling::dd[1]/dl/dt[.='{name}']"
                                             "/following-sibling::dd[1]").text.split()

    assert prop("cpu") == ["kind", "range", "unit", "count", "value", "1", "range", "first", "1", "last", "6",
                           "param", "hwp_cpu"], prop("cpu")
    storage = prop("storage")
    assert storage[:2] == ["kind", "enum"] and "850" in storage and "1024" in storage, storage
    assert prop("architecture")[:2] == ["kind", "fixed"]

    driver.get(server)
    _click_link(driver, "Documentation")
    _until(driver, lambda d: d.title == "Deltacloud API documentation", "the docs page")
    assert _h1(driver) == "API documentation (mock driver)"
    create = driver.find_element(By.ID, "instances-create")
    assert "POST /api/instances" in create.text
    section = driver.find_element(By.ID, "instances").text
    assert "hwp_cpu" in section and "image_id" in section

    driver.get(f"{server}/instances")
    _wait_h1(driver, "instances")
    form = driver.find_element(By.ID, "create")
    for name, value in (("image_id", "img1"), ("hwp_id", "m1-small"), ("hwp_cpu", "99")):
        form.find_element(By.NAME, name).send_keys(value)
    _documents(driver)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_document(driver, f"{server}/instances", 400)
    _wait_h1(driver, "400")
    message = driver.find_element(By.CSS_SELECTOR, "p.error").text
    assert "hwp_cpu" in message and "m1-small" in message and "99" in message, message

    driver.get(f"{server}/instances/no-such-instance")
    _wait_h1(driver, "404")
    assert "no-such-instance" in driver.find_element(By.CSS_SELECTOR, "p.error").text

    driver.get(f"{server}/instances")
    _wait_h1(driver, "instances")
    assert _listed(driver) == SEEDED  # the refused launch made nothing
