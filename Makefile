# The shop mesh. Two commands matter: `make up` runs it, `make test` tests it.
# Both install whatever is missing first (cached under ~/.cache/daprshop).

PROFILE ?= full
PY      := .venv/bin/python
CACHE   ?= $(HOME)/.cache/daprshop
TILT    := $(CACHE)/bin/tilt-$(shell python3 -c 'from devmesh import pins; print(pins.TILT)')
PYTEST  := $(PY) -m pytest

export PROFILE

.PHONY: bootstrap up run down status test test-unit test-integration test-lite \
        test-tilt test-security test-faults lint protos schema seed dlq bench \
        clean-data

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

test: bootstrap         ## every tier: unit, integration + e2e + security (full), faults, lite, tilt ci
	$(PYTEST) tests/unit
	$(PYTEST) tests/integration tests/e2e tests/security -m "not tilt"
	$(PYTEST) tests/faults -m faults -s
	TEST_PROFILE=lite $(PYTEST) tests/integration tests/security -m lite
	$(PYTEST) tests/e2e -m tilt

test-unit: bootstrap
	$(PYTEST) tests/unit

test-security: bootstrap ## the zero-trust proofs alone (full profile)
	$(PYTEST) tests/security

test-faults: bootstrap  ## the fault tier alone: one fault per test, verdict lines
	$(PYTEST) tests/faults -m faults -s

lint:
	$(PY) -m ruff check .
	$(PY) -m protos.generate --check

protos:                 ## regenerate the Python stubs beside the .proto files
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
