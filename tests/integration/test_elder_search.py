"""The elder picker's suggestions: by name, phone, code and pinyin initials, in scope."""

from __future__ import annotations

from typing import Any

import pytest

from carehub.core.enums import Role
from carehub.registry.naming import name_initials


@pytest.fixture
def elders(make: Any, db: Any) -> dict[str, Any]:
    home, other = make.station(), make.station()

    def elder(name: str, station: Any, **kw: Any) -> Any:
        return make.elder(name=name, name_initials=name_initials(name), station=station, **kw)

    rows = {
        "home": home,
        "zhang": elder("张秀英", home, code="TJE00417", phone="13812345678"),
        "wang": elder("王建国", home, code="TJE00418", phone="02287654321"),
        "abroad": elder("张建华", other, code="TJE00900", phone="13899990000"),
        "zhai": elder("翟宝珍", home, code="TJE00419", phone="13700001111"),
    }
    db.session.commit()
    return rows


def _codes(client: Any, text: str) -> list[str]:
    response = client.get("/dispatch/requests/elders.json", query_string={"q": text})
    assert response.status_code == 200
    return [row["code"] for row in response.get_json()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("秀英", ["TJE00417"]),  # part of the name
        ("5678", ["TJE00417"]),  # part of the phone
        ("tje0041", ["TJE00417", "TJE00418", "TJE00419"]),  # start of the code, any case
        ("zxy", ["TJE00417"]),  # pinyin initials
        ("wj", ["TJE00418"]),  # the start of the initials
        ("zbz", ["TJE00419"]),  # 翟 read as the surname zhai
        ("dbz", ["TJE00419"]),  # or as di
        ("bz", []),  # but not from the middle of a spelling
        ("张", ["TJE00417", "TJE00900"]),
        ("", []),
        ("%", []),  # a LIKE wildcard is a plain character
    ],
)
def test_admin_finds_by_each_key(
    elders: dict[str, Any], client: Any, login_as: Any, text: str, expected: list[str]
) -> None:
    login_as(Role.ADMIN)
    assert _codes(client, text) == expected


def test_dispatcher_finds_only_their_station(
    elders: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.DISPATCHER, station_id=elders["home"].id)
    assert _codes(client, "张") == ["TJE00417"]
    assert _codes(client, "TJE009") == []


def test_suggestion_rows_carry_what_the_picker_shows(
    elders: dict[str, Any], client: Any, login_as: Any
) -> None:
    login_as(Role.ADMIN)
    row = client.get("/dispatch/requests/elders.json?q=zxy").get_json()[0]
    assert set(row) == {"id", "code", "name", "phone", "address"}


def test_picker_pages_load_the_suggestion_script(client: Any, login_as: Any) -> None:
    login_as(Role.DISPATCHER)
    for url in ("/dispatch/requests/new", "/dispatch/emergency/"):
        page = client.get(url).get_data(as_text=True)
        assert (
            "elder_picker.js" in page
            and 'data-suggest-url="/dispatch/requests/elders.json"' in page
        )
