"""gunicorn's settings for CareHub, from the environment: ``gunicorn -c gunicorn.conf.py wsgi:app``.

CAREHUB_BIND            address to listen on (127.0.0.1:8000; a reverse proxy in front)
CAREHUB_WEB_WORKERS     worker processes (2 x CPUs + 1)
CAREHUB_WEB_THREADS     threads per worker (4): requests mostly wait on the database
CAREHUB_WEB_TIMEOUT     seconds a request may run before its worker is restarted (120)
CAREHUB_WEB_MAX_REQUESTS  requests before a worker is replaced, with jitter (2000; 0 never)
CAREHUB_LOG_LEVEL       info

Every long piece of work (planning, month drafts, large imports) runs on the Celery workers,
so no request comes near the timeout; the longest left are spreadsheet downloads of a
city's month, a few seconds.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = os.environ.get("CAREHUB_BIND") or "127.0.0.1:8000"
workers = _int("CAREHUB_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("CAREHUB_WEB_THREADS", 4)
worker_class = "gthread"
timeout = _int("CAREHUB_WEB_TIMEOUT", 120)
# A restart or deploy lets running requests finish for this long.
graceful_timeout = 30
# Behind a proxy keeping connections open to us; above its own idle timeout would be wasted.
keepalive = 5
max_requests = _int("CAREHUB_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# The proxy's addresses whose X-Forwarded-* headers gunicorn itself may read; the app
# trusts CAREHUB_PROXY_COUNT hops through werkzeug's ProxyFix.
forwarded_allow_ips = os.environ.get("CAREHUB_FORWARDED_ALLOW_IPS", "127.0.0.1")
loglevel = os.environ.get("CAREHUB_LOG_LEVEL", "info")
accesslog = "-"
errorlog = "-"
# No bodies above MAX_CONTENT_LENGTH reach the app anyway; headers stay bounded here.
limit_request_field_size = 8190
