#!/usr/bin/env bash
# Runs every test of the project: Rust unit and integration tests, the
# scripts' Python tests (with the mutation test of the fidelity gate), the
# checks of the shipped corpus against sources/ (fidelity, shape, untagged
# targets) and the browser tests (headless Debian Chromium driven by
# playwright-core). Installs what the tests need first; needs nothing beside
# the checkout. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Installing test dependencies =="
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)

echo "== Rust tests (unit + integration) =="
cargo build --release --locked
cargo test --release --locked

echo "== Fuzz targets still compile (running them: README, Fuzzing) =="
cargo check --manifest-path fuzz/Cargo.toml --locked --target-dir target/fuzz-check

echo "== Python tests (scripts/, with the fidelity gate's mutation test) =="
python3 -m unittest discover -s scripts -p 'test_*.py'

echo "== The shipped corpus: every word against sources/, its shape, its untagged targets =="
python3 scripts/fidelity.py --check
python3 scripts/corpus_check.py
python3 scripts/untagged_targets.py --check

echo "== Browser tests (tests/browser, headless Chromium) =="
(cd tests/browser && npm test)
