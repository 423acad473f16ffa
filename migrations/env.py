"""Alembic environment: SQLModel's metadata, batch mode on SQLite, URL from DATABASE_URL."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from services.core.config import load_config
from services.core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or load_config().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
