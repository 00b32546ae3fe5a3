"""Alembic's environment: migrations run on the connection `appstate.migrate` passes in."""

from __future__ import annotations

from alembic import context

from pipelines.appstate.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot alter most columns in place: migrations rebuild the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    # The caller's transaction holds every revision: a failure leaves the database as it was.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
