# The shop mesh. Two commands matter: `make up` runs it, `make test` tests it.
# Both install whatever is missing first (cached under ~/.cache/daprshop).

PROFILE ?= full
PY      := .venv/bin/python
CACHE   ?= $(HOME)/.cache/daprshop
TILT    := $(CACHE)/bin/tilt-$(shell python3 -c 'from devmesh import pins; print(pins.TILT)')
PYTEST  := $(PY) -m pytest
UV      := $(CACHE)/tools/uv-$(shell python3 -c 'from devmesh import pins; print(pins.UV)')/bin/uv

export PROFILE

.PHONY: bootstrap up run down status test test-unit test-integration test-lite \
        test-tilt test-security test-faults test-prod-local lint lint-tools protos schema seed dlq \
        bench clean-data

bootstrap:              ## install everything that is missing (cached)
	python3 -m devmesh.bootstrap

up: bootstrap           ## run the mesh under Tilt (Ctrl-C or `make down` stops it)
	$(TILT) up --port 10350 -- --profile $(PROFILE)

run: bootstrap          ## run the mesh without Tilt, in the foreground
	$(PY) -m devmesh up

down:                   ## stop everything `make up`/`make run` started
	-pkill -TERM -f "$(notdir $(TILT)) up" ; sleep 2
	$(PY) -m devmesh down

status:
	$(PY) -m devmesh status

test: bootstrap         ## every tier (lint, unit, full, faults, lite, prod-local, tilt), then a table of their times
	$(PY) -m devmesh.tiers

test-unit: bootstrap
	$(PYTEST) tests/unit

test-prod-local: bootstrap ## the contract suite (integration + e2e) on prod-local
	TEST_PROFILE=prod-local $(PYTEST) tests/integration tests/e2e -m "not tilt"

test-security: bootstrap ## the zero-trust proofs alone (full profile)
	$(PYTEST) tests/security

test-faults: bootstrap  ## the fault tier alone: one fault per test, verdict lines
	$(PYTEST) tests/faults -m faults -s

lint: lint-tools        ## ruff, mypy --strict, stale stubs, event topics, buf lint + breaking
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy gateway services common devmesh $(wildcard protos/*.py)
	$(PY) -m protos.generate --check
	$(PY) -m protos.contracts
	cd protos/gen/go && go build ./...
	cd tests/polyglot && test -z "$$(gofmt -l .)" && go vet ./...

lint-tools:             ## what lint needs: the venv, buf, the Go stub generators
	python3 -m devmesh.bootstrap --only python,buf,protoc-gen-go

.PHONY: audit
AUDIT_ALLOW := audit-allowlist.txt
AUDIT_REQS  := $(CACHE)/audit/requirements.txt

# The exported requirements are pinned and hashed, so pip-audit needs no pip.
# Fails closed: --strict makes a package pip-audit cannot look up (advisory
# data unreachable, say) an error instead of a silent skip. Advisories come
# from PyPI's JSON API per version (pypi.org/pypi/NAME/VERSION/json).
audit:                  ## known vulnerabilities in uv.lock (PyPI advisories; allow-list: audit-allowlist.txt)
	@awk '/^[[:space:]]*(#|$$)/ {next} NF < 2 {print FILENAME ": " $$1 " has no reason"; bad = 1} END {exit bad}' $(AUDIT_ALLOW)
	@mkdir -p $(dir $(AUDIT_REQS))
	$(UV) export --frozen --all-groups --no-emit-project --format requirements.txt --quiet -o $(AUDIT_REQS)
	$(PY) -m pip_audit --requirement $(AUDIT_REQS) --disable-pip --strict \
	    --vulnerability-service pypi --progress-spinner off \
	    $$(awk '/^[[:space:]]*(#|$$)/ {next} {printf "--ignore-vuln %s ", $$1}' $(AUDIT_ALLOW))

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
