#!/usr/bin/env bash
# Debian packages the test suite drives: headless Chromium (the HTML report test) and
# openssl (certificates for the mutual TLS test). `npm test` runs this first, so the
# README's test command passes on a fresh machine by itself. Installs what is missing
# when it can (root, or sudo without a password); otherwise it fails with the one
# command to run. Never a browser download: Debian's package only.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${CHROMIUM_BIN:-}" ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ "${#missing[@]}" -eq 0 ] && exit 0

. "$(dirname "$0")/apt-install.sh"
apt_install system-deps "${missing[@]}"
