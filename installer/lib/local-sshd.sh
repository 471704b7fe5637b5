# Throwaway OpenSSH server for demos and benchmarks (sourced by installer/run.sh and
# tests/bench/bench_ssh.sh): listens on a free 127.0.0.1 port, in its own temporary directory
# with a fresh host key, and trusts one fresh client key for the current user. Never touches
# the system's sshd, port 22, or ~/.ssh.
#
#   local_sshd_start [extra sshd_config lines...]   sets LOCAL_SSHD_{DIR,PORT,USER,KEY,KNOWN_HOSTS,PID}
#   local_sshd_stop                                 stops it by PID and removes the directory

local_sshd_port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

local_sshd_start() {
  local sshd=/usr/sbin/sshd
  [ -x "$sshd" ] || { echo "local-sshd: $sshd not found (install openssh-server)" >&2; return 1; }
  LOCAL_SSHD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portal-sshd.XXXXXX")"
  LOCAL_SSHD_USER="$(id -un)"
  LOCAL_SSHD_KEY="$LOCAL_SSHD_DIR/id_ed25519"
  LOCAL_SSHD_KNOWN_HOSTS="$LOCAL_SSHD_DIR/known_hosts"
  chmod 755 "$LOCAL_SSHD_DIR"
  ssh-keygen -q -t ed25519 -N '' -C portal-demo-host -f "$LOCAL_SSHD_DIR/host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C portal-demo-client -f "$LOCAL_SSHD_KEY"
  cp "$LOCAL_SSHD_KEY.pub" "$LOCAL_SSHD_DIR/authorized_keys"
  chmod 644 "$LOCAL_SSHD_DIR/authorized_keys"
  # Privilege separation needs this directory when sshd runs as root.
  [ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd

  {
    for line in "$@"; do echo "$line"; done
    echo "ListenAddress 127.0.0.1"
    echo "HostKey $LOCAL_SSHD_DIR/host_ed25519_key"
    echo "PidFile $LOCAL_SSHD_DIR/sshd.pid"
    echo "AuthorizedKeysFile $LOCAL_SSHD_DIR/authorized_keys"
    # The directory lives under the world-writable temporary directory.
    echo "StrictModes no"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "PermitRootLogin prohibit-password"
    echo "AllowUsers $LOCAL_SSHD_USER"
    echo "UsePAM no"
    echo "UseDNS no"
    echo "PrintMotd no"
    echo "MaxStartups 100"
    echo "Subsystem sftp /usr/lib/openssh/sftp-server"
  } > "$LOCAL_SSHD_DIR/sshd_config"

  local attempt
  for attempt in 1 2 3 4 5; do
    LOCAL_SSHD_PORT=$((20000 + RANDOM % 40000))
    local_sshd_port_in_use "$LOCAL_SSHD_PORT" && continue
    # All output to the log: the server must not hold the caller's stdout open.
    "$sshd" -D -e -f "$LOCAL_SSHD_DIR/sshd_config" -p "$LOCAL_SSHD_PORT" >"$LOCAL_SSHD_DIR/sshd.log" 2>&1 </dev/null &
    LOCAL_SSHD_PID=$!
    local waited
    for waited in $(seq 1 100); do
      if local_sshd_port_in_use "$LOCAL_SSHD_PORT"; then
        echo "[127.0.0.1]:$LOCAL_SSHD_PORT $(cut -d' ' -f1,2 "$LOCAL_SSHD_DIR/host_ed25519_key.pub")" > "$LOCAL_SSHD_KNOWN_HOSTS"
        return 0
      fi
      kill -0 "$LOCAL_SSHD_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$LOCAL_SSHD_PID" 2>/dev/null || true
    wait "$LOCAL_SSHD_PID" 2>/dev/null || true
    grep -q "Address already in use" "$LOCAL_SSHD_DIR/sshd.log" || break
  done
  echo "local-sshd: sshd did not start; its log:" >&2
  cat "$LOCAL_SSHD_DIR/sshd.log" >&2
  return 1
}

local_sshd_stop() {
  if [ -n "${LOCAL_SSHD_PID:-}" ]; then
    kill "$LOCAL_SSHD_PID" 2>/dev/null || true
    wait "$LOCAL_SSHD_PID" 2>/dev/null || true
    LOCAL_SSHD_PID=
  fi
  if [ -n "${LOCAL_SSHD_DIR:-}" ] && [ -d "$LOCAL_SSHD_DIR" ]; then
    rm -rf "$LOCAL_SSHD_DIR"
    LOCAL_SSHD_DIR=
  fi
}
