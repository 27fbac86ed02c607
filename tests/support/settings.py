"""Settings for tests: real password hashing, at its cheapest cost."""

from backend.settings import Settings


def fast_settings(**overrides) -> Settings:
    """The app's settings with Argon2 at its minimum cost (a full-cost hash takes ~0.5 s),
    an in-memory SQLite database and a fixed secret key unless ``overrides`` say otherwise."""
    values = dict(
        database_url="sqlite://",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
        secret_key="test-secret",
    )
    return Settings(**(values | overrides))
