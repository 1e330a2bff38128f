"""Tokens kept only as their hash: one rule for the login cookie, the phone's bearer token
and an alarm device's token."""

from __future__ import annotations

import hashlib

from carehub.auth.models import ApiToken, LoginSession
from carehub.emergency.models import AlarmDevice


def test_each_new_token_is_fresh_and_a_device_token_says_what_it_is() -> None:
    for model in (LoginSession, ApiToken):
        token = model.new_token()
        assert len(token) >= 40 and not token.startswith("dev_")
        assert model.new_token() != token
    assert AlarmDevice.new_token().startswith("dev_")


def test_a_token_is_found_by_its_sha256() -> None:
    token = ApiToken.new_token()
    expected = hashlib.sha256(token.encode()).hexdigest()
    assert LoginSession.hash_token(token) == ApiToken.hash_token(token) == expected
    assert AlarmDevice.hash_token(token) == expected and len(expected) == 64
