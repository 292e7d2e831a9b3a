"""The notification service's adapters, one module per port (see service.py).

templates: the `Renderer` (jinja2); mailer: the `Mailer` (SMTP), built from
mime (the message), smtp_pool (reused connections), loop_thread (their event
loop) and secret_password (the SMTP password); sms: the `SmsSender` (a Dapr
output binding); traced: each port wrapped in a span and counted. The `Once`
ledger is common (`common.sidecar.EventLedger`).
"""
