# TOP dossier. The two commands a newcomer needs:
#   make run    everything on http://127.0.0.1:8080 with demo data
#   make test   vet, generated-code check and every test against real services
# Tools (Temporal CLI, sqlc, staticcheck) are built from the Go module proxy into bin/,
# pinned in their own module files under tools/.

BIN      := bin
TEMPORAL := $(BIN)/temporal
SQLC     := $(BIN)/sqlc
STATICCHECK := $(BIN)/staticcheck
export TEMPORAL_BIN := $(abspath $(TEMPORAL))

.PHONY: run test build vet generate check-generated temporal sqlc staticcheck bench clean

run: build $(TEMPORAL)
	@scripts/dev-run $(BIN)/topdossier

build:
	go build -o $(BIN)/topdossier ./cmd/topdossier

temporal: $(TEMPORAL)
$(TEMPORAL): tools/temporal.mod tools/temporal.sum
	go build -modfile=tools/temporal.mod -o $@ github.com/temporalio/cli/cmd/temporal

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

vet: $(STATICCHECK)
	go vet ./...
	$(STATICCHECK) ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change these files"; exit 1; }

# One package at a time: several start their own Temporal server, and the
# worker's 1,000-timer test would starve the others' timing.
test: vet check-generated $(TEMPORAL)
	go test -count=1 -p 1 -timeout 45m ./...

bench: $(TEMPORAL)
	go test -run '^$$' -bench . -benchtime 1x ./...

clean:
	rm -rf $(BIN)
