#!/usr/bin/env bash
# Throughput of a tournament on parley worker processes against the local
# run, and what each part costs in CPU: the figures of docs/scale-out.md.
#
#   bash tournament/cluster/bench.sh [SPEC] [ROUNDS]
#
# from the repository root (default: examples/tournament-laptop-million.yaml,
# 3 rounds). It builds parley and nats-server (the version go.mod pins),
# starts nats-server with JetStream on 127.0.0.1:4333 with its store in a
# temporary folder, and per round runs the tournament locally (parley
# tournament, all cores) and then on 1, 2 and 4 worker processes of one
# shard at a time each, and 1 process of 2. Each line gives the run's wall
# time and sessions/s (as parley prints them) and the CPU seconds of the
# coordinator (its own figure), the workers and nats-server.
set -euo pipefail
spec=${1:-examples/tournament-laptop-million.yaml}
rounds=${2:-3}
tmp=$(mktemp -d)
pids=()
trap 'kill $nats_pid "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/nats-server" github.com/nats-io/nats-server/v2
"$tmp/nats-server" -js -sd "$tmp/js" -a 127.0.0.1 -p 4333 >"$tmp/nats.log" 2>&1 &
nats_pid=$!
sleep 1
if ! kill -0 $nats_pid 2>/dev/null; then
  echo "nats-server did not start (is port 4333 taken?):"; cat "$tmp/nats.log"; exit 1
fi
url=nats://127.0.0.1:4333

# cpu PID: the CPU seconds (user + system) of a live process.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

for round in $(seq "$rounds"); do
  rm -f "$tmp"/local.db*
  /usr/bin/time -f "%U %S" -o "$tmp/local.time" "$tmp/parley" tournament "$spec" --db "$tmp/local.db" -q 2>"$tmp/local.err"
  echo "round $round local: $(grep -o '[0-9]* sessions in [^;]*' "$tmp/local.err"), CPU $(awk '{print $1 + $2}' "$tmp/local.time")s"
  for cfg in "1 1" "2 1" "4 1" "1 2"; do
    set -- $cfg
    procs=$1 conc=$2
    pids=()
    for i in $(seq "$procs"); do
      "$tmp/parley" worker --nats $url -c "$conc" -q --id "w$i" --cache "$tmp/cache$i" 2>>"$tmp/workers.err" &
      pids+=($!)
    done
    sleep 0.5
    nats0=$(cpu $nats_pid)
    rm -f "$tmp"/n.db*
    "$tmp/parley" tournament "$spec" --db "$tmp/n.db" --nats $url -q 2>"$tmp/n.err"
    workers=0
    for p in "${pids[@]}"; do workers=$(echo "$workers + $(cpu "$p")" | bc); kill "$p"; done
    wait "${pids[@]}" 2>/dev/null || true
    nats=$(echo "$(cpu $nats_pid) - $nats0" | bc)
    echo "round $round $procs processes × $conc: $(grep -o '[0-9]* sessions in [^;]*' "$tmp/n.err"), $(grep -o 'coordinator CPU [^:]*' "$tmp/n.err"), workers CPU ${workers}s, nats-server CPU ${nats}s"
  done
done
