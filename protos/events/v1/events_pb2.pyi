import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from protos.common.v1 import money_pb2 as _money_pb2
from protos.order.v1 import order_pb2 as _order_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderNotificationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_NOTIFICATION_KIND_UNSPECIFIED: _ClassVar[OrderNotificationKind]
    CONFIRMATION: _ClassVar[OrderNotificationKind]
    STATUS_CHANGED: _ClassVar[OrderNotificationKind]
ORDER_NOTIFICATION_KIND_UNSPECIFIED: OrderNotificationKind
CONFIRMATION: OrderNotificationKind
STATUS_CHANGED: OrderNotificationKind

class UserCreated(_message.Message):
    __slots__ = ("user_id", "email", "name", "phone", "email_notifications", "sms_notifications")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    SMS_NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    name: str
    phone: str
    email_notifications: bool
    sms_notifications: bool
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ..., email_notifications: _Optional[bool] = ..., sms_notifications: _Optional[bool] = ...) -> None: ...

class OrderCreated(_message.Message):
    __slots__ = ("order_id", "user_id", "items", "total", "created_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    items: _containers.RepeatedCompositeFieldContainer[_order_pb2.OrderItem]
    total: _money_pb2.Money
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_order_pb2.OrderItem, _Mapping]]] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderStatusChanged(_message.Message):
    __slots__ = ("order_id", "user_id", "old_status", "new_status", "changed_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    old_status: _order_pb2.OrderStatus
    new_status: _order_pb2.OrderStatus
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., old_status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., new_status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("user_id", "email", "name", "phone", "email_enabled", "sms_enabled")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_ENABLED_FIELD_NUMBER: _ClassVar[int]
    SMS_ENABLED_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    name: str
    phone: str
    email_enabled: bool
    sms_enabled: bool
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ..., email_enabled: _Optional[bool] = ..., sms_enabled: _Optional[bool] = ...) -> None: ...

class OrderNotification(_message.Message):
    __slots__ = ("kind", "order_id", "contact", "status", "items", "total", "source_event_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    kind: OrderNotificationKind
    order_id: str
    contact: Contact
    status: _order_pb2.OrderStatus
    items: _containers.RepeatedCompositeFieldContainer[_order_pb2.OrderItem]
    total: _money_pb2.Money
    source_event_id: str
    def __init__(self, kind: _Optional[_Union[OrderNotificationKind, str]] = ..., order_id: _Optional[str] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., items: _Optional[_Iterable[_Union[_order_pb2.OrderItem, _Mapping]]] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class ProductUpdated(_message.Message):
    __slots__ = ("product_id",)
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class StockChanged(_message.Message):
    __slots__ = ("product_id", "stock")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    stock: int
    def __init__(self, product_id: _Optional[str] = ..., stock: _Optional[int] = ...) -> None: ...
