"""Security headers, cookie flags, the upload limit, and no version banner."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.core.enums import Role
from tests.conftest import base_config, second_app


def test_every_page_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/login", "/api/v1/openapi.json", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert (
            "script-src 'self'" in csp
            and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        )
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_server_header_names_versions(client: FlaskClient) -> None:
    server = client.get("/login").headers.get("Server", "")
    assert "Werkzeug" not in server and "Python" not in server


def test_the_session_cookie_is_samesite_lax_and_httponly(client: FlaskClient, login_as) -> None:
    client.get("/lang/en")
    response = client.post("/login", data={"username": "x", "password": "y"})
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    assert cookies and all("SameSite=Lax" in c and "HttpOnly" in c for c in cookies)
    assert not any("Secure" in c for c in cookies)  # plain HTTP in development


def test_behind_https_cookies_are_secure_host_prefixed_and_hsts_is_sent(
    database_url: str, tmp_path
) -> None:
    with second_app({**base_config(database_url, tmp_path), "HTTPS": True}) as app:
        response = app.test_client().get("/lang/en", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_the_settings_can_be_changed(database_url: str, tmp_path) -> None:
    config = {**base_config(database_url, tmp_path), "SESSION_COOKIE_SAMESITE": "Strict"}
    with second_app(config) as app:
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
        assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"MAX_CONTENT_LENGTH": 1024 * 1024}


def test_an_upload_over_the_limit_is_413_with_a_message(client: FlaskClient, login_as) -> None:
    login_as(Role.ADMIN)
    client.get("/lang/en")
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="elders.csv"\r\n\r\n'
        ).encode()
        + b"x" * (2 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/registry/elders/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_personal_pages_and_json_are_not_cached(
    app: Flask, client: FlaskClient, login_as, make
) -> None:
    login_as(Role.ADMIN)
    assert client.get("/registry/elders").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_the_csp_allows_the_map_tiles_origin(database_url: str, tmp_path) -> None:
    tiles = "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"
    with second_app({**base_config(database_url, tmp_path), "MAP_TILE_URL": tiles}) as app:
        csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.cn" in csp


def test_no_template_has_an_inline_script_or_handler() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", text):
            found.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+=\"([^\"]*)\"", text):
            found.append(f"{path.name}: {match.group(0)}")
    assert not found, found
