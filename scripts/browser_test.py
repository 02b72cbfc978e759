"""Drive the example web app (examples/web) in a real, headless Chromium.

Run it through ``scripts/browser-test``, which installs what it needs. It starts
the app with uvicorn on 127.0.0.1, opens it in Debian's Chromium through
Debian's chromedriver (``apt-get install chromium chromium-driver``; no browser
or driver is ever downloaded), fills in the check-in form as a person would and
checks what comes back:

- everyday answers give an ordinary step, with no helplines;
- a safety "yes" gives the helplines first and the crisis-safe step;
- a supporter whose partner spoke of self-harm gets the crisis step and lines;
- the couple's memory: a partner discloses on Monday with a couple id, the server
  process is restarted on the same database file (``TRUSTKIT_WEB_DB``), and a calm
  check-in of the same couple still shows the helplines first, while the other
  partner's page shows no help and no couples step.

Chromium runs headless with a fresh profile and flags that keep it off the network
(no background networking, component updates, sync or first-run); host names other
than 127.0.0.1 do not resolve. With ``--screenshots DIR`` it saves the pictures used in
docs/web.md there. Without Chromium or chromedriver it says so and exits 0, unless
``--require-browser`` is given (as .ci/run does): then it fails.
"""

from __future__ import annotations

import argparse
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
STARTUP_SECONDS = 30


def _gone(element: Any) -> Callable[[Any], bool]:
    """Whether the page the element was on has gone (the next page has loaded).

    Selenium's ``staleness_of`` expects a StaleElementReferenceException; chromedriver
    sometimes says "Node with given id does not belong to the document" instead, as a
    plain WebDriverException (seen once in CI). Either means the same here.
    """

    def predicate(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one too
            return True
        return False

    return predicate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(db: Path) -> Iterator[str]:
    """The example app under uvicorn on 127.0.0.1, keeping states in ``db``; yields its URL."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", "examples/web", "app:app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "TRUSTKIT_WEB_DB": str(db)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("browser-test: the app did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _browser(profile: Path) -> Any:
    """Debian's Chromium, headless, through Debian's chromedriver; it reaches only 127.0.0.1.

    ``profile`` is a fresh, empty directory for its user data.
    """
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--window-size=1000,1000",
        "--hide-scrollbars",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--no-default-browser-check",
        "--metrics-recording-only",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


class Run:
    """The checks of one browser session, and the screenshots it takes."""

    def __init__(self, driver: Any, base: str, shots: Path | None) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots
        self.passed = 0
        self.failed: list[str] = []

    def check(self, name: str, ok: object) -> None:
        """Record one check."""
        if ok:
            self.passed += 1
            print(f"ok      {name}")
        else:
            self.failed.append(name)
            print(f"FAILED  {name}")

    def open(self, path: str) -> None:
        """Load a page of the app."""
        self.driver.set_window_size(1000, 1000)
        self.driver.get(self.base + path)

    def fill(self, name: str, value: str) -> None:
        """Type into a text field, as a person would."""
        field = self.driver.find_element(By.NAME, name)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
        field.clear()
        field.send_keys(value)

    def answer(self, question: str, value: str) -> None:
        """Click the radio button for one answer, as a person would."""
        radio = self.driver.find_element(
            By.CSS_SELECTOR, f'input[name="{question}"][value="{value}"]'
        )
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
        radio.click()

    def submit(self) -> None:
        """Send the form and wait for the next page."""
        button = self.driver.find_element(By.CSS_SELECTOR, "button[type=submit]")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        WebDriverWait(self.driver, 10).until(_gone(button))

    def text(self, selector: str) -> str:
        """The visible text of the elements a CSS selector finds, joined."""
        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        return "\n".join(element.text for element in found if element.is_displayed())

    def attribute(self, selector: str, name: str) -> str:
        """One attribute of the first element a CSS selector finds."""
        value = self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name)
        return str(value)

    def screenshot(self, name: str, selector: str | None = None, height: int = 1000) -> None:
        """Save the page (or one element of it) as a PNG, when screenshots were asked for."""
        if self.shots is None:
            return

        self.driver.execute_script("window.scrollTo(0, 0)")
        self.driver.set_window_size(1000, height)
        path = self.shots / f"{name}.png"
        if selector is None:
            self.driver.save_screenshot(str(path))
        else:
            self.driver.find_element(By.CSS_SELECTOR, selector).screenshot(str(path))
        print(f"saved   {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _everyday_answers(run: Run) -> None:
    run.open("/")
    run.screenshot("web-home", height=420)
    run.driver.find_element(By.CSS_SELECTOR, 'a[href="/checkin/partner"]').click()
    run.check("the home page leads to the partner's form", "hard to trust" in run.text("h1"))
    run.screenshot("web-form", height=1000)
    run.answer("feels_heard", "2")
    run.answer("feelings_dismissed", "4")
    for question in ("afraid_of_partner", "controlled", "hurt_or_threatened"):
        run.answer(question, "no")
    run.submit()
    run.check(
        "everyday answers give an ordinary step",
        run.attribute("#step", "data-step") == "validation",
    )
    # The partner reads the title written for them (the supporter's is "Take their feelings
    # seriously").
    run.check(
        "the step is shown by the partner's own title",
        "Ask for your feelings to be taken seriously" in run.text("h1"),
    )
    run.check("an ordinary step shows no helplines", run.text("#help") == "")
    run.check("an ordinary step says why", "You rated" in run.text("ul"))
    run.screenshot("web-step", height=1100)


def _safety_yes(run: Run) -> None:
    run.open("/checkin/partner")
    run.answer("feels_heard", "5")
    run.answer("afraid_of_partner", "yes")
    Select(run.driver.find_element(By.NAME, "country")).select_by_value("GB")
    run.screenshot("web-safety-questions", selector="#safety")
    run.submit()
    help_text = run.text("#help")
    run.check("a safety yes shows helplines", "Get help now" in help_text)
    run.check("the helplines are for the country chosen", "(GB" in help_text)
    run.check("the helplines have numbers to call", "call " in help_text)
    run.check(
        "the helplines come before the step",
        run.driver.execute_script(
            "return document.querySelector('#help').getBoundingClientRect().top"
            " < document.querySelector('#step').getBoundingClientRect().top"
        ),
    )
    run.check(
        "a safety yes gives the crisis-safe step, critical",
        run.attribute("#step", "data-step") == "professional_help"
        and run.attribute("#step", "data-urgency") == "critical",
    )
    run.check("a safety yes offers no couples exercise", "together)" not in run.text("ol"))
    run.screenshot("web-help", height=1200)


def _supporter_crisis(run: Run) -> None:
    run.open("/checkin/supporter")
    run.answer("partner_self_harm", "yes")
    run.submit()
    run.check(
        "a supporter whose partner spoke of self-harm gets the crisis step",
        run.attribute("#step", "data-step") == "support_in_crisis",
    )
    run.check("and the crisis lines", "Get help now" in run.text("#help"))


SCENARIOS: tuple[Callable[[Run], None], ...] = (_everyday_answers, _safety_yes, _supporter_crisis)

COUPLE = "browser-test-couple-4d1e"


def _monday_disclosure(run: Run) -> None:
    run.open("/checkin/partner")
    run.fill("couple", COUPLE)
    run.answer("afraid_of_partner", "yes")
    run.submit()
    run.check(
        "Monday: a disclosure with a couple id shows helplines", "Get help now" in run.text("#help")
    )
    run.check("Monday: the check-in is saved (no note)", run.text("#problems") == "")


def _friday_after_restart(run: Run) -> None:
    run.open("/checkin/partner")
    run.fill("couple", COUPLE)
    run.answer("feels_heard", "5")
    for question in ("afraid_of_partner", "controlled", "hurt_or_threatened"):
        run.answer(question, "no")
    run.submit()
    run.check(
        "Friday, after a restart: a calm check-in still shows the helplines",
        "Get help now" in run.text("#help"),
    )
    run.check(
        "Friday: the helplines still come first",
        run.driver.execute_script(
            "return document.querySelector('#help').getBoundingClientRect().top"
            " < document.querySelector('#step').getBoundingClientRect().top"
        ),
    )
    run.check(
        "Friday: still the crisis-safe step, and no couples exercise",
        run.attribute("#step", "data-step") == "professional_help"
        and "together)" not in run.text("ol"),
    )
    run.open("/checkin/supporter")
    run.fill("couple", COUPLE)
    run.answer("safe_to_share", "1")
    run.answer("distress", "1")
    run.submit()
    run.check(
        "Friday: the other partner's page shows no help first and no couples step",
        run.text("#help") == ""
        or run.driver.execute_script(
            "return document.querySelector('#help').getBoundingClientRect().top"
            " > document.querySelector('#step').getBoundingClientRect().top"
        ),
    )
    run.check(
        "Friday: the other partner gets an info step",
        run.attribute("#step", "data-urgency") == "info",
    )
    run.check(
        "Friday: the other partner gets no couples exercise", "together)" not in run.text("ol")
    )
    run.open("/checkin/partner")
    run.fill("couple", "another-couple-0001")
    run.answer("feels_heard", "5")
    run.submit()
    run.check("another couple is not affected", run.text("#help") == "")


def main(argv: list[str] | None = None) -> int:
    """Run every scenario in Chromium; 0 when all checks pass (or Chromium is missing)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--screenshots", type=Path, metavar="DIR", help="save screenshots here (docs/images)"
    )
    parser.add_argument(
        "--require-browser",
        action="store_true",
        help="fail, rather than skip, when Chromium or chromedriver is missing (CI)",
    )
    args = parser.parse_args(argv)
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        print(
            f"browser-test: {'FAILED' if args.require_browser else 'skipped'}: "
            f"{', '.join(missing)} not installed; "
            "install Debian's with: apt-get install chromium chromium-driver"
        )
        return 1 if args.require_browser else 0
    if args.screenshots is not None:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trustkit-browser-") as tmp:
        db = Path(tmp) / "couples.sqlite3"
        driver = _browser(Path(tmp) / "chromium-profile")
        try:
            with _server(db) as base:
                run = Run(driver, base, args.screenshots)
                for scenario in SCENARIOS:
                    scenario(run)
                _monday_disclosure(run)
            with _server(db) as base:  # a restart: a new server process, the same file
                run.base = base
                _friday_after_restart(run)
        finally:
            driver.quit()
        run.check("the database file is private (0600)", stat.S_IMODE(db.stat().st_mode) == 0o600)
    print(f"{run.passed} passed, {len(run.failed)} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
