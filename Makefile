# The project's commands. `make test` (what CI runs) and `make demo` need only python3 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate check lint typecheck drift pytest test demo bench mutate fuzz soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(PY) -m codegen

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

drift: $(STAMP)
	$(PY) -m codegen --check

# One worker per core: most tests wait on sockets and timers, so two workers on 2 cores halve
# the run (`-n 0` for one process, e.g. `make pytest XDIST=0`).
XDIST ?= auto
pytest: $(STAMP)
	$(PY) -m pytest -q -n $(XDIST)

check: lint typecheck drift pytest

test: check

demo: $(STAMP)
	$(VENV)/bin/slackrtm demo

bench: $(STAMP)
	$(PY) -m bench
	@# Below its target on a loaded machine it exits 1; the comparison above still stands.
	-$(PY) bench/emulator_throughput.py

# A long fuzzing campaign: the property tests marked `fuzz`, with many examples each.
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	SLACKRTM_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -m fuzz -p no:cacheprovider

# The fault soak: both RTM sessions for SOAK_SECONDS under random faults; exits 1 if anything
# was lost, untyped, posted twice or leaked. SOAK_SEED repeats a run's fault plan. SOAK_OUTAGES=1
# adds outages with replay on, and checks every message of the channel arrived once. Then the
# Socket Mode soak: two apps under handovers and faults, each pushed message handled once.
SOAK_SECONDS ?= 60
SOAK_SEED ?=
SOAK_OUTAGES ?=
soak: $(STAMP)
	$(PY) -m tests.reliability.soak --duration $(SOAK_SECONDS) $(if $(SOAK_SEED),--seed $(SOAK_SEED)) $(if $(SOAK_OUTAGES),--outages --json bench/soak_outages.json,--json bench/soak.json)
	$(PY) -m tests.reliability.soak_socket --duration $(SOAK_SECONDS) $(if $(SOAK_SEED),--seed $(SOAK_SEED)) --json bench/soak_socket.json

# Mutation testing of one module (one file a run: the tool rewrites that file only), e.g.
# `make mutate MODULE=slackrtm/_web/retry.py TESTS="tests/web/test_retry.py tests/clients"`.
MODULE ?= slackrtm/_web/finish.py
TESTS ?= tests/web tests/test_aio_caller.py tests/clients
mutate: $(STAMP)
	$(PY) -m tests.tools.mutate $(MODULE) --tests $(TESTS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
