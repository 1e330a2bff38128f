"""The server's VAPID key pair (RFC 8292): it signs every push, and browsers subscribe with
its public half. Set ``VAPID_PRIVATE_KEY`` (PEM text, a PEM file's path, or the key as
base64url raw or DER) in production; otherwise one is generated once into the instance folder."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import Flask
from py_vapid import Vapid

FILE_NAME = "vapid_private.pem"


def _generated(instance: Path) -> Vapid:
    path = instance / FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fresh = Vapid()
        fresh.generate_keys()
        # Created exclusively, so two processes starting together keep one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(fresh.private_pem())
    return Vapid.from_file(str(path))


def key(app: Flask) -> Vapid:
    found: Vapid | None = app.extensions.get("carehub_vapid")
    if found is None:
        raw = str(app.config.get("VAPID_PRIVATE_KEY") or "")
        if not raw:
            found = _generated(Path(app.instance_path))
        elif "-----BEGIN" in raw:
            found = Vapid.from_pem(raw.strip().encode())
        elif os.path.isfile(raw):
            found = Vapid.from_file(raw)
        else:
            found = Vapid.from_string(raw)
        app.extensions["carehub_vapid"] = found
    return found


def public_key(app: Flask) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point,
    base64url without padding."""
    point = key(app).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
