"""Alembic environment: uses the app's engine (passed in ``config.attributes``) or a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import contest.models  # noqa: F401  (registers every table)
from contest.extensions import db

config = context.config
target_metadata = db.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
