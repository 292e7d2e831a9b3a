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


def test_prod_local_keeps_prods_shape() -> None:
    """prod-local differs from prod only where no local server can stand in:
    the secret store (a file instead of Vault) and SMS (files, not Twilio)."""
    local, prod = load("prod-local"), load("prod")
    stand_ins = {components.SECRETS, components.SMS}
    for name in set(prod) - stand_ins:
        assert local[name]["spec"] == prod[name]["spec"], name
        assert local[name].get("auth") == prod[name].get("auth"), name
    assert local[components.SECRETS]["spec"]["type"] == "secretstores.local.file"
