#!/usr/bin/env bash
# The README's first command: installs what Portal needs, builds Portal's two programs in the
# release preset (not the tests and benchmarks: installer/test.sh builds those), and
# shows Portal at work against a throwaway OpenSSH server on 127.0.0.1 (fresh host key, fresh
# client key, nothing of the system's ssh configuration used or changed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source installer/lib/local-sshd.sh
source installer/lib/gui-demo.sh

build_release() {
  ./installer/install-deps-debian.sh
  cmake --preset release
  cmake --build --preset release --target portal portal-cli
}

# Starts the demo server and tells the person where it is. A GUI "Local demo" session needs
# exactly these four facts.
start_demo_server() {
  local_sshd_start
  trap local_sshd_stop EXIT
  echo
  echo "Demo server: OpenSSH sshd on 127.0.0.1 port $LOCAL_SSHD_PORT (pid $LOCAL_SSHD_PID)"
  echo "  user:        $LOCAL_SSHD_USER"
  echo "  key:         $LOCAL_SSHD_KEY"
  echo "  known_hosts: $LOCAL_SSHD_KNOWN_HOSTS"
}

# portal-cli ssh behaves like ssh(1): the remote command's output, its exit status.
run_cli_demo() {
  local cli="${PORTAL_CLI:-build/release/app/cli/portal-cli}"
  local options=(-i "$LOCAL_SSHD_KEY" -o "UserKnownHostsFile=$LOCAL_SSHD_KNOWN_HOSTS"
                 -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$LOCAL_SSHD_PORT")
  echo
  echo "\$ portal-cli ssh -v ... $LOCAL_SSHD_USER@127.0.0.1 'echo ...; uname -sr'"
  "$cli" ssh -v "${options[@]}" "$LOCAL_SSHD_USER@127.0.0.1" \
    'echo "Hello from $(hostname), user $(id -un), through Portal'"'"'s own SSH code"; uname -sr'
  echo
  local sample="$LOCAL_SSHD_DIR/sample.bin"
  head -c 64M /dev/urandom > "$sample"
  echo "\$ portal-cli ssh ... sha256sum < sample.bin   # 64 MiB of random bytes"
  echo "local:  $(sha256sum < "$sample")"
  echo "remote: $("$cli" ssh "${options[@]}" "$LOCAL_SSHD_USER@127.0.0.1" sha256sum < "$sample")"
}

# The GUI with a ready "Local demo" session for the same server (installer/lib/gui-demo.sh).
run_gui_demo() {
  local portal="${PORTAL_GUI:-build/release/app/gui/portal}"
  if [ -x "$portal" ]; then
    portal_gui_demo "$portal"
  else
    echo "The Portal GUI was not built ($portal missing); the console demo above is all there is."
  fi
}

main() {
  build_release
  start_demo_server
  run_cli_demo
  run_gui_demo
}

# Sourcing this file (instead of running it) defines the functions without running them.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main
fi
