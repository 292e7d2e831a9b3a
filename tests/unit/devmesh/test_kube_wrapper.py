"""The wrapper module that builds kube-apiserver from k8s.io/kubernetes."""

from __future__ import annotations

from devmesh import pins
from devmesh.bootstrap import kube_apiserver

GO_MOD = """module k8s.io/kubernetes

go 1.26.0

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tgithub.com/x/y => github.com/x/y v1.0.0
)
"""


def test_only_the_staging_modules_are_replaced() -> None:
    assert kube_apiserver.staging_modules(GO_MOD) == ["k8s.io/api", "k8s.io/client-go"]


def test_each_staging_module_is_replaced_by_its_release() -> None:
    text = kube_apiserver.wrapper_go_mod(GO_MOD, "1.26.0")
    release = "v0." + pins.KUBERNETES.split(".", 1)[1]
    assert f"\tk8s.io/api => k8s.io/api {release}\n" in text
    assert f"require k8s.io/kubernetes v{pins.KUBERNETES}" in text
    assert "github.com/x/y" not in text


def test_the_version_is_stamped_for_clients() -> None:
    assert f"gitVersion=v{pins.KUBERNETES}" in kube_apiserver.ldflags()
