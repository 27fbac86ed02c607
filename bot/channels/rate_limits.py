"""Rate limits the channels share: counters in Redis when ``REDIS_URL`` is set, so that
several replicas of the web app (or bridges) count together, else in this process's memory.

The ``limits`` library's sliding-window counter: two counters a key, no per-hit list, and a
window that does not let a client double its rate across a window's edge. The limits are
settings in the library's notation ("20/minute;300/hour", backend/settings.py). With Redis
unreachable the limits let requests through (logged): an outage of the counters must not
stop every customer's chat.
"""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)
TOO_FAST = "Stai inviando troppi messaggi: riprova tra {seconds} secondi."
KEY_PREFIX = "sportello-limiti"


def storage_for(redis_url: str) -> Storage:
    """Redis (the redis-py asyncio client) at ``redis_url``, else memory."""
    if not redis_url:
        return MemoryStorage()
    scheme = urlsplit(redis_url).scheme
    uri = f"async+redis+unix{redis_url[len(scheme) :]}" if scheme == "unix" else redis_url
    if not uri.startswith("async+"):
        uri = f"async+{uri}"
    return RedisStorage(uri, implementation="redispy", key_prefix=KEY_PREFIX, wrap_exceptions=True)


class RateLimit:
    """One kind of limit (e.g. messages per conversation): ``hit`` counts one request."""

    def __init__(self, name: str, rates: str, storage: Storage):
        self.name = name
        self.items: list[RateLimitItem] = parse_many(rates)
        self.limiter = SlidingWindowCounterRateLimiter(storage)

    async def hit(self, key: str) -> int | None:
        """Counts a request for ``key``: None when allowed, else the seconds to wait."""
        try:
            for item in self.items:
                if not await self.limiter.hit(item, self.name, key):
                    stats = await self.limiter.get_window_stats(item, self.name, key)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except StorageError as error:
            failure = type(error.storage_error).__name__
            log.warning("rate limit %s not counted: %s", self.name, failure)
        return None


def too_fast(seconds: int) -> str:
    return TOO_FAST.format(seconds=seconds)
