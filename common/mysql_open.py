"""Opening a service's MySQL database at start: the URL (with the password
from the secret store where the profile keeps it there, common.app_secrets),
then the schema, retried until MariaDB answers."""

from __future__ import annotations

from collections.abc import Sequence

from common import app_secrets, sidecar
from common.mysql import Database
from common.settings import MySQLSettings


def open_database(
    dapr: app_secrets.SecretReader,
    secret_store: str,
    settings: MySQLSettings,
    database: str,
    schema: Sequence[str],
) -> Database:
    url = app_secrets.database_url(
        dapr,
        secret_store,
        settings.mysql_url,
        settings.mysql_password_secret,
        settings.mysql_password_key,
    )
    db = Database(url, database)
    sidecar.retry_until(lambda: db.migrate(schema), what="MySQL")
    return db
