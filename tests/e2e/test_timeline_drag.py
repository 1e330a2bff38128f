"""The drag script against a hand-written page that follows the timeline markup contract,
as any planning page may render it: other scales, blocks without links of their own."""

from __future__ import annotations

from typing import Any

FIXTURE = """<!doctype html><html><head><style>
.tl-row { position: relative; height: 40px; margin: 20px 0 0 50px; background: #eee; }
.tl-visit { position: absolute; top: 5px; height: 30px; background: #36c; }
</style></head><body>
<div class="tl-row" id="r1" data-caregiver-id="11" data-day-start-minutes="480"
     data-px-per-minute="2" style="width: 1200px">
  <div class="tl-visit" draggable="true" data-visit-id="501" data-version="4"
       style="left: 60px; width: 60px">A</div>
</div>
<div class="tl-row" id="r2" data-caregiver-id="12" data-day-start-minutes="480"
     data-px-per-minute="2" style="width: 1200px"></div>
<script src="/static/dispatch/timeline_drag.js"></script>
</body></html>"""


def _open(page: Any, live_server: Any) -> list[str]:
    visited: list[str] = []
    page.route(
        "**/fixture/timeline",
        lambda route: route.fulfill(status=200, content_type="text/html", body=FIXTURE),
    )

    def _capture(route: Any) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p id=landed>ok</p>")

    page.route("**/dispatch/visits/**", _capture)
    page.goto(f"{live_server.url}/fixture/timeline")
    return visited


def test_drop_position_becomes_a_snapped_start_on_the_target_row(
    page: Any, live_server: Any
) -> None:
    visited = _open(page, live_server)
    # Grabbed 10 px into the block; its left edge lands 253 px in: 08:00 + 126.5 min,
    # snapped to 10:05.
    with page.expect_navigation():
        page.drag_and_drop(
            ".tl-visit",
            "#r2",
            source_position={"x": 10, "y": 5},
            target_position={"x": 263, "y": 10},
        )
    assert visited[-1].endswith("/dispatch/visits/501/move?caregiver_id=12&start=10:05&version=4")


def test_blocks_without_a_link_open_the_visit_page_from_the_keyboard(
    page: Any, live_server: Any
) -> None:
    visited = _open(page, live_server)
    assert page.get_attribute(".tl-visit", "tabindex") == "0"
    page.focus(".tl-visit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert visited[-1].endswith("/dispatch/visits/501")
