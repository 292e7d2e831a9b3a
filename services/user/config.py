"""Typed settings of the user service."""

from common.settings import MySQLSettings, OutboxSettings, ServiceSettings


class UserSettings(ServiceSettings, OutboxSettings, MySQLSettings):
    app_id: str = "user"
    mysql_database: str = "shop_users"
