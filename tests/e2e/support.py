"""What the browser tests share: Chromium settings, screen sizes, accounts, logging in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from carehub.core.enums import Role

CHROMIUM = os.environ.get("CAREHUB_CHROMIUM", "/usr/bin/chromium")
# The background-networking flags matter: on a closed network Chromium's own update and
# sync connections are refused, which otherwise slows or breaks start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    role: Role
    caregiver_code: str | None = None


def log_in(page: Any, account: Account) -> None:
    page.goto("/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path != "/login", page.inner_text("main")
