"""Secrets handed out once and kept only as a hash: the browser login's cookie, the phone's
bearer token and an alarm device's token. A stolen table gives no usable token."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar


class HashedToken:
    """A model whose rows are found by the SHA-256 of a token the holder presents."""

    TOKEN_PREFIX: ClassVar[str] = ""

    @classmethod
    def new_token(cls) -> str:
        return cls.TOKEN_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
