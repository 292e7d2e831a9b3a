"""Install what the mesh needs into ~/.cache/daprshop (standard library only).

One module per part (apt, python_env, kafka, oidc, zipkin, ferretdb, mailpit,
daprd, sentry, prometheus, tilt, graphiql, storefront, buf, protoc_gen_go,
kustomize, kubeconform, k8s_schemas; optional: etcd, kube_apiserver, dapr_control_plane,
ghz, vegeta, images), each with its `PART` (ready check and install step);
`driver` holds the table, the progress output and the command line; `shared`
the helpers (logged commands, Go modules, Maven jars).

The functions below are where the launcher, the tests and the bench find the
installed programs.
"""

from __future__ import annotations

from devmesh.bootstrap import (
    buf,
    dapr_control_plane,
    daprd,
    etcd,
    ferretdb,
    ghz,
    graphiql,
    k8s_schemas,
    kafka,
    kube_apiserver,
    kubeconform,
    kustomize,
    mailpit,
    oidc,
    prometheus,
    protoc_gen_go,
    python_env,
    sentry,
    tilt,
    vegeta,
    zipkin,
)

buf_bin = buf.binary
daprd_bin = daprd.binary
ferretdb_bin = ferretdb.binary
mailpit_bin = mailpit.binary
prometheus_bin = prometheus.binary
sentry_bin = sentry.binary
tilt_bin = tilt.binary
ghz_bin = ghz.binary
vegeta_bin = vegeta.binary
kafka_libs = kafka.libs
oidc_libs = oidc.libs
graphiql_dir = graphiql.assets_dir
zipkin_jar = zipkin.jar
protoc_gen_go_bin = protoc_gen_go.messages_binary
protoc_gen_go_grpc_bin = protoc_gen_go.grpc_binary
uv_bin = python_env.uv_binary
kustomize_bin = kustomize.binary
kubeconform_bin = kubeconform.binary
k8s_schemas_dir = k8s_schemas.folder
etcd_bin = etcd.binary
kube_bin = kube_apiserver.binary
dapr_control_plane_bin = dapr_control_plane.binary

__all__ = [
    "buf_bin",
    "dapr_control_plane_bin",
    "daprd_bin",
    "etcd_bin",
    "ferretdb_bin",
    "ghz_bin",
    "graphiql_dir",
    "k8s_schemas_dir",
    "kafka_libs",
    "kube_bin",
    "kubeconform_bin",
    "kustomize_bin",
    "mailpit_bin",
    "oidc_libs",
    "prometheus_bin",
    "protoc_gen_go_bin",
    "protoc_gen_go_grpc_bin",
    "sentry_bin",
    "tilt_bin",
    "uv_bin",
    "vegeta_bin",
    "zipkin_jar",
]
