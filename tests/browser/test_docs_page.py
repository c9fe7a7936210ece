"""The mock's interactive API docs in a real headless browser (Debian's
Chromium), with every host but loopback unreachable: /docs renders every
operation from the package's own assets, and "Authorize" with an API key lets
an operation be tried out.

Marked ``browser``; ``.ci/run`` installs Chromium and runs them with
``-m browser``. Skipped, saying why, where Chromium is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest

from aiaas_mock import MockServer

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

WAIT = 30.0


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        # No network but loopback (Chromium never proxies loopback): a page that
        # needed a CDN would stay blank.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--window-size=1400,2000",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER or ""))
    try:
        yield driver
    finally:
        driver.quit()


def _operations(server: MockServer) -> int:
    document = httpx.get(f"{server.base_url}/openapi.json").json()
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(1 for item in document["paths"].values() for method in item if method in methods)


def _wait(browser: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(browser, WAIT)


def _click(browser: WebDriver, element: WebElement) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def test_docs_render_every_operation_from_local_assets(
    server: MockServer, browser: WebDriver
) -> None:
    browser.get(f"{server.base_url}/docs")
    expected = _operations(server)
    _wait(browser).until(
        lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) >= expected
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) == expected
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert loaded, "the page loaded nothing"
    assert all(str(url).startswith(server.base_url) for url in loaded), loaded


def test_authorize_with_an_api_key_and_try_an_operation(
    server: MockServer, browser: WebDriver
) -> None:
    browser.get(f"{server.base_url}/docs")
    authorize = _wait(browser).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button.authorize"))
    )
    _click(browser, authorize)
    key_field = _wait(browser).until(
        expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, ".auth-container input")
        )
    )
    key_field.send_keys(server.api_key)
    _click(browser, browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.authorize"))
    _click(browser, browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.btn-done"))

    operation = browser.find_element(
        By.ID, "operations-models-retrieve_model_v1_models__model_id__get"
    )
    _click(browser, operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control"))
    _click(
        browser,
        _wait(browser).until(lambda _: operation.find_element(By.CSS_SELECTOR, ".try-out__btn")),
    )
    field = operation.find_element(By.CSS_SELECTOR, "tr[data-param-name='model_id'] input")
    field.send_keys("quality-logreg")
    _click(browser, operation.find_element(By.CSS_SELECTOR, "button.execute"))
    status = _wait(browser).until(
        lambda _: operation.find_element(
            By.CSS_SELECTOR, ".live-responses-table .response .response-col_status"
        )
    )
    assert status.text.strip().startswith("200"), status.text
    body = operation.find_element(By.CSS_SELECTOR, ".live-responses-table .microlight").text
    assert '"id": "quality-logreg"' in body
