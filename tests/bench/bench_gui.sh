#!/usr/bin/env bash
# Portal's GUI beside PuTTY's `putty` and `pterm`, under one Xvfb in one run (issue 5):
#  - cold start to window shown: from exec until the program's top-level window is mapped
#    (polled with xwininfo every few ms), median of N alternating runs;
#  - resident memory with one connected, idle session: VmRSS of the process once the server
#    has accepted its key and a second has passed (pterm's figure adds its ssh child's).
# Prints figures and the ratio Portal/reference; not a pass/fail test. See README.md here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

gui="${1:-${PORTAL_GUI:-$root/build/release/app/gui/portal}}"
runs="${BENCH_GUI_RUNS:-7}"
[ -x "$gui" ] || { echo "bench: $gui not found; build the release preset first" >&2; exit 2; }
for tool in putty pterm puttygen xwininfo xvfb-run; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (installer/install-deps-debian.sh)" >&2; exit 2; }
done

# Everything below runs inside one Xvfb server.
if [ -z "${BENCH_GUI_INSIDE_XVFB:-}" ]; then
  exec env BENCH_GUI_INSIDE_XVFB=1 xvfb-run -a -s "-screen 0 1600x1000x24" "$0" "$gui"
fi

source "$root/installer/lib/local-sshd.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/portal-bench-gui.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  local_sshd_stop
  rm -rf "$work"
}
local_sshd_start
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.2f\", $* }"; }
window_mapped() { xwininfo -root -tree 2>/dev/null | grep -q "\"$1\""; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Private homes: nothing from the real ~/.ssh, ~/.putty or ~/.config is read or written.
portal_home="$work/portal-home"; putty_home="$work/putty-home"
mkdir -p "$portal_home/.ssh" "$putty_home/.putty"
cp "$LOCAL_SSHD_KEY" "$portal_home/.ssh/id_ed25519"
cp "$LOCAL_SSHD_KNOWN_HOSTS" "$portal_home/.ssh/known_hosts"
puttygen "$LOCAL_SSHD_KEY" -O private -o "$work/client.ppk"
host_fingerprint="$(ssh-keygen -l -E sha256 -f "$LOCAL_SSHD_DIR/host_ed25519_key.pub" | cut -d' ' -f2)"

# Only ever run in the background (`&`): exec makes the background job's PID the program's.
run_portal() { exec env HOME="$portal_home" XDG_CONFIG_HOME="$portal_home/.config" QT_QPA_PLATFORM=xcb "$gui" "$@"; }
run_putty() { exec env HOME="$putty_home" putty "$@"; }
run_pterm() { exec env HOME="$putty_home" pterm "$@"; }

# Starts a program in the background, waits for a window titled $1, prints the milliseconds.
time_to_window() {
  local title="$1"; shift
  local start; start=$(now_ms)
  "$@" >/dev/null 2>&1 &
  local pid=$!
  local deadline=$((start + 20000))
  until window_mapped "$title"; do
    if [ "$(now_ms)" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
      echo "bench: no window \"$title\" from $*" >&2; return 1
    fi
    sleep 0.005
  done
  local elapsed=$(( $(now_ms) - start ))
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  # The window must be gone before the next run looks for it.
  while window_mapped "$title"; do sleep 0.01; done
  echo "$elapsed"
}

echo "Portal GUI vs PuTTY $(putty --version 2>&1 | head -1 | awk '{ print $NF }') under Xvfb, $(nproc) CPUs"
echo

# ---- cold start ----
portal_ms=(); putty_ms=(); pterm_ms=()
# One unmeasured start of each fills the page cache, as for any second launch.
time_to_window Portal run_portal >/dev/null
time_to_window "PuTTY Configuration" run_putty >/dev/null
time_to_window pterm run_pterm -T pterm -e sleep 60 >/dev/null
for _ in $(seq "$runs"); do
  portal_ms+=("$(time_to_window Portal run_portal)")
  putty_ms+=("$(time_to_window "PuTTY Configuration" run_putty)")
  pterm_ms+=("$(time_to_window pterm run_pterm -T pterm -e sleep 60)")
done
p=$(printf '%s\n' "${portal_ms[@]}" | median)
u=$(printf '%s\n' "${putty_ms[@]}" | median)
t=$(printf '%s\n' "${pterm_ms[@]}" | median)
printf '%-38s %10s %10s %10s   %s\n' "" portal putty pterm "ratio portal/putty, portal/pterm"
printf '%-38s %10s %10s %10s   %s %s\n' "cold start to window shown (ms, median)" "$p" "$u" "$t" "$(calc "$p / $u")" "$(calc "$p / $t")"

# ---- memory with one connected idle session ----
accepted() { grep -c "Accepted publickey" "$LOCAL_SSHD_DIR/sshd.log" || true; }
wait_for_login() {
  local before="$1" deadline=$(( $(now_ms) + 30000 ))
  until [ "$(accepted)" -gt "$before" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "bench: $2 did not log in" >&2; return 1; }
    sleep 0.05
  done
  sleep 1 # the shell starts, the terminal draws, then it is idle
}
target="$LOCAL_SSHD_USER@127.0.0.1"

before=$(accepted)
run_portal "ssh://$target:$LOCAL_SSHD_PORT" >/dev/null 2>&1 & portal_pid=$!; pids+=("$portal_pid")
wait_for_login "$before" portal
portal_kb=$(rss_kb "$portal_pid")

before=$(accepted)
run_putty -ssh -P "$LOCAL_SSHD_PORT" -i "$work/client.ppk" -hostkey "$host_fingerprint" "$target" >/dev/null 2>&1 &
putty_pid=$!; pids+=("$putty_pid")
wait_for_login "$before" putty
putty_kb=$(rss_kb "$putty_pid")

before=$(accepted)
run_pterm -e ssh -F /dev/null -i "$LOCAL_SSHD_KEY" -o "UserKnownHostsFile=$LOCAL_SSHD_KNOWN_HOSTS" \
  -o StrictHostKeyChecking=yes -p "$LOCAL_SSHD_PORT" "$target" >/dev/null 2>&1 &
pterm_pid=$!; pids+=("$pterm_pid")
wait_for_login "$before" "pterm + ssh"
pterm_kb=$(( $(rss_kb "$pterm_pid") + $(for c in $(pgrep -P "$pterm_pid"); do rss_kb "$c"; done | awk '{ s += $1 } END { print s + 0 }') ))

mb() { calc "$1 / 1024"; }
printf '%-38s %10s %10s %10s   %s %s\n' "resident memory, one idle session (MB)" "$(mb "$portal_kb")" "$(mb "$putty_kb")" \
  "$(mb "$pterm_kb")" "$(calc "$portal_kb / $putty_kb")" "$(calc "$portal_kb / $pterm_kb")"
echo
echo "pterm's memory includes its ssh child. Goals (issue 5): start under 300 ms; memory no more than PuTTY's."
