#!/usr/bin/env bash
# Edit -> redeployed in `outpost functions dev` watch mode, for a small Java function project.
#
# Starts the daemon (java -jar packaging/target/outpost.jar run) on loopback, writes a small Maven
# function project (a handler, its descriptor and one JUnit test, built offline against the function
# API in the local Maven repository) unless --project names one, and runs
# `outpost functions dev PROJECT` against the daemon. After the first deploy it edits the handler and
# the descriptor's version ITERATIONS times and measures, each time, from the edit to the moment the
# dev command printed "deployed NAME VERSION" for the new version (which it prints once the daemon
# answered the deploy), then checks the daemon reports that version. The time includes the debounce
# (300 ms), the project's own build and the deploy. Which build runs (--mode):
#   warm             the default of `outpost functions dev`: the installed Maven kept warm in one build
#                    JVM; the jar is packaged (tests compiled, not run), deployed, then the tests run
#   warm-tests-first the warm build with --tests-first: mvn package with its tests, then the deploy
#   cold             --build "mvn -q -o package": a new Maven per save (the dev command before the warm
#                    build)
# Prints the dev command's "build:" line, one line per edit and the median; raw log under
# device-sim/bench/results/dev-loop-<stamp>/.
#
# Usage: device-sim/bench/function-dev-loop.sh [--iterations 5] [--project DIR] [--mode warm|warm-tests-first|cold]
# Environment: OUTPOST_JAR, JAVA, ADMIN_PORT (18181), MQTT_PORT (18883), API_VERSION (the function
#   API version in ~/.m2, default the checkout's).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ITERATIONS=5
PROJECT=""
MODE=warm
while [[ $# -gt 0 ]]; do
  case "$1" in
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --project) PROJECT="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
case "$MODE" in
  warm) DEV_OPTIONS=() ;;
  warm-tests-first) DEV_OPTIONS=(--tests-first) ;;
  cold) DEV_OPTIONS=(--build "mvn -q -o package") ;;
  *) die "unknown --mode $MODE (warm, warm-tests-first or cold)" ;;
esac
ADMIN_PORT="${ADMIN_PORT:-18181}"
MQTT_PORT="${MQTT_PORT:-18883}"
API_VERSION="${API_VERSION:-$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$REPO_ROOT/pom.xml" | head -1)}"
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
command -v mvn >/dev/null || die "mvn is required"
require_free_port "$ADMIN_PORT" "the admin API"
require_free_port "$MQTT_PORT" "the broker"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/dev-loop-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"

CONFIG="$RESULTS/outpost.yaml"
cat > "$CONFIG" <<YAML
broker: {listeners: [{host: 127.0.0.1, port: $MQTT_PORT}]}
storage: {dir: $RESULTS/data}
admin: {listen: "127.0.0.1:$ADMIN_PORT"}
YAML

if [[ -z "$PROJECT" ]]; then
  PROJECT="$RESULTS/project"
  mkdir -p "$PROJECT/src/main/java/bench" "$PROJECT/src/main/resources" "$PROJECT/src/test/java/bench"
  cat > "$PROJECT/pom.xml" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId>
  <artifactId>dev-loop</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>io.outpost</groupId>
      <artifactId>outpost-function-api</artifactId>
      <version>$API_VERSION</version>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.13.4</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <finalName>dev-loop</finalName>
    <!-- the project's plugin versions, so the offline build finds them in the local repository -->
    <plugins>
      <plugin>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
      <plugin>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.5.3</version>
      </plugin>
      <plugin>
        <artifactId>maven-jar-plugin</artifactId>
        <version>3.4.2</version>
      </plugin>
    </plugins>
  </build>
</project>
XML
  cat > "$PROJECT/src/main/resources/outpost-function.yaml" <<YAML
name: dev-loop
version: 1.0.0
runtime: java
handler: bench.Greeter
triggers: ["bench/in"]
YAML
  cat > "$PROJECT/src/main/java/bench/Greeter.java" <<'JAVA'
package bench;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

public class Greeter implements Handler {
  static final String GREETING = "hello 0";

  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of(Publication.text("bench/out", GREETING));
  }
}
JAVA
  cat > "$PROJECT/src/test/java/bench/GreeterTest.java" <<'JAVA'
package bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GreeterTest {
  @Test
  void greets() {
    assertTrue(Greeter.GREETING.startsWith("hello"));
  }
}
JAVA
fi
DESCRIPTOR="$(find "$PROJECT" -name outpost-function.yaml -not -path '*/target/*' | head -1)"
HANDLER="$(grep -rl 'implements Handler' "$PROJECT/src/main/java" | head -1)"
NAME="$(sed -n 's/^name: *//p' "$DESCRIPTOR")"

bench_bg "$RESULTS/daemon.log" "$JAVA" -jar "$OUTPOST_JAR" run --config "$CONFIG"
DAEMON_PID=$BENCH_LAST_PID
wait_for_port "$ADMIN_PORT" "the daemon's admin API"
wait_for_file "$RESULTS/data/admin.token" "the admin token"

DEV_LOG="$RESULTS/dev.log"
bench_bg "$DEV_LOG" "$JAVA" -jar "$OUTPOST_JAR" functions dev "$PROJECT" --no-logs --config "$CONFIG" \
  ${DEV_OPTIONS[@]+"${DEV_OPTIONS[@]}"}
DEV_PID=$BENCH_LAST_PID

# wait_deployed VERSION TIMEOUT_S -> the dev command's "deployed NAME VERSION ..." line
wait_deployed() {
  local version="$1" deadline=$((SECONDS + $2))
  while (( SECONDS < deadline )); do
    local line
    line="$(grep -m1 "^deployed $NAME $version " "$DEV_LOG" || true)"
    [[ -n "$line" ]] && { echo "$line"; return 0; }
    grep -q "^build failed" "$DEV_LOG" && { cat "$DEV_LOG" >&2; die "the build failed"; }
    sleep 0.02
  done
  cat "$DEV_LOG" >&2
  die "version $version was not deployed within $2 s"
}

# wait_tests N: in warm mode the tests run after each deploy; the next edit waits for the Nth result, as
# a developer reads it before the next save (the time is not part of edit -> redeployed)
wait_tests() {
  [[ "$MODE" == warm ]] || return 0
  local deadline=$((SECONDS + 120))
  while (( SECONDS < deadline )); do
    (( $(grep -c '^tests \(passed\|FAILED\)' "$DEV_LOG") >= $1 )) && return 0
    sleep 0.05
  done
  die "no test result after deploy $1"
}

first="$(wait_deployed 1.0.0 300)"
echo "mode $MODE: $(grep -m1 '^build: ' "$DEV_LOG" || echo 'build: (not printed)')"
echo "first build and deploy: $first"
wait_tests 1
sleep 2 # let the first deploy settle (child JVM started) before measuring edits

TIMES=()
for i in $(seq 1 "$ITERATIONS"); do
  version="1.0.$i"
  t0=$(date +%s%N)
  sed -i "s/\"hello [0-9]*\"/\"hello $i\"/" "$HANDLER"
  sed -i "s/^version: .*/version: $version/" "$DESCRIPTOR"
  line="$(wait_deployed "$version" 120)"
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  shown="$("$JAVA" -jar "$OUTPOST_JAR" functions list --json --config "$CONFIG" \
    | jq -r --arg n "$NAME" '.functions[] | select(.name == $n) | .version')"
  [[ "$shown" == "$version" ]] || die "the daemon reports $NAME $shown, expected $version"
  echo "edit $i: redeployed in $ms ms  ($line)"
  TIMES+=("$ms")
  wait_tests $((i + 1))
  sleep 1
done

median=$(printf '%s\n' "${TIMES[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
grep -q '^tests FAILED' "$DEV_LOG" && echo "warning: a test run after a deploy failed (see $DEV_LOG)"
echo "edit -> redeployed (java, mode $MODE, one test, debounce 300 ms): median $median ms over $ITERATIONS edits"
# SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored, so the JVM
# cannot take it (Ctrl-C in a terminal works); the dev command handles both the same way
kill -TERM "$DEV_PID" 2>/dev/null || true
wait "$DEV_PID" && echo "dev mode exited 0 on SIGTERM" || echo "dev mode exited $? on SIGTERM"
bench_stop "$DAEMON_PID"
