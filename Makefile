# The shop mesh. Two commands matter: `make up` runs it, `make test` tests it.
# Both install whatever is missing first (cached under ~/.cache/daprshop).

PROFILE ?= full
PY      := .venv/bin/python
CACHE   ?= $(HOME)/.cache/daprshop
TILT    := $(CACHE)/bin/tilt-$(shell python3 -c 'from devmesh import pins; print(pins.TILT)')
PYTEST  := $(PY) -m pytest

export PROFILE

.PHONY: bootstrap up run down status metrics test test-unit test-integration test-lite \
        test-tilt test-security test-faults test-browser test-k8s test-prod-local k8s-render \
        images test-images \
        lint lint-tools protos schema seed dlq bench clean-data

bootstrap:              ## install everything that is missing (cached)
	python3 -m devmesh.bootstrap

up: bootstrap           ## run the mesh under Tilt (Ctrl-C or `make down` stops it)
	$(TILT) up --port 10350 -- --profile $(PROFILE)

run: bootstrap          ## run the mesh without Tilt, in the foreground
	$(PY) -m devmesh up

down:                   ## stop everything `make up`/`make run` started
	@# u[p]: the pattern must not match this recipe's own shell
	-pkill -TERM -f "$(notdir $(TILT)) u[p]" && sleep 2 || true
	$(PY) -m devmesh down

status:
	$(PY) -m devmesh status

metrics:                ## one screen of the running mesh's metrics (apps and sidecars)
	$(PY) -m devmesh metrics

test: bootstrap         ## every tier (lint, unit, k8s, k8s-api, images, full (+browser), faults, lite, prod-local, tilt)
	python3 -m devmesh.bootstrap --with $(K8S_API_PARTS),images
	$(PY) -m devmesh.tiers

test-unit: bootstrap
	$(PYTEST) tests/unit

test-prod-local: bootstrap ## the contract suite (integration + e2e) on prod-local
	TEST_PROFILE=prod-local $(PYTEST) tests/integration tests/e2e -m "not tilt"

test-security: bootstrap ## the zero-trust proofs alone (full profile)
	$(PYTEST) tests/security

test-faults: bootstrap  ## the fault tier alone: one fault per test, verdict lines
	$(PYTEST) tests/faults -m faults -s

test-browser: bootstrap ## the storefront journey in Chromium alone (full profile; screenshots in tests/browser/output)
	$(PYTEST) tests/browser

K8S_API_PARTS := etcd,kube-apiserver,dapr-control-plane

test-k8s: bootstrap      ## deploy/ on a real kube-apiserver + Dapr operator/injector/Sentry (builds them once)
	python3 -m devmesh.bootstrap --with $(K8S_API_PARTS)
	$(PYTEST) tests/k8s -m k8s_offline
	$(PY) -m tests.k8s.api.netns tests/k8s -m k8s_api

images: bootstrap       ## one OCI image per app + daprd (buildah; Debian tree from debootstrap, cached)
	python3 -m devmesh.bootstrap --with images
	$(PY) -m devmesh.images

test-images: images     ## run the product image beside a real daprd and call it through the sidecar
	$(PYTEST) tests/images

k8s-render:             ## regenerate deploy/'s generated files (Dapr resources, app workloads)
	$(PY) -m devmesh.k8s render

lint: lint-tools        ## ruff, mypy --strict, stale stubs, event topics, buf lint + breaking, audit
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy gateway services common devmesh $(wildcard protos/*.py)
	$(PY) -m protos.generate --check
	$(PY) -m protos.contracts
	cd protos/gen/go && go build ./...
	cd tests/polyglot && test -z "$$(gofmt -l .)" && go vet ./...
	$(PY) -m devmesh.audit

lint-tools:             ## what lint needs: the venv, buf, the Go stub generators
	python3 -m devmesh.bootstrap --only python,buf,protoc-gen-go

.PHONY: audit

# pip-audit over uv.lock, judged by devmesh/audit.py against audit-allowlist.txt:
# fails on an advisory not listed, and on a locked package that could not be
# audited (no advisory data reaches this machine) unless its name==version is
# acknowledged there with a reason. About 15 s.
audit:                  ## known vulnerabilities in uv.lock (allow-list: audit-allowlist.txt)
	$(PY) -m devmesh.audit

protos: lint-tools      ## regenerate the stubs (Python beside the .proto files, Go in protos/gen/go)
	$(PY) -m protos.generate

schema:                 ## export the GraphQL SDL to gateway/schema.graphql
	$(PY) -m gateway.graphql.export

seed:                   ## load demo products into a running mesh
	$(PY) -m devmesh.seed

dlq:                    ## dead letters: make dlq [ARGS="show ID" | ARGS="replay ID..."]
	$(PY) -m devmesh dlq $(or $(ARGS),list)

bench:                  ## measure the mesh (QUICK=1 for a smoke run)
	python3 -m devmesh.bootstrap --with ghz,vegeta
	$(PY) -m bench $(if $(QUICK),--quick,)

clean-data:             ## forget the local databases (keeps the installed parts)
	rm -rf $(CACHE)/run/$(PROFILE)
