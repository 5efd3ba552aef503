"""Fixtures for the web UI's browser tests: a real ground control (SQLite, on loopback) from
the API tests' fixtures (tests/integration/groundcontrol/conftest.py, imported, not copied),
and Debian's headless Chromium driven by Selenium (python3-selenium, chromium,
chromium-driver). The management listener's certificate comes from ground control's own CA,
which Chromium is told to accept (acceptInsecureCerts): the test is about the page, not
about trusting a CA. SCREENSHOTS=DIR makes the tests that show a main page save it there."""
import importlib.util
import os
import pathlib
import subprocess
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

_spec = importlib.util.spec_from_file_location(
    "groundcontrol_fixtures",
    pathlib.Path(__file__).resolve().parents[1] / "groundcontrol" / "conftest.py")
gc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gc)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SATELLITE = os.environ.get("SATELLITE", str(gc.ROOT / "build" / "release" / "src" / "satellite" / "satellite"))


@pytest.fixture(scope="session")
def contract():
    return gc.Contract()


@pytest.fixture(scope="module")
def server():
    directory = tempfile.mkdtemp(prefix="gc-webui-")
    instance = gc.Server(directory)
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def base(server):
    return f"https://{server.printed['management']}"


@pytest.fixture(scope="module")
def admin(server, contract):
    return gc.login(server, contract, "admin", server.printed["admin"])


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,800", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("acceptInsecureCerts", True)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1280, 800)
    yield driver
    driver.quit()


class Page:
    """The browser on ground control's UI, with the waits a person does by looking."""

    def __init__(self, driver, base):
        self.driver, self.base = driver, base

    def open(self, hash_path=""):
        self.driver.get(f"{self.base}/ui/{hash_path}")

    def wait(self, condition, timeout=20, what="the page"):
        try:
            return WebDriverWait(self.driver, timeout).until(condition)
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(f"{what} did not appear within {timeout} s at "
                                 f"{self.driver.current_url}; the page shows:\n{body}\n"
                                 f"console: {self.driver.get_log('browser')}") from None

    def find(self, css, timeout=20):
        return self.wait(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, css)

    def text_in(self, css, text, timeout=20):
        self.wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout,
                  f"{text!r} in {css}")

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def login(self, username, password):
        self.driver.delete_all_cookies()
        self.open()
        self.driver.execute_script("sessionStorage.clear()")
        self.open("#/login")
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(password, Keys.ENTER)  # the keyboard, as a person would

    def errors(self):
        """The browser console's script errors and CSP refusals (not the HTTP errors the
        page asked for and handled, such as a refused login)."""
        return [e for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE" and e.get("source") != "network"]

    def screenshot(self, name):
        directory = os.environ.get("SCREENSHOTS")
        if directory:
            os.makedirs(directory, exist_ok=True)
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
            self.driver.execute_script("window.scrollTo(0, 0); document.activeElement?.blur()")
            time.sleep(0.3)  # let the redraw the resize may cause settle
            self.driver.save_screenshot(os.path.join(directory, f"{name}.png"))
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture(scope="module")
def page(browser, base):
    return Page(browser, base)


@pytest.fixture(scope="module")
def upstream():
    """Debian's docker-registry on loopback (the API tests' helper), as the satellites'
    upstream; yields its URL."""
    directory = tempfile.mkdtemp(prefix="gc-webui-registry-")
    yield from gc.docker_registry(directory)


class Satellites:
    """Real satellites (`satellite run`) started against the module's ground control."""

    def __init__(self, server):
        self.server, self.processes = server, []

    def start(self, name, *flags):
        directory = tempfile.mkdtemp(prefix=f"gc-webui-{name}-")
        out = open(os.path.join(directory, "stdout"), "w+")
        process = subprocess.Popen(
            [SATELLITE, "run", "--data-dir", directory, "--listen", "127.0.0.1:0",
             "--ground-control", f"https://{self.server.printed['satellite']}",
             "--ca-file", self.server.ca_file, "--resync-interval", "1s", *flags],
            stdout=out, stderr=open(os.path.join(directory, "stderr"), "w"))
        self.processes.append(process)
        end = time.time() + 20
        while "listening on " not in pathlib.Path(directory, "stdout").read_text():
            assert process.poll() is None and time.time() < end, \
                f"satellite {name} did not start: {pathlib.Path(directory, 'stderr').read_text()}"
            time.sleep(0.1)
        return directory

    def stop(self):
        for process in self.processes:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def satellites(server):
    started = Satellites(server)
    yield started
    started.stop()
