"""The prod-local profile's credentials and its secret store file.

Passwords (and the gateway's OIDC client secret and session secret) are
generated once per machine into
`~/.cache/daprshop/trust/prod-local/passwords.json` (mode 0600), next to the
other trust material. The local servers are configured with them at their
first start (Kafka's SCRAM users when its storage is formatted, MariaDB's
user and root password, FerretDB's user), and `secrets.json` in the run
folder gives them to Dapr: it is what `secretstores.local.file`
(components/prod-local/secrets.yaml) reads, the local stand-in for Vault,
holding the same secret names and keys as Vault does in prod.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from devmesh import access
from devmesh.local_tls import TlsFiles
from devmesh.paths import CACHE
from devmesh.ports import Ports

FOLDER = CACHE / "trust" / "prod-local"
PASSWORDS = FOLDER / "passwords.json"
# One password per account the local servers know.
ACCOUNTS = ("kafka", "kafka-admin", "redis", "mysql", "mysql-root", "mongodb", "smtp")
# The gateway's own credentials, each kept under its secret's name: the OIDC
# client secret it sends the provider (the local one checks none) and the
# key signing its login cookie.
GATEWAY_SECRETS = (access.OIDC_CLIENT_SECRET, access.SESSION_SECRET)
# The user name the apps (and their sidecars) log in with everywhere.
USER = "daprshop"
KAFKA_ADMIN = "admin"  # the broker's own account (inter-broker, SCRAM)


def _private_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)
    tmp.rename(path)


def passwords(path: Path = PASSWORDS) -> dict[str, str]:
    """Every account's password and the gateway's secrets, made once per
    machine (URL-safe, so a password can sit in a connection URL unquoted;
    32 characters, as long as the session secret must be at least)."""
    names = (*ACCOUNTS, *GATEWAY_SECRETS)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if not set(names) <= set(stored):
        stored = {n: stored.get(n) or secrets.token_urlsafe(24) for n in names}
        _private_write(path, json.dumps(stored, indent=1))
    return stored


def _login(password: str | None) -> str:
    return f"{USER}:{password}" if password is not None else USER


def mysql_url(p: Ports, password: str | None = None) -> str:
    """MariaDB's URL for the apps' user; without `password`, the one the apps
    get (they read the password from the secret store)."""
    return f"mysql://{_login(password)}@127.0.0.1:{p.mariadb}/?ssl=disabled"


def mongodb_url(p: Ports, password: str | None = None) -> str:
    """FerretDB's URL for the apps' user; without `password`, as mysql_url."""
    return (
        f"mongodb://{_login(password)}@127.0.0.1:{p.ferretdb}/"
        "?authSource=admin&authMechanism=SCRAM-SHA-256"
    )


def store(p: Ports, tls: TlsFiles, pw: dict[str, str]) -> dict[str, object]:
    """The secret store's content: secret name -> its keys (or one value)."""
    return {
        "kafka": {
            "username": USER,
            "password": pw["kafka"],
            "ca-cert": tls.ca.read_text(),
        },
        "redis": {"host": f"127.0.0.1:{p.redis}", "password": pw["redis"]},
        "mysql": {
            "username": USER,
            "password": pw["mysql"],
            "url": mysql_url(p, pw["mysql"]),
        },
        "mongodb": {
            "username": USER,
            "password": pw["mongodb"],
            "url": mongodb_url(p, pw["mongodb"]),
        },
        "smtp-password": pw["smtp"],
        **{name: pw[name] for name in GATEWAY_SECRETS},
    }


# Keys of the store's secrets whose values are not secret: who logs in, where,
# and the CA certificate. Every other value is (passwords, URLs with them).
PUBLIC_KEYS = frozenset({"username", "host", "ca-cert"})


def secret_values(path: Path) -> dict[str, str]:
    """`secret/key` -> value for every secret value of the store file at
    `path` (a single-valued secret's key is its name)."""
    out: dict[str, str] = {}
    for name, entry in json.loads(path.read_text()).items():
        keys = entry if isinstance(entry, dict) else {name: entry}
        for key, value in keys.items():
            if key not in PUBLIC_KEYS:
                out[f"{name}/{key}"] = str(value)
    return out


def write_store(run: Path, p: Ports, tls: TlsFiles) -> Path:
    """Render the secret store file into the run folder (mode 0600)."""
    path = run / "secrets.json"
    _private_write(path, json.dumps(store(p, tls, passwords()), indent=1))
    return path
