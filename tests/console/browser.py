"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven through Selenium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

# Flags that keep Chromium offline and quiet: no first-run work, no background fetches.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
)
WINDOW = (1280, 900)


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    """A fresh headless Chromium with its own profile; skips the test when none is installed."""
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.skip(
            "Chromium is not installed: scripts/test.sh installs Debian's chromium and "
            "chromium-driver when run as root"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def screenshot(browser: WebDriver, path: Path, height: int | None = None) -> None:
    """Save the window as a PNG, first growing it to ``height`` pixels for long views."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if height is not None:
        browser.set_window_size(WINDOW[0], height)
    try:
        browser.save_screenshot(str(path))
    finally:
        if height is not None:
            browser.set_window_size(*WINDOW)
