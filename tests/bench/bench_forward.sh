#!/usr/bin/env bash
# Port forwarding, Portal beside OpenSSH (issue 3): `portal-cli ssh -N -L` and `ssh -N -L`
# to the same throwaway sshd, each forwarding a port of its own to the same TCP sink on
# 127.0.0.1, measured alternately: (a) one TCP stream, (b) many parallel connections through
# the one forward (aggregate). MB/s (10^6 bytes/s), median of R runs, ratio Portal/OpenSSH;
# not a pass/fail test. See README.md in this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/installer/lib/local-sshd.sh"

cli="${1:-${PORTAL_CLI:-$root/build/release/app/cli/portal-cli}}"
runs="${BENCH_FORWARD_RUNS:-5}"
stream_bytes="${BENCH_BYTES:-1073741824}"
parallel="${BENCH_CONNECTIONS:-100}"
parallel_bytes="${BENCH_PARALLEL_BYTES:-$stream_bytes}"
cipher="${BENCH_CIPHER:-aes128-gcm@openssh.com}"
load=("$(command -v python3)" "$here/forward_load.py")

[ -x "$cli" ] || { echo "bench: $cli not found; build the release preset first" >&2; exit 2; }
[ -x "${load[0]}" ] || { echo "bench: python3 not found (it drives the TCP load)" >&2; exit 2; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  local_sshd_stop
}
local_sshd_start
trap cleanup EXIT
common=(-i "$LOCAL_SSHD_KEY" -o "UserKnownHostsFile=$LOCAL_SSHD_KNOWN_HOSTS" -o StrictHostKeyChecking=yes
        -o BatchMode=yes -o ExitOnForwardFailure=yes -c "$cipher" -p "$LOCAL_SSHD_PORT")
target="$LOCAL_SSHD_USER@127.0.0.1"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { print $* }"; }
free_port() { "${load[0]}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The sink, and one forward of each client to it.
coproc SINK { exec "${load[@]}" sink; }
pids+=("$SINK_PID")
read -r sink_port <&"${SINK[0]}"
portal_port=$(free_port)
wait_listening() {
  for _ in $(seq 100); do listening "$1" && break; sleep 0.1; done
  listening "$1" || { echo "bench: nothing listens on forwarded port $1" >&2; exit 1; }
}
# sshd's processes (monitor and session) below the listener, to tell which serve whom.
descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
"$cli" ssh -F /dev/null "${common[@]}" -N -L "$portal_port:127.0.0.1:$sink_port" "$target" &
portal_pid=$!
pids+=("$portal_pid")
wait_listening "$portal_port"
portal_sshd=$(descendants "$LOCAL_SSHD_PID")
openssh_port=$(free_port)
ssh -F /dev/null "${common[@]}" -N -L "$openssh_port:127.0.0.1:$sink_port" "$target" &
openssh_pid=$!
pids+=("$openssh_pid")
wait_listening "$openssh_port"
openssh_sshd=$(descendants "$LOCAL_SSHD_PID" | grep -vxF "$portal_sshd")

# CPU time (user + system, clock ticks) of the given processes so far; comm may hold spaces,
# so the fields are counted after its closing parenthesis (proc(5): utime and stime are
# fields 14 and 15).
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)

echo "Portal vs OpenSSH $(ssh -V 2>&1 | cut -d, -f1), -N -L to a TCP sink through sshd on 127.0.0.1:$LOCAL_SSHD_PORT,"
echo "cipher $cipher, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo

# measure LABEL BYTES CONNECTIONS: alternating runs, median, ratio; then the CPU seconds per
# GiB each client and its sshd processes used over all runs (wall-clock rates scatter on a
# shared machine, CPU per byte much less).
measure() {
  local label="$1" bytes="$2" connections="$3" portal_rate=() openssh_rate=()
  local portal_cpu=0 openssh_cpu=0 portal_server_cpu=0 openssh_server_cpu=0 before server_before
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "$portal_pid"); server_before=$(cpu_ticks $portal_sshd)
    portal_rate+=("$("${load[@]}" push "$portal_port" "$bytes" "$connections")")
    portal_cpu=$((portal_cpu + $(cpu_ticks "$portal_pid") - before))
    portal_server_cpu=$((portal_server_cpu + $(cpu_ticks $portal_sshd) - server_before))
    before=$(cpu_ticks "$openssh_pid"); server_before=$(cpu_ticks $openssh_sshd)
    openssh_rate+=("$("${load[@]}" push "$openssh_port" "$bytes" "$connections")")
    openssh_cpu=$((openssh_cpu + $(cpu_ticks "$openssh_pid") - before))
    openssh_server_cpu=$((openssh_server_cpu + $(cpu_ticks $openssh_sshd) - server_before))
  done
  local p o gib
  p=$(printf '%s\n' "${portal_rate[@]}" | median)
  o=$(printf '%s\n' "${openssh_rate[@]}" | median)
  printf '%-52s %10.0f %10.0f %8.2f\n' "$label" "$p" "$o" "$(calc "$p / $o")"
  echo "    runs Portal: ${portal_rate[*]}; OpenSSH: ${openssh_rate[*]}"
  gib=$(calc "$bytes * $runs / 1073741824")
  printf '    CPU-s per GiB, client: Portal %.2f, ssh %.2f (ratio %.2f); its sshd: %.2f, %.2f\n' \
    "$(calc "$portal_cpu / $ticks_per_second / $gib")" "$(calc "$openssh_cpu / $ticks_per_second / $gib")" \
    "$(calc "$portal_cpu / ($openssh_cpu > 0 ? $openssh_cpu : 1)")" \
    "$(calc "$portal_server_cpu / $ticks_per_second / $gib")" "$(calc "$openssh_server_cpu / $ticks_per_second / $gib")"
}

printf '%-52s %10s %10s %8s\n' "MB/s through -L (median of $runs)" "Portal" "OpenSSH" "ratio"
measure "one stream, $(calc "$stream_bytes / 1048576") MiB" "$stream_bytes" 1
measure "$parallel connections at once, $(calc "$parallel_bytes / 1048576") MiB in all" "$parallel_bytes" "$parallel"
