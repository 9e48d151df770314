# Vínculo — `make run` to try it, `make test` to check it, `make bench` to measure it.
SHELL := /bin/bash
VENV ?= .venv
PORT ?= 8000
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench lint venv install messages clean

$(VENV)/bin/python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "Using $$py"; \
	"$$py" -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $@

venv install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	$(VENV)/bin/vinculo migrate --noinput -v 0
	$(VENV)/bin/vinculo collectstatic --noinput -v 0
	$(VENV)/bin/vinculo setup
	$(VENV)/bin/vinculo serve --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/python -m pytest
	@if [ -n "$$VINCULO_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$VINCULO_TEST_DATABASE_URL"; \
		DATABASE_URL="$$VINCULO_TEST_DATABASE_URL" $(VENV)/bin/python -m pytest; \
	fi

bench: $(STAMP)
	$(VENV)/bin/python -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

messages: $(STAMP)
	cd src/vinculo && ../../$(VENV)/bin/vinculo makemessages -l es --no-obsolete && \
		../../$(VENV)/bin/vinculo compilemessages -l es

clean:
	rm -rf $(VENV) var build *.egg-info
