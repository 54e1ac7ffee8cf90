# Sourced by system-deps.sh and services.sh: `apt_install <who> <debian packages…>`
# installs from Debian's packages when it can (root, or sudo without a password), else
# exits 1 with the one command to run. `as_root <command…>` runs a command the same way.
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi

as_root() {
  if [ "$SUDO" = none ]; then "$@"; else $SUDO "$@"; fi
}

apt_install() {
  local who=$1; shift
  if [ "$SUDO" = none ]; then
    echo "$who: missing $*; install with: sudo apt-get install -y --no-install-recommends $*" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: missing $* and no apt-get here; install them with your package manager" >&2
    exit 1
  fi
  echo "$who: installing $* (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q --no-install-recommends "$@" >&2
}
