# TOP dossier. The two commands a newcomer needs:
#   make run    everything on http://127.0.0.1:8080 with demo data
#   make test   vet, generated-code check and every test against real services
# Tools (Temporal CLI, sqlc, staticcheck) are built from the Go module proxy into bin/,
# pinned in their own module files under tools/.

BIN      := bin
TEMPORAL := $(BIN)/temporal
TEMPORAL_SERVER := $(BIN)/temporal-server
TEMPORAL_SQL := $(BIN)/temporal-sql-tool
SQLC     := $(BIN)/sqlc
STATICCHECK := $(BIN)/staticcheck
export TEMPORAL_BIN := $(abspath $(TEMPORAL))

.PHONY: run test build vet generate check-generated temporal sqlc staticcheck bench clean libxml2 fuzz drill cluster cluster-bin bench-cluster

# The EDEXML schema check uses libxml2 through cgo (package las/schema):
# its headers come from Debian's libxml2-dev, installed here when missing.
libxml2:
	@test -f /usr/include/libxml2/libxml/xmlschemas.h || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "libxml2-dev installeren (EDEXML-schemacontrole)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-dev >/dev/null; \
	  else echo "installeer libxml2-dev (Debian) of libxml2-devel: de EDEXML-schemacontrole gebruikt libxml2"; exit 1; fi; }

run: libxml2 build $(TEMPORAL)
	@scripts/dev-run $(BIN)/topdossier

build: libxml2
	go build -o $(BIN)/topdossier ./cmd/topdossier

temporal: $(TEMPORAL)
$(TEMPORAL): tools/temporal.mod tools/temporal.sum
	go build -modfile=tools/temporal.mod -o $@ github.com/temporalio/cli/cmd/temporal

# The Temporal server and its SQL tool for `make cluster`, from the same
# pinned module as the CLI (the server version the dev server embeds).
$(TEMPORAL_SERVER): tools/temporal.mod tools/temporal.sum
	go build -modfile=tools/temporal.mod -o $@ go.temporal.io/server/cmd/server
$(TEMPORAL_SQL): tools/temporal.mod tools/temporal.sum
	go build -modfile=tools/temporal.mod -o $@ go.temporal.io/server/cmd/tools/sql

# The production topology on this machine (internal/cluster): Temporal on
# PostgreSQL, two workers, two servers, a reverse proxy; CLUSTER_FLAGS e.g.
# "-fresh" or "-workers 1".
cluster-bin: build $(TEMPORAL) $(TEMPORAL_SERVER) $(TEMPORAL_SQL)
cluster: cluster-bin
	go run ./cmd/cluster $(CLUSTER_FLAGS)

staticcheck: $(STATICCHECK)
$(STATICCHECK): tools/staticcheck.mod tools/staticcheck.sum
	go build -modfile=tools/staticcheck.mod -o $@ honnef.co/go/tools/cmd/staticcheck

sqlc: $(SQLC)
$(SQLC): tools/sqlc.mod tools/sqlc.sum
	go build -modfile=tools/sqlc.mod -o $@ github.com/sqlc-dev/sqlc/cmd/sqlc

generate: $(SQLC)
	$(SQLC) generate

# sqlc diff exits non-zero when the committed code differs from what the
# queries and migrations generate.
check-generated: $(SQLC)
	@$(SQLC) diff || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }

vet: libxml2 $(STATICCHECK)
	go vet ./...
	$(STATICCHECK) ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change these files"; exit 1; }

# One package at a time: several start their own Temporal server, and the
# worker's 1,000-timer test would starve the others' timing.
test: vet check-generated cluster-bin fuzz
	go test -count=1 -p 1 -timeout 45m ./...

# A short fuzz of every decoder of outside input (issue 19, drill 13): the LAS parsers (EDEXML, LOVS CSV), the OSO reader, the way back
# after a login, the edge's checks of JSON and form bodies, the pupil form, uploads' type sniffing and file names, and logos. Seeds are in
# the targets and in each package's testdata/ (las, oso; testdata/fuzz keeps the inputs that once failed). Minimising a new input is
# skipped: on 5 kB exports it takes longer than the run. Each budget is a number of inputs (Nx), not a time: Go 1.26's
# fuzz coordinator can report its own -fuzztime deadline as a failure ("context deadline exceeded", no input written;
# golang/go#75804, fixed in Go 1.27). The counts are about the seconds the targets had before on this machine class.
fuzz: libxml2
	go test ./las -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 250000x -fuzzminimizetime 0
	go test ./las -run '^$$' -fuzz '^FuzzParseLOVS$$' -fuzztime 180000x -fuzzminimizetime 0
	go test ./oso -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 140000x -fuzzminimizetime 0
	go test ./server -run '^$$' -fuzz '^FuzzSafeBack$$' -fuzztime 5000x -fuzzminimizetime 0
	go test ./server -run '^$$' -fuzz '^FuzzJSONBody$$' -fuzztime 3000x -fuzzminimizetime 0
	go test ./server -run '^$$' -fuzz '^FuzzFormBody$$' -fuzztime 3000x -fuzzminimizetime 0
	go test ./service -run '^$$' -fuzz '^FuzzPupilInput$$' -fuzztime 10000x -fuzzminimizetime 0
	go test ./service -run '^$$' -fuzz '^FuzzSniffAttachment$$' -fuzztime 15000x -fuzzminimizetime 0
	go test ./service -run '^$$' -fuzz '^FuzzCleanFileName$$' -fuzztime 15000x -fuzzminimizetime 0
	go test ./documents -run '^$$' -fuzz '^FuzzCheckLogo$$' -fuzztime 40000x -fuzzminimizetime 0

# Load with faults (issue 19, drill 10): 50 staff and 200 guardians for 10 minutes against a private PostgreSQL
# cluster (port 55432, under .data/drill), the Temporal dev server and separate worker and server processes, with
# the worker, the server and Temporal SIGKILLed and PostgreSQL restarted once each; prints a table, exits 1 on a failed
# check. DRILL_FLAGS="-duration 2m -staff 10 -guardians 20" for a short one.
drill: libxml2 $(TEMPORAL)
	go run ./cmd/drill $(DRILL_FLAGS)

# The benchmarks against the production topology (internal/cluster), each
# in a run of its own, with its number of runs: P1 the HGW step against a
# bare update, P2 the dossier page at 20,000 pupils, P6 100,000 deletions
# in one night (and with a worker killed), the spring peak, scale-out.
# One of them: make bench-cluster BENCH=ClusterDossierPage; sizes through
# BENCH_PUPILS, BENCH_USERS… (see internal/cluster/scale_bench_test.go).
BENCH ?=
BENCHTIME ?=
CLUSTER_BENCHES = ClusterAdvance:200x ClusterDossierPage:1x ClusterRetentionNight:1x \
	ClusterRetentionNightWorkerKilled:1x ClusterSpringPeak:1x ClusterScaleOut:1x
bench-cluster: cluster-bin
	@set -e; for b in $(CLUSTER_BENCHES); do name=$${b%%:*}; t=$${b##*:}; \
	  if [ -n "$(BENCH)" ] && [ "$$name" != "$(BENCH)" ]; then continue; fi; \
	  if [ -n "$(BENCHTIME)" ]; then t=$(BENCHTIME); fi; \
	  echo "go test ./internal/cluster -bench '^Benchmark$$name\$$' -benchtime $$t"; \
	  go test ./internal/cluster -run '^$$' -bench "^Benchmark$$name\$$" -benchtime $$t -timeout 180m; done

bench: build $(TEMPORAL)
	go test -run '^$$' -bench . -benchtime 1x $$(go list ./... | grep -v /internal/cluster)

clean:
	rm -rf $(BIN)
