#!/usr/bin/env bash
# Installs everything Portal needs to build, test and benchmark on Debian 12 / Ubuntu 22.04+.
# Idempotent: packages already present are skipped by apt; safe to run on every build.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libgl-dev
  libvterm-dev libssl-dev qtkeychain-qt6-dev qt6-svg-dev
  # fonts so the terminal and screenshots have real glyphs (CJK, emoji, box drawing)
  fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji
  # test peers and reference tools (see ../TESTING.md in the design notes)
  openssh-server openssh-client openssh-sftp-server dropbear-bin tinysshd ucspi-tcp
  putty-tools openssl xvfb xauth x11-utils tmux procps
  # references for the terminal and GUI benchmarks, and the forwarding benchmark's load (tests/bench)
  pterm putty python3 xterm
  # fuzzing (clang + libFuzzer)
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The sshd test fixture needs its privilege-separation directory.
$SUDO mkdir -p /run/sshd
