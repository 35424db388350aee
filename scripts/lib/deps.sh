# shellcheck shell=bash
# ensure_cmd CMD PACKAGE: installs the Debian PACKAGE when CMD is missing (needs root).
ensure_cmd() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: '$cmd' is missing; install the Debian package '$pkg' (needs root)" >&2
    return 1
  fi
  echo "installing $pkg for $cmd" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$pkg" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && apt-get install -y -qq "$pkg" >/dev/null
  }
  command -v "$cmd" >/dev/null 2>&1
}
