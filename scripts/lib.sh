# Shared by bin/run and bin/test: idempotent installs, skipped when the inputs' hashes are unchanged.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAMPS="$ROOT/var/stamps"
mkdir -p "$STAMPS"

log() { printf '[%s] %s\n' "${LOG_PREFIX:-setup}" "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root for: $*"; return 1; fi
}

APT_UPDATED=""
apt_install() {
  [ -n "$APT_UPDATED" ] || { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq; APT_UPDATED=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-32; }

# .venv from requirements-dev.txt (production's requirements.txt plus tests and local tools);
# reinstalled only when either file changes.
ensure_venv() {
  local want; want="$(hash_of "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt")"
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    log "creating .venv"
    python3 -m venv "$ROOT/.venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$ROOT/.venv"; }
  fi
  if [ "$(cat "$STAMPS/requirements" 2>/dev/null)" != "$want" ]; then
    log "installing Python packages (requirements-dev.txt)"
    # (grep hides pip's notes about find-links folders that a machine's pip.conf may name but lack)
    "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements-dev.txt" \
      2> >(grep -v "^WARNING: Location" >&2)
    echo "$want" > "$STAMPS/requirements"
  fi
}

# `npm ci` in a directory with a package-lock.json; skipped when the lock file is unchanged.
ensure_npm() {
  local dir="$1" name want
  name="npm-$(echo "$dir" | sed "s#^$ROOT/##; s#/#_#g")"
  [ -f "$dir/package.json" ] || return 0
  want="$(hash_of "$dir/package-lock.json" "$dir/package.json")"
  if [ ! -d "$dir/node_modules" ] || [ "$(cat "$STAMPS/$name" 2>/dev/null)" != "$want" ]; then
    log "installing npm packages in ${dir#"$ROOT"/}"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    echo "$want" > "$STAMPS/$name"
  fi
}

has_npm_script() {
  (cd "$1" && node -e "process.exit((require('./package.json').scripts||{})['$2'] ? 0 : 1)") 2>/dev/null
}

# `npm run build` in frontend/ when its sources changed since the last build (or dist/ is missing).
ensure_frontend_build() {
  local dir="$ROOT/frontend" want
  [ -f "$dir/package.json" ] || return 0
  if ! command -v npm >/dev/null; then
    log "WARNING: npm not found (Node 20 + npm 11 expected): skipping the frontend; the API still runs"
    return 0
  fi
  ensure_npm "$dir"
  has_npm_script "$dir" build || return 0
  want="$(cd "$dir" && find . \( -path ./node_modules -o -path ./dist \) -prune -o -type f -print0 \
          | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)"
  if [ ! -f "$dir/dist/index.html" ] || [ "$(cat "$STAMPS/frontend-build" 2>/dev/null)" != "$want" ]; then
    log "building the frontend"
    if (cd "$dir" && npm run build --silent); then
      echo "$want" > "$STAMPS/frontend-build"
    else
      log "WARNING: the frontend build failed; the API still runs, the page at / will be missing"
      return 0
    fi
  fi
}
