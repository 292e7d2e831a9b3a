"""The user service's adapters, one module per port (see service.py).

repository: users and their `user-created` outbox event in MySQL;
notifications: `order-notification` events published through the sidecar.
"""
