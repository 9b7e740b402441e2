#!/usr/bin/env bash
# Runs every test of ampsync, as CI does: installs what the tests need, then the Rust
# test suites of the workspace (unit tests, the `it` integration binary, the emulator's
# contract test), the generated services (Node + PostgreSQL) and the container (podman).
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export INSTA_UPDATE=no
cargo test --workspace --locked "$@"
scripts/e2e-generated.sh

# The container action, built and run with podman as the GitHub runner runs it.
scripts/container-test.sh
