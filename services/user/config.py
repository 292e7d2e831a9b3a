"""Typed settings of the user service."""

from common.settings import ServiceSettings


class UserSettings(ServiceSettings):
    app_id: str = "user"
    mysql_url: str = "mysql://root@127.0.0.1:13306/"
    mysql_database: str = "shop_users"
