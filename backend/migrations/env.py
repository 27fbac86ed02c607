"""Alembic environment, configured programmatically by ``backend.db.alembic_config``."""

from alembic import context

from backend.entities import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a SQLite table by dropping it: with foreign keys on, the drop
        # would cascade into the rows referencing it (e.g. a transfer's documents). The
        # pragma works only outside a transaction, hence here, before any migration runs.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
