#!/usr/bin/env bash
# Installs the Debian 12 packages EcoKiosk builds, runs and tests with.
# Idempotent: packages already present are left alone; apt runs only when something is missing.
#   install-deps.sh          what building and running the kiosk needs
#   install-deps.sh --test   also what the tests need (Xvfb, xdotool, openpyxl, Chromium, clang,
#                            LibreOffice Calc, poppler, PSPP, R haven, cage, grim, Xwayland,
#                            debootstrap, PostgreSQL 15 and openssl)
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libimgui-dev libstb-dev libstb0 libglfw3-dev libfreetype-dev libfontconfig-dev
  libsqlite3-dev sqlite3 nlohmann-json3-dev doctest-dev libcli11-dev
  libsodium-dev uuid-dev libxlsxwriter-dev zlib1g-dev libboost-math1.74-dev libreadstat-dev libsystemd-dev
  fonts-noto-cjk libgl1-mesa-dri
  libcairo2-dev libpango1.0-dev  # the PDF report: cairo draws, Pango lays out Chinese
  libespeak-ng-dev espeak-ng-data libasound2-dev  # read-aloud: espeak-ng speech, played through ALSA
  libpq-dev                      # the central store's client (issue 16)
  libssl-dev                     # an expired center certificate's dates (core/central/pg.cpp)
  libzinnia-dev tegaki-zinnia-simplified-chinese  # handwriting: zinnia and its simplified-Chinese model
  librime-dev rime-data-pinyin-simp rime-prelude  # pinyin: librime, its schema and the presets it imports
)
if [ "${1:-}" = "--test" ]; then
  PKGS+=(xvfb xauth xdotool x11-utils imagemagick mesa-utils python3 python3-openpyxl chromium
        clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes
        strace                    # tests/flush_order.sh: fsync before rename, folder after
        unzip                     # the workbook's sheets compared as XML (zip_entries.hpp, central_equivalence)
        libreoffice-calc poppler-utils bc   # the workbook printed by Calc, PDFs read back
        pspp r-cran-haven         # independent readers of the .sav/.dta exports
        cage grim xwayland debootstrap   # the kiosk session and the package tests
        sox                       # tests/speech_sox.sh measures the read-aloud audio
        postgresql openssl)       # the central store's throwaway clusters and their TLS CA
fi

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
