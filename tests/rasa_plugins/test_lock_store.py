"""The lock store follows REDIS_URL: shared locks in Redis, else in-memory ones."""

import uuid

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from bot.rasa_plugins.lock_store import SportelloLockStore
from tests.support.services import REDIS_URL


def test_without_redis_url_locks_live_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(SportelloLockStore().backend, InMemoryLockStore)


def test_several_workers_without_redis_are_refused(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match="REDIS_URL"):
        SportelloLockStore()


def test_with_redis_url_locks_are_shared_through_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    conversation = f"test-{uuid.uuid4()}"
    first, second = SportelloLockStore(), SportelloLockStore()
    assert isinstance(first.backend, RedisLockStore)

    lock = first.get_or_create_lock(conversation)
    lock.issue_ticket(60)  # served now
    waiting = lock.issue_ticket(60)
    first.save_lock(lock)

    assert second.get_lock(conversation).is_locked(waiting)
    assert redis.Redis.from_url(REDIS_URL).exists(first.backend.key_prefix + conversation)
    second.delete_lock(conversation)
    assert first.get_lock(conversation) is None
