"""Login sessions end after an idle time and after an absolute lifetime (configurable)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.core.enums import Role

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)


class Clock:
    at = T0

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock(app: Flask) -> Clock:
    found = Clock()
    app.config.update(CLOCK=found, SESSION_IDLE_MIN=30, SESSION_ABSOLUTE_HOURS=2)
    return found


def _in(client: FlaskClient) -> bool:
    response = client.get("/registry/elders")
    return response.status_code == 200


def test_a_session_used_within_the_idle_time_lives_on(client: FlaskClient, login_as, clock) -> None:
    login_as(Role.ADMIN)
    for _ in range(3):
        clock.at += dt.timedelta(minutes=25)
        assert _in(client)


def test_an_idle_session_ends(client: FlaskClient, login_as, clock) -> None:
    login_as(Role.ADMIN)
    clock.at += dt.timedelta(minutes=31)
    assert not _in(client)
    clock.at += dt.timedelta(minutes=1)
    assert not _in(client)  # ended for good, not only while idle


def test_a_busy_session_still_ends_at_its_absolute_lifetime(
    client: FlaskClient, login_as, clock
) -> None:
    login_as(Role.ADMIN)
    for _ in range(4):
        clock.at += dt.timedelta(minutes=29)
        assert _in(client)
    clock.at += dt.timedelta(minutes=5)
    assert not _in(client)
