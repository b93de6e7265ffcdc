#!/usr/bin/env bash
# Installs the PC/SC stack for the desktop transport tests: pcscd, the pcsclite headers for the
# Rust pcsc crate, vsmartcard's virtual reader driver (vpcd), OpenSC and pcsc-tools.
# Skips packages already installed. pcscd is not started here (no systemd: start it by hand).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

apt_ensure pcscd libpcsclite-dev vsmartcard-vpcd opensc pcsc-tools
