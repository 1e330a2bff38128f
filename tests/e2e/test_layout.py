"""Layout defects a reader sees only in a browser: the administrator's top bar fits two
lines, a long note does not squeeze the request list, the site has an icon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carehub.core.enums import RequestStatus
from carehub.extensions import db
from tests.builders import Builders
from tests.e2e.support import log_in

DAY = dt.date(2026, 11, 23)


def test_the_admin_top_bar_keeps_to_two_lines(page: Any, make_user: Any) -> None:
    log_in(page, make_user("admin"))
    page.goto("/")
    tops = page.evaluate(
        "Array.from(document.querySelectorAll('.mainnav a')).map(a => a.getBoundingClientRect().top)"
    )
    assert len(tops) > 10
    lines = len({round(t) for t in tops})
    assert lines <= 2, f"the navigation takes {lines} lines"


def test_a_long_note_does_not_squeeze_the_request_list(
    page: Any, live_server: Any, make_user: Any
) -> None:
    with live_server.app.app_context():
        make = Builders(db.session)
        make.request(
            service_date=DAY,
            status=RequestStatus.OPEN,
            note="家属电话说明：" + "老人近期行动不便，需要提前联系楼下保安开门，" * 8,
        )
        db.session.commit()
        db.session.remove()
    log_in(page, make_user("admin"))
    page.goto(f"/dispatch/requests/?day={DAY}")
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('main table.table thead th'))"
        ".map(th => th.getBoundingClientRect().width)"
    )
    # Squeezed, the narrowest column fell to about 38 px, two characters a line.
    assert widths and min(widths) > 50, widths


def test_the_site_has_an_icon(page: Any, make_user: Any) -> None:
    response = page.request.get("/favicon.ico")
    assert response.ok and "svg" in response.headers["content-type"]
    page.goto("/login")
    assert page.get_attribute("link[rel=icon]", "href").endswith("favicon.svg")
