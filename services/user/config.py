"""Typed settings of the user service."""

from common.settings import OutboxSettings, ServiceSettings


class UserSettings(ServiceSettings, OutboxSettings):
    app_id: str = "user"
    mysql_url: str = "mysql://root@127.0.0.1:13306/"
    mysql_database: str = "shop_users"
