# The two front-door commands: `make run` and `make test`. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-sqlite test-postgres soak figures bench migrate seed install install-dev \
        chromium lint format cookie-key clean-demo

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) -m services.ops.admin migrate

seed: migrate
	$(PY) -m services.ops.admin seed-demo

run: seed
	@$(PY) -m services.ops.admin demo-sign-ins
	@echo "Serving on http://localhost:$(PORT)"
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: install-dev
	$(VENV)/bin/ruff check .

format: install-dev
	$(VENV)/bin/ruff format .

# Two pytest-xdist workers for the tests without a browser (CPU-bound); the browser tests one
# at a time, so a real server and Chromium are not starved on a 2-core machine.
test-sqlite: install-dev chromium
	$(PY) -m pytest -q -n 2 -m "not browser"
	$(PY) -m pytest -q -m browser

test-postgres: install-dev chromium
	scripts/with_postgres.sh $(PY) -m pytest -q -n 2 -m db

test: lint test-sqlite test-postgres

# `make soak` (SOAK=5): the browser suite SOAK times in a row, never retried, stopping at the
# first failing round; prints "soak: k/N passed" after each round. For catching a flaky wait.
SOAK ?= 5
soak: install-dev chromium
	@for k in $$(seq 1 $(SOAK)); do \
		$(PY) -m pytest -q -x -m browser || { echo "soak: $$((k - 1))/$(SOAK) passed, round $$k failed"; exit 1; }; \
		echo "soak: $$k/$(SOAK) passed"; \
	done

figures: install-dev
	$(PY) scripts/figures.py

# Page benchmarks at 1,000 and 10,000 participants (scripts/bench.py). `make figures` runs them
# too (fewer reruns, via tests/checks_scale.py); LEAD_FIGURES_SKIP_BENCH=1 leaves them out.
bench: install-dev
	$(PY) scripts/bench.py

cookie-key:
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(48))"

clean-demo:
	rm -f data/lead.db data/lead.db-wal data/lead.db-shm data/lead.db.audit-anchor \
		data/demo-cookie-key data/demo-audit-key
