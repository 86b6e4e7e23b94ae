#!/usr/bin/env bash
# Installs the Debian 12 packages EcoKiosk builds, runs and tests with.
# Idempotent: packages already present are left alone; apt runs only when something is missing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libimgui-dev libstb-dev libstb0 libglfw3-dev libfreetype-dev libfontconfig-dev
  libsqlite3-dev sqlite3 nlohmann-json3-dev doctest-dev libcli11-dev
  libsodium-dev uuid-dev libxlsxwriter-dev
  fonts-noto-cjk
  xvfb xauth xdotool x11-utils imagemagick libgl1-mesa-dri mesa-utils
  python3 python3-openpyxl
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
