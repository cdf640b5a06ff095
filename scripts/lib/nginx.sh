#!/usr/bin/env bash
# nginx for the load-balancer tests (dev.mcpbroker.testkit.lb.Nginx runs this file when it finds no nginx).
#
#   source scripts/lib/nginx.sh && ensure_nginx    exports NGINX_BINARY
#   scripts/lib/nginx.sh                           prints the binary's path
#
# The binary is, in order: $NGINX_BINARY; /usr/sbin/nginx; <repo>/.tools/nginx/usr/sbin/nginx. Otherwise
# Debian's package is fetched with `apt-get download` and unpacked with `dpkg -x` into <repo>/.tools/nginx:
# no root, nothing installed system-wide, no service started. The tests never use the binary's built-in
# paths (/etc/nginx, /var/log/nginx, /var/lib/nginx): they pass their own prefix, configuration and logs.

nginx_repo_root() {
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd
}

nginx_runs() {
  [ -x "$1" ] && "$1" -v >/dev/null 2>&1
}

ensure_nginx() {
  local root tools candidate tmp deb lock
  if [ -n "${NGINX_BINARY:-}" ]; then
    nginx_runs "$NGINX_BINARY" || { echo "NGINX_BINARY=$NGINX_BINARY does not run" >&2; return 1; }
    export NGINX_BINARY
    return 0
  fi
  root="$(nginx_repo_root)"
  tools="$root/.tools/nginx"
  for candidate in /usr/sbin/nginx "$tools/usr/sbin/nginx"; do
    if nginx_runs "$candidate"; then
      export NGINX_BINARY="$candidate"
      return 0
    fi
  done
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    echo "no nginx found and no apt-get/dpkg to fetch Debian's: install nginx or set NGINX_BINARY" >&2
    return 1
  fi
  mkdir -p "$root/.tools/locks"
  lock="$root/.tools/locks/nginx.lock"
  (
    # One installer at a time (two Maven modules, or CI and a test JVM); the others wait, then find it.
    if command -v flock >/dev/null 2>&1; then
      exec 9>"$lock"
      flock 9
    fi
    nginx_runs "$tools/usr/sbin/nginx" && exit 0
    tmp="$(mktemp -d "$root/.tools/nginx-download.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    # apt's download sandbox user (_apt) writes the file when it can reach the directory.
    chmod 777 "$tmp"
    if ! (cd "$tmp" && apt-get download -q nginx >"$tmp/apt.log" 2>&1); then
      cat "$tmp/apt.log" >&2
      echo "apt-get download nginx failed. On a machine without package lists run 'sudo apt-get update'" \
           "once, or install nginx, or set NGINX_BINARY." >&2
      exit 1
    fi
    # (set -e does not apply inside a subshell on the left of ||: every step checks for itself)
    deb="$(ls "$tmp"/nginx_*.deb)" || exit 1
    mkdir "$tmp/unpacked" && dpkg -x "$deb" "$tmp/unpacked" || exit 1
    if ! nginx_runs "$tmp/unpacked/usr/sbin/nginx"; then
      echo "$(basename "$deb") unpacked, but its nginx does not run; missing libraries:" >&2
      ldd "$tmp/unpacked/usr/sbin/nginx" 2>&1 | grep 'not found' >&2 || true
      exit 1
    fi
    rm -rf "$tools" && mv "$tmp/unpacked" "$tools" || exit 1
    echo "installed $(basename "$deb") into $tools" >&2
  ) || return 1
  export NGINX_BINARY="$tools/usr/sbin/nginx"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_nginx
  echo "$NGINX_BINARY"
fi
