#!/usr/bin/env bash
# The footprint benchmark (issue budgets: memory, start-up, size, flash wear). It lives with the other benchmark
# scripts in device-sim/bench/, which share their helpers and the device-sim load generator; see its header there.
exec "$(dirname "${BASH_SOURCE[0]}")/../device-sim/bench/footprint.sh" "$@"
