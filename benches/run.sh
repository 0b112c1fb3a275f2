#!/usr/bin/env bash
# Every presswork benchmark in one go, printing its tables (release builds, this machine).
#   bash benches/run.sh                 # claims, race, creation, appliance, WebSocket, 1M tasks
#   TASKS=10000000 bash benches/run.sh  # the same with the stats and list at 10M tasks
# The seeded database is kept in $BENCH_DIR (default target/bench-data/<tasks>) and reused by
# later runs; delete it to reseed. Figures and how to read them: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TASKS="${TASKS:-1000000}"
BENCH_DIR="${BENCH_DIR:-target/bench-data/$TASKS}"

echo "# presswork benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## HTTP: claims, the claim race, work-order creation; the appliance (size, start, memory)"
cargo bench --bench claims --bench appliance

echo "## WebSocket fan-out"
cargo build --release --bin presswork --example ws_bench
if [ "$(ulimit -n)" -lt 4096 ]; then ulimit -n 4096 2>/dev/null || true; fi
./target/release/examples/ws_bench --clients "${WS_CLIENTS:-1000}" --rate 20 --seconds 30

echo "## Task list and workload statistics at $TASKS tasks"
cargo build --release --bin presswork-bench
./target/release/presswork-bench seed --tasks "$TASKS" --dir "$BENCH_DIR"
./target/release/presswork-bench stats --dir "$BENCH_DIR"
./target/release/presswork-bench list --dir "$BENCH_DIR"
