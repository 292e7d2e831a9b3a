"""Operators swap component profiles; these checks keep the profiles swappable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from common import components

ROOT = Path(__file__).resolve().parents[3]
PROFILES = ("full", "lite", "prod-local", "prod")
SECRET_NAME = re.compile(r"(password|secret|token|key|sid|cert)$", re.IGNORECASE)


def load(profile: str) -> dict[str, dict[str, Any]]:
    docs = {}
    for path in sorted((ROOT / "components" / profile).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        docs[doc["metadata"]["name"]] = doc
    return docs


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_defines_every_component_the_code_uses(profile: str) -> None:
    assert set(components.ALL) <= set(load(profile))


def test_profiles_use_identical_names() -> None:
    names = {p: set(load(p)) for p in PROFILES}
    assert names["full"] == names["lite"] == names["prod-local"] == names["prod"]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_component_is_scoped(profile: str) -> None:
    for name, doc in load(profile).items():
        assert doc.get("scopes"), f"{profile}/{name} has no scopes"


@pytest.mark.parametrize("profile", PROFILES)
def test_no_plaintext_secret(profile: str) -> None:
    for name, doc in load(profile).items():
        for item in doc["spec"].get("metadata", []):
            if SECRET_NAME.search(item["name"]) and "value" in item:
                pytest.fail(f"{profile}/{name}: {item['name']} holds a plaintext value")


@pytest.mark.parametrize("profile", ("prod-local", "prod"))
def test_prod_takes_credentials_only_from_the_secret_store(profile: str) -> None:
    for name, doc in load(profile).items():
        refs = [m for m in doc["spec"].get("metadata", []) if "secretKeyRef" in m]
        if refs:
            assert doc.get("auth", {}).get("secretStore") == components.SECRETS, name


def test_kafka_sets_a_protocol_version_and_oldest_offset() -> None:
    for profile in ("full", "prod-local", "prod"):
        meta = {
            m["name"]: m.get("value")
            for m in load(profile)["pubsub"]["spec"]["metadata"]
        }
        assert meta["version"].startswith("3.")
        assert meta["initialOffset"] == "oldest"
        assert meta["producerRequiredAcks"] == "all"


def test_lite_is_backed_by_redis_alone() -> None:
    types = {doc["spec"]["type"] for doc in load("lite").values()}
    assert "pubsub.redis" in types
    assert not any("kafka" in t or "mysql" in t for t in types)


# Swapping YAML never needs code: each component name plays the same role (the
# type family: pubsub, state, bindings, ...) in every profile, and two
# profiles using the same type set the same metadata keys, except the ones
# declared here as belonging to one profile.
PROFILE_ONLY_KEYS: dict[tuple[str, str], set[str]] = {
    ("full", "cache"): {"redisDB"},
    ("lite", "cache"): {"redisDB"},
    ("prod", "cache"): {"enableTLS", "redisPassword"},
    ("full", "idempotency"): {"redisDB"},
    ("lite", "idempotency"): {"redisDB"},
    ("prod", "idempotency"): {"enableTLS", "redisPassword"},
    ("full", "lock"): {"redisDB"},
    ("lite", "lock"): {"redisDB"},
    ("prod", "lock"): {"enableTLS", "redisPassword"},
    ("full", "carts"): {"redisDB"},
    ("lite", "carts"): {"redisDB"},
    ("prod", "carts"): {"enableTLS", "redisPassword"},
    ("full", "pubsub"): {"disableTls"},
    ("prod", "pubsub"): {"saslMechanism", "saslUsername", "saslPassword", "caCert"},
}
# prod-local is prod's components on local servers: the same declared keys.
PROFILE_ONLY_KEYS.update(
    {
        ("prod-local", name): keys
        for (p, name), keys in PROFILE_ONLY_KEYS.items()
        if p == "prod"
    }
)
CREDENTIAL = re.compile(r"(password|secret|token|key|sid|cert|username)$", re.I)


def metadata_keys(doc: dict[str, Any]) -> set[str]:
    return {item["name"] for item in doc["spec"].get("metadata", [])}


@pytest.mark.parametrize("name", sorted(components.ALL))
def test_a_component_plays_the_same_role_in_every_profile(name: str) -> None:
    roles = {p: load(p)[name]["spec"]["type"].split(".")[0] for p in PROFILES}
    assert len(set(roles.values())) == 1, roles


@pytest.mark.parametrize("name", sorted(components.ALL))
def test_metadata_keys_differ_only_where_declared(name: str) -> None:
    by_type: dict[str, dict[str, set[str]]] = {}
    for profile in PROFILES:
        doc = load(profile)[name]
        keys = metadata_keys(doc) - PROFILE_ONLY_KEYS.get((profile, name), set())
        by_type.setdefault(doc["spec"]["type"], {})[profile] = keys
    for component_type, keys in by_type.items():
        first = next(iter(keys.values()))
        assert all(k == first for k in keys.values()), (component_type, keys)


def test_every_declared_difference_is_still_there() -> None:
    for (profile, name), keys in PROFILE_ONLY_KEYS.items():
        assert keys <= metadata_keys(load(profile)[name]), (profile, name)


def test_every_prod_credential_is_a_secret_key_ref() -> None:
    for name, doc in load("prod").items():
        for item in doc["spec"].get("metadata", []):
            if CREDENTIAL.search(item["name"]):
                assert set(item) == {"name", "secretKeyRef"}, (name, item["name"])


@pytest.mark.parametrize("profile", PROFILES)
def test_no_credential_comes_from_the_environment(profile: str) -> None:
    for name, doc in load(profile).items():
        for item in doc["spec"].get("metadata", []):
            if CREDENTIAL.search(item["name"]):
                assert "envRef" not in item, (profile, name, item["name"])


def test_prod_local_keeps_prods_shape() -> None:
    """prod-local differs from prod only where no local server can stand in:
    the secret store (a file instead of Vault) and SMS (files, not Twilio)."""
    local, prod = load("prod-local"), load("prod")
    stand_ins = {components.SECRETS, components.SMS}
    for name in set(prod) - stand_ins:
        assert local[name]["spec"] == prod[name]["spec"], name
        assert local[name].get("auth") == prod[name].get("auth"), name
    assert local[components.SECRETS]["spec"]["type"] == "secretstores.local.file"
