"""Pages run under the Content-Security-Policy: no violation is reported while each role
opens its pages, and behaviour moved out of inline handlers still works."""

from __future__ import annotations

from typing import Any

import pytest

from carehub.core.enums import Role
from tests.e2e.support import log_in

PAGES = {
    Role.ADMIN: ["/", "/registry/elders", "/admin/users", "/admin/audit", "/admin/coverage"],
    Role.DISPATCHER: ["/", "/dispatch/emergency/", "/dispatch/requests/new"],
    Role.CAREGIVER: ["/", "/m/"],
    Role.AUDITOR: ["/", "/subsidy/2026-10", "/subsidy/2026-10/summary"],
}


def _watch(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r.value)
def test_no_page_breaks_the_policy(page: Any, make_user: Any, role: Role) -> None:
    violations = _watch(page)
    log_in(page, make_user(role))
    for path in PAGES[role]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert not violations, violations


def test_the_print_button_works_from_the_static_script(page: Any, make_user: Any) -> None:
    violations = _watch(page)
    log_in(page, make_user(Role.AUDITOR))
    page.goto("/subsidy/2026-10/summary")
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1
    assert not violations, violations
