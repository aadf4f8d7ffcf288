"""A real browser on `casereview serve`: Debian's chromium, headless, through chromium-driver
and selenium. Sign in, open the demo audit, answer a question, find it in the database.

Skips (one line) where no chromium and chromedriver are installed; `.ci/run` installs them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from casereview.demo.build import build_demo
from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.served import PASSWORD, WatchedApp, add_account, client_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no chromium + chromedriver here (apt-get install chromium chromium-driver)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
]


def _browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    # explicit binary and driver: selenium never looks for (or downloads) its own
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def _sign_in(driver: Any, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/")
    assert driver.current_url.endswith("/signin")
    driver.find_element(By.ID, "name").send_keys("ana")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(
        ready.presence_of_element_located((By.CSS_SELECTOR, ".xterm-helper-textarea"))
    )
    assert driver.current_url == url + "/"


def _sign_out(driver: Any, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "signout").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/signin"))
    driver.get(url + "/")
    assert driver.current_url.endswith("/signin")  # signed out: the app is not served


def _type(driver: Any, keys: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    driver.execute_script("arguments[0].focus()", box)  # a click would reach the app too
    box.send_keys(keys)


async def test_a_browser_signs_in_and_answers(tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "demo.db"
    store = Store.open(db)
    build_demo(store, "ana")
    add_account(store, "ana")
    before = store.db.execute("SELECT count(*) FROM answers WHERE updated_by = 'ana'").fetchone()
    store.close()

    server = CaseReviewServer(db)
    server.app_service_class = WatchedApp
    WatchedApp.running.clear()
    client = await client_for(server)
    url = str(client.make_url("")).rstrip("/")
    driver = await asyncio.to_thread(_browser, tmp_path / "profile")
    try:
        await asyncio.to_thread(_sign_in, driver, url)
        async with asyncio.timeout(60):
            while not WatchedApp.running:
                await asyncio.sleep(0.05)  # the page opens its websocket after loading
        (app,) = WatchedApp.running
        assert app.reviewer == "ana"
        await app.until("Northmoor")
        for key, shows in ((Keys.ENTER, "Cases"), (Keys.ENTER, "y Yes")):
            app.next_screen()
            await asyncio.to_thread(_type, driver, key)
            await app.until(shows)
        app.next_screen()
        await asyncio.to_thread(_type, driver, "y")
        await app.until("Saved ")
        shot = Path(os.environ.get("CASEREVIEW_SCREENSHOT", tmp_path / "served.png"))
        await asyncio.to_thread(driver.save_screenshot, str(shot))
        # the page's Sign out button (issue 30): back to the sign-in, and the app's page
        # asks for it again
        await asyncio.to_thread(_sign_out, driver, url)
    finally:
        await asyncio.to_thread(driver.quit)
        await client.close()
    store = Store.open(db)
    after = store.db.execute("SELECT count(*) FROM answers WHERE updated_by = 'ana'").fetchone()
    assert after[0] == before[0] + 1
    newest = store.events()[-1]
    assert newest.kind == "answer" and newest.actor == "ana" and newest.new == "yes"
