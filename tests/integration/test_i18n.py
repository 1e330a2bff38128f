"""Chinese by default, English on request, and the choice kept for the session.

The Chinese catalogue is compiled at install time, so these tests check the page language
and English text rather than particular Chinese wording.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from carehub.core.enums import Role


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, "no lang attribute on <html>"
    return found.group(1)


def test_pages_are_chinese_by_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert _lang(page) == "zh-CN"
    # The switch offers the other language.
    assert 'href="/lang/en"' in page and 'href="/lang/zh"' not in page


def test_switching_to_english_and_back(client: FlaskClient) -> None:
    response = client.get("/lang/en", headers={"Referer": "http://localhost/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert _lang(page) == "en"
    assert "Log in to CareHub" in page and 'href="/lang/zh"' in page

    client.get("/lang/zh")
    assert _lang(client.get("/login").get_data(as_text=True)) == "zh-CN"


def test_lang_parameter_switches_and_is_kept(client: FlaskClient) -> None:
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert _lang(page) == "en" and "Log in to CareHub" in page
    # Later pages stay English without the parameter.
    assert _lang(client.get("/login").get_data(as_text=True)) == "en"


def test_unknown_language_is_ignored(client: FlaskClient) -> None:
    client.get("/lang/fr")
    assert _lang(client.get("/login").get_data(as_text=True)) == "zh-CN"
    assert _lang(client.get("/login?lang=fr").get_data(as_text=True)) == "zh-CN"


def test_switch_never_redirects_to_another_site(client: FlaskClient) -> None:
    response = client.get("/lang/en", headers={"Referer": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_logged_in_pages_follow_the_choice(client: FlaskClient, login_as, make, db) -> None:
    make.elder()
    db.session.commit()
    login_as(Role.ADMIN)
    assert _lang(client.get("/registry/elders").get_data(as_text=True)) == "zh-CN"
    page = client.get("/registry/elders?lang=en").get_data(as_text=True)
    assert _lang(page) == "en"
    # Navigation, headings and enum labels are all English.
    for text in ("Elders", "Caregivers", "Audit log", "Administrator", "Moderate", "Log out"):
        assert text in page, text
    # Catalogue rows show their English name.
    page = client.get("/registry/service-types").get_data(as_text=True)
    assert "Meal delivery" in page and "助餐送餐" not in page
