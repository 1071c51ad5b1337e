#!/usr/bin/env bash
# Power-cut soak: N cycles of starting the packaged daemon, devices publishing at QoS 1 and 2 (ids unique per
# message) with the cloud link randomly up or down, and ending the cycle by SIGKILL -- in powercut mode also the loss
# of every write the daemon had not fsync'd (its data directory on the test kit's lossy FUSE filesystem; a third of
# the cuts tear unsynced pages instead of undoing them). At the end the link is up, the daemon drains, and one line
# reconciles what devices were acknowledged for against what the cloud (Mosquitto) received:
#
#   RECONCILED mode=powercut cycles=100 seconds=... acknowledged=... arrived=... lost=0 duplicates=... moved-aside=0
#
# Exit code 0 only when nothing acknowledged was lost and no database was moved aside as corrupt.
#
# Usage: device-sim/bench/powercut-soak.sh [--cycles 100] [--mode powercut|kill] [--devices 4] [--seed N]
#            [--max-seconds 3] [--synchronous full|normal]
#   An overnight run: device-sim/bench/powercut-soak.sh --cycles 10000   (size it from a short run's progress lines)
#   --synchronous normal shows what the harness catches (acknowledged messages lost). Ctrl-C (SIGINT to the Python
#   driver) ends the cycling early; the drain and the reconciliation line still follow.
# Needs: root, /dev/fuse, fuse3, python3-fusepy and python3-paho-mqtt (for /usr/bin/python3), mosquitto, and the
# packaged jar (mvn -B -pl packaging -am package -DskipTests). Environment: CLOUD_PORT (18871), WORK (a temp dir),
# OUTPOST_JAR, JAVA.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n '2,19p' "$0"; exit 0; }
CLOUD_PORT="${CLOUD_PORT:-18871}"
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
command -v mosquitto >/dev/null || die "mosquitto is required (apt-get install -y mosquitto)"
/usr/bin/python3 -c 'import fusepy, paho.mqtt.client' 2>/dev/null \
  || die "python3-fusepy and python3-paho-mqtt are required for /usr/bin/python3 (apt-get install -y fuse3 python3-fusepy python3-paho-mqtt)"
require_free_port "$CLOUD_PORT" "the stand-in cloud (Mosquitto)"

WORK="${WORK:-$(mktemp -d -t outpost-soak-XXXXXX)}"
mkdir -p "$WORK"
RESULTS="$WORK"
cat > "$WORK/mosquitto.conf" <<CONF
listener $CLOUD_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
CONF
trap bench_cleanup EXIT
bench_bg "$WORK/mosquitto.log" mosquitto -c "$WORK/mosquitto.conf"
wait_for_port "$CLOUD_PORT" "mosquitto"

bench_cmd /usr/bin/python3 "$BENCH_DIR/powercut-soak.py" --cloud-port "$CLOUD_PORT" --work "$WORK" \
  --jar "$OUTPOST_JAR" --java "$JAVA" \
  --lossyfs "$REPO_ROOT/device-sim/testkit/src/main/resources/io/outpost/testkit/lossyfs.py" "$@"
