"""The worker tests' fixtures, for any integration module that runs real workers."""

from tests.workers import broker_url, redis_base, start_worker

__all__ = ["broker_url", "redis_base", "start_worker"]
