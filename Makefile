# AcmeLearn — everything a developer runs. `make run` and `make test` set up
# whatever is missing first (see .ci/install-tools.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(CURDIR)
# npm's binaryen provides wasm-opt (Debian's breaks the WASM); cargo-installed
# tools live in ~/.cargo/bin.
export PATH := $(ROOT)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
DEV_CLUSTER := $(ROOT)/.data/postgres
DEV_PORT := 5433

# With DATABASE_URL set, that database is used and no cluster is started.
define with_database
	if [ -z "$${DATABASE_URL:-}" ]; then eval "$$(.ci/postgres.sh start $(DEV_CLUSTER) $(DEV_PORT) acmelearn)"; export DATABASE_URL; fi;
endef

.PHONY: run dev test install stop-db lint help bench-profile bench-catalog bench-recommendations bench-analytics bench-frontend bench-offline eval-recommendations cluster cluster-stop bench-cluster

help:
	@echo "make run      build the release app and serve it on http://127.0.0.1:3000"
	@echo "make dev      serve a debug build that rebuilds and reloads on change"
	@echo "make test     run every test (Rust, PostgreSQL, Playwright in Chromium)"
	@echo "make lint     clippy with warnings as errors"
	@echo "make stop-db  stop the project-local PostgreSQL cluster"
	@echo "make bench-profile  profile saves/s and latency at 64 learners (prints figures)"
	@echo "make bench-catalog  /courses search req/s and p50/p99, shipped and 100k courses"
	@echo "make bench-recommendations  built-in ranker p50/p99 per request, shipped and 100k courses"
	@echo "make bench-analytics  admin dashboard panel times at 1,000,000 demo learners"
	@echo "make bench-offline  Save the catalog for offline: file size, save time, offline search, shipped and 100k courses"
	@echo "make bench-frontend  first visit to /courses: brotli bytes per asset; Lighthouse on five pages"
	@echo "make cluster  primary + streaming replica PostgreSQL, two servers, HAProxy, Prometheus (see README)"
	@echo "make cluster-stop  stop everything make cluster started"
	@echo "make bench-cluster  64 learners through HAProxy for 60 s, then faults; prints a table (BENCH_SECONDS=10 for a quick try)"
	@echo "make eval-recommendations  built-in ranker quality on the labelled personas (nDCG@5, precision@3)"

install:
	@.ci/install-tools.sh

run: install
	@$(with_database) \
	cargo leptos build --release --precompress; \
	node frontend/pwa/build.mjs target/site; \
	echo; echo "AcmeLearn: http://127.0.0.1:3000  (Ctrl-C stops the server; make stop-db stops PostgreSQL)"; echo; \
	LEPTOS_SITE_ROOT="$(ROOT)/target/site" exec "$(TARGET_DIR)/release/server" serve

dev: install
	@$(with_database) \
	cargo leptos watch

test: install
	@.ci/test.sh

lint:
	cargo clippy --locked -p app -p server --features app/ssr --all-targets -- -D warnings
	cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

stop-db:
	@.ci/postgres.sh stop $(DEV_CLUSTER)

bench-profile: install
	@.ci/bench-profile.sh

bench-catalog: install
	@.ci/bench-catalog.sh

bench-recommendations: install
	@.ci/bench-recommendations.sh

bench-analytics: install
	@.ci/bench-analytics.sh

bench-frontend: install
	@.ci/bench-frontend.sh

bench-offline: install
	@.ci/bench-offline.sh

eval-recommendations: install
	@.ci/eval-recommendations.sh

# A production-shaped deployment on this machine (.ci/cluster.sh). With
# CLUSTER_SERVER_BIN set, that server binary is run instead of building one.
cluster:
	@.ci/install-tools.sh cluster
	@if [ -z "$${CLUSTER_SERVER_BIN:-}" ]; then \
		cargo leptos build --release --precompress && node frontend/pwa/build.mjs target/site; \
	fi
	@.ci/cluster.sh start

cluster-stop:
	@.ci/cluster.sh stop

bench-cluster:
	@.ci/install-tools.sh cluster
	@.ci/bench-cluster.sh
