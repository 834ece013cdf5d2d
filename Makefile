PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve-demo test bench lint clean chromium postgresql

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo starts where a planner starts: the exports a BKPSDM already has
# (scenarios/impor_siasn/exports), imported into a scenario and solved; then the
# committed demo round with the full committee packet.
SIASN := scenarios/impor_siasn/exports
demo: $(STAMP)
	$(BIN)/penata import siasn --pegawai $(SIASN)/pegawai.xlsx \
	  --peta-jabatan $(SIASN)/peta_jabatan.xlsx --kinerja $(SIASN)/kinerja.csv \
	  --talenta $(SIASN)/talenta.csv --hukdis $(SIASN)/hukdis.csv \
	  --kompetensi $(SIASN)/kompetensi.xlsx --standar-kompetensi $(SIASN)/standar_kompetensi.csv \
	  --kamus-pendidikan $(SIASN)/kamus_pendidikan.csv --as-of 2027-01-02 \
	  --out out/demo-import --name "Rotasi Kota Binjai 2027 (demo, impor SIASN)"
	$(BIN)/penata solve out/demo-import/scenario.yaml --out out/demo-import/plans --plans 1 \
	  --shortlist-time 0 --no-packet
	$(BIN)/penata solve scenarios/demo/scenario.yaml --out out/demo --plans 3
	@echo
	@echo "Workspace in the browser (ruang kerja) with this round loaded: make serve-demo"
	@echo "then open http://127.0.0.1:8000/ and sign in with a token it prints."

# The workspace on a fresh store (out/serve-demo) with the demo round loaded; prints
# the address and one token per role, then serves until Ctrl+C.
serve-demo: $(STAMP)
	$(BIN)/python -m api.demo --port $${PORT:-8000}

# review.html is rendered in headless Chromium by the tests; install Debian's package
# when we can (root, apt), otherwise those tests say why they skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
	  [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq >/dev/null 2>&1 && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) || \
	  echo "chromium could not be installed; the review.html rendering tests will skip"

# The API tests also run on a real PostgreSQL server (tests/api/pg_server.py starts
# Debian's binaries in a temporary directory); install the package when we can,
# otherwise the PostgreSQL runs say why they skip.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  ! command -v apt-get >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq >/dev/null 2>&1 && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1) || \
	  echo "postgresql could not be installed; the API tests on PostgreSQL will skip"

test: $(STAMP) chromium postgresql
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.whatif

lint: $(STAMP)
	$(BIN)/ruff check solver api benchmarks tests
	$(BIN)/mypy solver api

clean:
	rm -rf $(VENV) out
