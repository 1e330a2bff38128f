"""The once-per-process set-up that the ORM session hooks are installed with."""

from __future__ import annotations

from carehub.core.once import once


def test_the_set_up_runs_on_the_first_call_only() -> None:
    calls: list[int] = []

    @once
    def install() -> None:
        calls.append(1)

    install()
    install()
    assert calls == [1]
    assert install.__name__ == "install"


def test_each_set_up_keeps_its_own_mark() -> None:
    calls: list[str] = []
    first = once(lambda: calls.append("first"))
    second = once(lambda: calls.append("second"))
    first()
    second()
    first()
    assert calls == ["first", "second"]
