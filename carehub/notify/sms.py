"""Text messages to caregivers' phones, behind one small interface: a fake that keeps what
it was asked to send (tests and the demo), or an HTTP gateway set by ``SMS_GATEWAY_URL``."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Protocol

import requests
from flask import Flask

from carehub.core.time import now

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not take the message."""


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> None: ...


@dataclass(frozen=True)
class Sent:
    to: str
    text: str
    at: dt.datetime


@dataclass
class FakeSms:
    """Sends nothing; keeps each message (and logs it) so tests and the demo can see it."""

    sent: list[Sent] = field(default_factory=list)

    def send(self, to: str, text: str) -> None:
        self.sent.append(Sent(to, text, now()))
        log.info("SMS (not sent, fake gateway) to %s: %s", to, text)


@dataclass
class HttpSms:
    """POSTs ``{"to", "text"}`` as JSON with a bearer token to the gateway's URL; any 2xx
    answer counts as taken."""

    url: str
    token: str = ""
    timeout_s: float = 10.0

    def send(self, to: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(
                self.url, json={"to": to, "text": text}, headers=headers, timeout=self.timeout_s
            )
        except requests.RequestException as exc:
            raise SmsError(f"gateway unreachable: {exc.__class__.__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SmsError(f"gateway answered {response.status_code}")


def sender(app: Flask) -> SmsSender:
    """The app's sender, made once: ``SMS_BACKEND`` is ``fake`` or ``http``."""
    found: SmsSender | None = app.extensions.get("carehub_sms")
    if found is None:
        backend = app.config["SMS_BACKEND"]
        if backend == "http":
            if not app.config["SMS_GATEWAY_URL"]:
                raise ValueError("SMS_BACKEND is 'http' but SMS_GATEWAY_URL is not set")
            found = HttpSms(
                app.config["SMS_GATEWAY_URL"],
                app.config["SMS_GATEWAY_TOKEN"],
                float(app.config["SMS_TIMEOUT_S"]),
            )
        elif backend == "fake":
            found = FakeSms()
        else:
            raise ValueError(f"SMS_BACKEND must be 'fake' or 'http', not {backend!r}")
        app.extensions["carehub_sms"] = found
    return found
