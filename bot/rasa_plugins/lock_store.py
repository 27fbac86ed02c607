"""The conversation lock store: Redis when `REDIS_URL` is set, else in memory (config.py).

Rasa serialises the messages of one conversation with a lock. An in-memory lock is only
correct with a single Sanic worker; several workers (`SANIC_WORKERS` > 1) or several Rasa
servers must share locks through Redis.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    InMemoryLockStore,
    LockStore,
    RedisLockStore,
)

from bot.rasa_plugins import config


class _UrlRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, connected by URL instead of host/port/db settings."""

    def __init__(self, url: str) -> None:
        import redis

        self.red = redis.StrictRedis.from_url(url, socket_timeout=10)
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        LockStore.__init__(self)


class SportelloLockStore(LockStore):
    """Delegates to a Redis or an in-memory lock store, chosen from the environment."""

    def __init__(self, endpoint_config: Any = None) -> None:
        url = config.read().redis_url
        self.backend: LockStore = _UrlRedisLockStore(url) if url else InMemoryLockStore()
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Fetches the lock of a conversation."""
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Deletes the lock of a conversation."""
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Stores a lock."""
        self.backend.save_lock(lock)
