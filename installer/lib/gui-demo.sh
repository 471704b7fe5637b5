# Launches the Portal GUI with one ready saved session, "Local demo", that reaches the
# throwaway sshd started by local-sshd.sh (sourced by installer/run.sh after local_sshd_start).
# Portal runs with a HOME and a sessions folder of its own under $LOCAL_SSHD_DIR, so neither
# ~/.ssh nor the person's own Portal sessions are read or changed; the host key it is asked to
# accept is saved there too.
#
#   portal_gui_demo <path to the portal executable>

portal_gui_demo() {
  local portal=$1
  local demo_home="$LOCAL_SSHD_DIR/portal-home"
  mkdir -p "$demo_home/.ssh" "$demo_home/config"
  chmod 700 "$demo_home/.ssh"
  # Schema version 2 of the sessions file (ui/SessionStore.h); later versions migrate it.
  cat > "$demo_home/config/sessions.json" <<JSON
{
  "format": "portal-sessions",
  "version": 2,
  "root": {
    "folders": [],
    "sessions": [
      {
        "name": "Local demo",
        "host": "127.0.0.1",
        "port": $LOCAL_SSHD_PORT,
        "user": "$LOCAL_SSHD_USER",
        "authMethods": ["publickey"],
        "keyFile": "$LOCAL_SSHD_KEY",
        "hostKeyPolicy": "ask",
        "tags": ["demo"],
        "notes": "A throwaway OpenSSH server started by installer/run.sh on 127.0.0.1. Double-click to connect; accept its host key when asked."
      }
    ]
  },
  "preferences": {}
}
JSON
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo
    echo "No display found (DISPLAY/WAYLAND_DISPLAY unset), so the Portal window cannot open here."
    echo "On a desktop, run:"
    echo "  HOME=$demo_home $portal --config-dir $demo_home/config"
    return 0
  fi
  echo
  echo "Starting Portal: double-click \"Local demo\" in the sidebar. Close the window to stop the demo server."
  # Keep the X authority file reachable after HOME changes.
  XAUTHORITY="${XAUTHORITY:-$HOME/.Xauthority}" HOME="$demo_home" "$portal" --config-dir "$demo_home/config"
}
