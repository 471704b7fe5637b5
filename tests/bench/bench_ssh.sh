#!/usr/bin/env bash
# Portal beside OpenSSH, same server, same run, alternating (PERFORMANCE.md): connection
# set-up (`ssh host true`, median of N) and bulk throughput per cipher
# (`head -c SIZE /dev/zero | ssh host 'cat > /dev/null'`, median of R). Prints figures and
# the ratio Portal/OpenSSH; not a pass/fail test. See README.md in this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/installer/lib/local-sshd.sh"

cli="${1:-${PORTAL_CLI:-$root/build/release/app/cli/portal-cli}}"
connect_runs="${BENCH_CONNECT_RUNS:-20}"
bulk_runs="${BENCH_BULK_RUNS:-3}"
bulk_bytes="${BENCH_BYTES:-1073741824}"
ciphers="${BENCH_CIPHERS:-aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com aes128-ctr}"
mac="${BENCH_CTR_MAC:-hmac-sha2-256-etm@openssh.com}"

[ -x "$cli" ] || { echo "bench: $cli not found; build the release preset first" >&2; exit 2; }

local_sshd_start
trap local_sshd_stop EXIT
common=(-i "$LOCAL_SSHD_KEY" -o "UserKnownHostsFile=$LOCAL_SSHD_KNOWN_HOSTS" -o StrictHostKeyChecking=yes
        -o BatchMode=yes -p "$LOCAL_SSHD_PORT")
target="$LOCAL_SSHD_USER@127.0.0.1"
portal() { "$cli" ssh -F /dev/null "${common[@]}" "$@"; }
openssh() { ssh -F /dev/null "${common[@]}" "$@"; }

now_ns() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { print $* }"; }

# Both clients must work before anything is timed.
[ "$(portal "$target" echo ready)" = ready ] || { echo "bench: portal-cli could not run a command" >&2; exit 1; }
[ "$(openssh "$target" echo ready)" = ready ] || { echo "bench: ssh could not run a command" >&2; exit 1; }

echo "Portal vs OpenSSH $(ssh -V 2>&1 | cut -d, -f1), server sshd on 127.0.0.1:$LOCAL_SSHD_PORT, $(nproc) CPUs"
echo

# ---- connection set-up ----
portal_ms=() ; openssh_ms=()
for _ in $(seq "$connect_runs"); do
  start=$(now_ns); portal "$target" true; end=$(now_ns)
  portal_ms+=($(( (end - start) / 1000 )))
  start=$(now_ns); openssh "$target" true; end=$(now_ns)
  openssh_ms+=($(( (end - start) / 1000 )))
done
p=$(printf '%s\n' "${portal_ms[@]}" | median)
o=$(printf '%s\n' "${openssh_ms[@]}" | median)
printf '%-44s %10s %10s %8s\n' "connect + auth + true (median of $connect_runs)" "Portal" "OpenSSH" "ratio"
printf '%-44s %8.1fms %8.1fms %8.2f\n' "" "$(calc "$p / 1000")" "$(calc "$o / 1000")" "$(calc "$p / $o")"
echo

# ---- throughput per cipher ----
mib=$(calc "$bulk_bytes / 1048576")
printf '%-44s %10s %10s %8s\n' "upload ${mib} MiB, MB/s (median of $bulk_runs)" "Portal" "OpenSSH" "ratio"
for cipher in $ciphers; do
  extra=(-c "$cipher")
  case "$cipher" in *gcm*|chacha*) ;; *) extra+=(-m "$mac") ;; esac
  portal_rate=() ; openssh_rate=()
  for _ in $(seq "$bulk_runs"); do
    start=$(now_ns); head -c "$bulk_bytes" /dev/zero | portal "${extra[@]}" "$target" 'cat > /dev/null'; end=$(now_ns)
    portal_rate+=($(calc "$bulk_bytes * 1000 / ($end - $start)"))
    start=$(now_ns); head -c "$bulk_bytes" /dev/zero | openssh "${extra[@]}" "$target" 'cat > /dev/null'; end=$(now_ns)
    openssh_rate+=($(calc "$bulk_bytes * 1000 / ($end - $start)"))
  done
  p=$(printf '%s\n' "${portal_rate[@]}" | median)
  o=$(printf '%s\n' "${openssh_rate[@]}" | median)
  label="$cipher"
  case "$cipher" in *gcm*|chacha*) ;; *) label="$cipher + $mac" ;; esac
  printf '%-44s %10.0f %10.0f %8.2f\n' "$label" "$p" "$o" "$(calc "$p / $o")"
done
