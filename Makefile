# DriverDesk: `make run` and `make test` do all the set-up on a fresh Debian machine with Swift.
SWIFT ?= swift
DEMO_DB ?= $(CURDIR)/demo.sqlite
PORT ?= 8080
BIN = .build/debug/driverdesk

.PHONY: run test build release packages test-packages bench clean

packages:
	@scripts/install-packages.sh run

test-packages:
	@scripts/install-packages.sh test

build: packages
	$(SWIFT) build --product driverdesk

# Builds, makes the demo workshop on first use, shows what needs doing now, and serves the front desk.
run: build
	@if [ ! -f "$(DEMO_DB)" ]; then $(BIN) demo --db "$(DEMO_DB)" --manager 店长; fi
	$(BIN) status --db "$(DEMO_DB)"
	@echo
	@echo "Command line: export DRIVERDESK_DB=$(DEMO_DB); $(BIN) --help"
	$(BIN) serve --db "$(DEMO_DB)" --host 127.0.0.1 --port $(PORT)

# Every test: first the preflight (each program the tests run does one tiny real job), then unit, store, use case,
# end-to-end (the built binary on temporary databases), web, browser and reliability; then the benchmark at small
# scale on its own (so it cannot rot), and 10 seconds of libFuzzer on each parser. The live-server edge tests run on
# their own after the rest: their in-process server needs the test process's few cooperative threads (two on two
# cores), which the many tests that wait for processes hold for minutes at a time (a run had them wait 15 s for an answer).
test: test-packages
	scripts/preflight.sh
	$(SWIFT) build --product driverdesk
	$(SWIFT) test --skip BenchSmokeTests --skip EdgeTests
	$(SWIFT) test --skip-build --filter EdgeTests
	scripts/bench-smoke.sh
	scripts/fuzz.sh 10

# The binary to install: optimised, with the Swift runtime and Foundation linked in (a command starts in 13 ms
# instead of 20: no dynamic loading of libFoundation and ICU). Then: install .build/release/driverdesk /usr/local/bin/
release: packages
	$(SWIFT) build -c release --static-swift-stdlib --product driverdesk

# Speed against the tools that set the limit (the release build); writes bench-results.json.
bench: test-packages
	$(SWIFT) build -c release --static-swift-stdlib --product driverdesk-bench
	$(SWIFT) build -c release --static-swift-stdlib --product driverdesk
	.build/release/driverdesk-bench --json bench-results.json

clean:
	rm -rf .build

# Issue 7, reliability at full size (long): 4 writers × 500 movements with the server and cron, 30 kill -9 trials of a
# 100,000-row import, 400 killed writes, every hostile input (command line and web), a 100 MB file, 1,000,000 parser inputs.
.PHONY: soak fuzz
soak: test-packages
	$(SWIFT) build --product driverdesk
	$(SWIFT) build --build-tests
	RELIABILITY_SOAK=1 $(SWIFT) test --skip-build --filter ReliabilityTests --skip BenchSmokeTests

# libFuzzer on the plate, ID number, time, CSV and violation-file parsers (scripts/fuzz.sh builds them with sanitizers
# in .build/fuzz); a crash is saved under Tests/ReliabilityTests/Fuzz/ as a regression input and fails the run.
FUZZ_SECONDS ?= 300
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)
