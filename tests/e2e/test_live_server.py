"""The browser tests' server leaves nothing for the garbage collector when a browser drops a
connection mid-response, as Chromium does with a favicon request when the page navigates."""

from __future__ import annotations

import gc
import socket
import struct
import time
import warnings
from typing import Any
from urllib.parse import urlsplit


def test_a_dropped_static_request_leaves_no_open_file(live_server: Any) -> None:
    port = urlsplit(live_server.url).port
    assert port is not None
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: localhost\r\n\r\n")
                time.sleep(0.002)
                # Closed with a reset, not a goodbye: what a cancelled request looks like.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.5)
        gc.collect()
    assert [w for w in seen if issubclass(w.category, ResourceWarning)] == []
