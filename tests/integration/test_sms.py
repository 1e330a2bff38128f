"""The SMS gateway sender against an HTTP server on this machine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from carehub.notify import sms


@pytest.fixture
def gateway() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"answer": 200, "got": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["got"].append((self.path, self.headers.get("Authorization"), json.loads(body)))
            self.send_response(state["answer"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield state
    server.shutdown()
    server.server_close()


def test_the_gateway_gets_the_number_and_text_with_the_token(gateway: dict[str, Any]) -> None:
    sms.HttpSms(gateway["url"], "s3cret").send("13900000001", "紧急任务")
    assert gateway["got"] == [("/sms", "Bearer s3cret", {"to": "13900000001", "text": "紧急任务"})]


def test_a_gateway_refusal_is_an_sms_error(gateway: dict[str, Any]) -> None:
    gateway["answer"] = 503
    with pytest.raises(sms.SmsError, match="503"):
        sms.HttpSms(gateway["url"]).send("13900000001", "x")


def test_an_unreachable_gateway_is_an_sms_error() -> None:
    with pytest.raises(sms.SmsError, match="unreachable"):
        sms.HttpSms("http://127.0.0.1:9/sms", timeout_s=2).send("13900000001", "x")


def test_the_app_builds_the_configured_sender(app, gateway: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(sms.sender(app), sms.FakeSms)
    app.extensions.pop("carehub_sms")
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway["url"])
    assert isinstance(sms.sender(app), sms.HttpSms)
