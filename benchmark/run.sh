#!/usr/bin/env bash
# The tc-job-monitor benchmark: (a) the monitor's --once as a whole process, (b) a hand-written
# floor doing the same duties, (p) a plain Python script doing them too (benchmark/python, run by
# /usr/bin/python3 or --python=; skipped when there is none), (c) warm polls inside a running monitor, start-up (the launcher with
# the build's class archive, and plain java -jar), the idle daemon, the 500,000-failure backfill (big) and
# 1 and 100 monitors in one daemon polling every 10 s (fleet). The launcher runs with its default JVM
# options and, taking turns with it, with each of --variants (by default the JVM's own defaults back).
#
#   benchmark/run.sh                      # defaults: N=100000, page size 10000, 5 runs, 60 s idle, big and fleet
#   benchmark/run.sh --phases=big,fleet --runs=3 --monitors=100   # issue #15's footprint cases only
#   benchmark/run.sh --n=20000 --runs=3 --idle-seconds=10
#   benchmark/run.sh --phases=kafka --runs=3    # the Kafka sink's throughput (local KRaft broker)
#   BENCH_N=20000 BENCH_IDLE_SECONDS=10 benchmark/run.sh
#   benchmark/run.sh --help
#
# Builds the product as README does (../pom.xml: target/tc-job-monitor.jar, lib/, the launcher and
# its class archive), installs it for the harness's own build (benchmark/pom.xml, into
# benchmark/target/), then runs the harness; results go to target/benchmark-run/ (override with
# --out=): stdout, and results.md, runs.csv (and a JFR profile when (a)/(b) > 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)

if [ ! -x /usr/bin/time ]; then
  echo "benchmark: installing GNU time (Debian package 'time') for children's CPU time and peak RSS" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi

if [ "${BENCH_SKIP_BUILD:-}" != "true" ]; then
  mvn -B -q install -Dmaven.test.skip=true
  mvn -B -q -f benchmark/pom.xml package
fi
product="$project/target"
build="$project/benchmark/target"

# the floor runs with nothing but its own classes and jackson-core on its class path
rm -rf "$build/floor-classes"
mkdir -p "$build/floor-classes/dev/tcjobmonitor/benchmark"
cp "$build"/classes/dev/tcjobmonitor/benchmark/FloorMonitor*.class "$build/floor-classes/dev/tcjobmonitor/benchmark/"

out="$project/target/benchmark-run"
python=/usr/bin/python3
for arg in "$@"; do
  case "$arg" in
    --out=*) out="${arg#--out=}" ;;
    --python=*) python="${arg#--python=}" ;;
  esac
done
[ -n "${BENCH_OUT:-}" ] && [[ " $* " != *" --out="* ]] && out="$BENCH_OUT"
[ -n "${BENCH_PYTHON:-}" ] && [[ " $* " != *" --python="* ]] && python="$BENCH_PYTHON"

# (p) runs the script from the harness's build, as (b) runs its classes; first its own checks (the
# signer against the project's HMAC vectors, its JSON against Jackson's), so that a broken peer
# stops here rather than as 401s or a failed comparison
rm -rf "$build/python"
mkdir -p "$build/python"
cp benchmark/python/floor_monitor.py "$build/python/"
if [ -x "$python" ]; then
  if ! "$python" -I -B -m unittest discover -s benchmark/python -q 2>"$build/python/checks.txt"; then
    cat "$build/python/checks.txt" >&2
    echo "benchmark: the Python peer's checks (benchmark/python/test_floor_monitor.py) failed" >&2
    exit 1
  fi
fi
case "$out" in /*) ;; *) out="$project/$out" ;; esac
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run from an empty folder: the in-process monitor of (c) must not pick up this repository's
# application.properties or routes/ (it uses the shipped copies, as the jar does)
cd "$work"
java -Dbench.build="$build" -Dbench.product="$product" -cp "$build/classes:$build/lib/*" \
  dev.tcjobmonitor.benchmark.Benchmark "$@" --out="$out"
