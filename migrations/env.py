import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def render_item(type_, obj, autogen_context):
    """Write cki's UTCDateTime as the plain column type it stores, so migrations do not
    import application code."""
    from cki.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def get_engine():
    """The migrations run as the schema's owner (``MIGRATION_DATABASE_URL``) where one is set;
    the app itself connects as a role that may not rewrite the logs (README > Production)."""
    owner_url = current_app.config.get("MIGRATION_DATABASE_URL")
    if owner_url:
        return sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    return current_app.extensions['migrate'].db.engine


def grant_app_role(connection):
    """Give the app's role (the user of ``DATABASE_URL``) what it needs and no more: read and write
    every table; of the two logs only SELECT, INSERT of an entry's content and UPDATE of the three
    chain columns (which the logs' triggers allow only to seal an unsealed entry); read-only the
    migration version. Run after every upgrade, so tables of later migrations are covered too."""
    app_url = sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if connection.dialect.name != "postgresql" or not app_url.username:
        return
    if app_url.username == connection.execute(sa.text("SELECT current_user")).scalar():
        return  # one role for both (development): nothing to grant
    role = connection.dialect.identifier_preparer.quote(app_url.username)
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    statements = [f"GRANT USAGE ON SCHEMA public TO {role}",
                  f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                  f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"]
    chain = ("chain_seq", "prev_hash", "entry_hash")
    for log in ("event_log", "data_access_log"):
        if log not in tables:
            continue
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {log} FROM {role}")
        columns = [c["name"] for c in inspector.get_columns(log)]
        content = ", ".join(c for c in columns if c not in chain and c != "id")
        statements.append(f"GRANT INSERT ({content}) ON {log} TO {role}")
        if set(chain) <= set(columns):
            statements.append(f"GRANT UPDATE ({', '.join(chain)}) ON {log} TO {role}")
    if "alembic_version" in tables:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}")
    for statement in statements:
        connection.execute(sa.text(statement))


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            render_item=render_item,
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()
            grant_app_role(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
