#!/usr/bin/env bash
# Runs every test of the project: Rust unit and integration tests, the Q&A
# book converter's tests and the content fidelity check. Installs what the
# tests need first. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust tests (unit + integration) =="
cargo test --release --locked

echo "== Python tests (scripts/) =="
python3 -m unittest discover -s scripts -p 'test_*.py'


echo "== Content fidelity (share of each source's words found in order) =="
python3 scripts/fidelity.py --check
