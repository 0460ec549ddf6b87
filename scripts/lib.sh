# Shared by scripts/demo and scripts/test: find Python, make the virtual environment.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/.cache"

log() { printf '==> %s\n' "$*" >&2; }

# Print a command that runs Python 3.12 (the newest ansible-core supports it), else 3.13, else 3.11
# (pyenv versions included), else python3.
find_python() {
  local minor version
  for minor in 12 13 11; do
    if command -v pyenv >/dev/null 2>&1; then
      version=$(pyenv versions --bare 2>/dev/null | grep -E "^3\.${minor}(\.[0-9]+)?$" | sort -V | tail -n 1 || true)
      if [ -n "$version" ]; then
        echo "env PYENV_VERSION=$version python3.${minor}"
        return 0
      fi
    fi
    if command -v "python3.${minor}" >/dev/null 2>&1 && "python3.${minor}" -c 'import venv' 2>/dev/null; then
      echo "python3.${minor}"
      return 0
    fi
  done
  echo python3
}

# ensure_venv [newest|oldest|bench|importer]: create (once) and activate a virtual environment with that end of
# the supported ansible-core range and tests/requirements.txt (the newest also gets the tools); bench is the
# newest ansible-core with benchmarks/requirements.txt; importer is galaxy-importer with what it pins.
ensure_venv() {
  local which=${1:-newest} python stamp core name requirements
  python=$(find_python)
  requirements=("$ROOT/tests/requirements.txt")
  [ "$which" = bench ] && requirements=("$ROOT/requirements.txt" "$ROOT/benchmarks/requirements.txt")
  [ "$which" = importer ] && requirements=("$ROOT/tests/galaxy_importer/requirements.txt")
  if [ "$which" = importer ]; then
    core="galaxy-importer"  # it brings the ansible-core it supports
    name=importer
  elif [ "$which" = oldest ]; then
    core="ansible-core>=2.16,<2.17"
    name=core216
  elif $python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    # ansible-core 2.21 needs Python 3.12+; 2.19 is the newest for 3.11.
    core="ansible-core>=2.21,<2.22"
    name=$which
  else
    core="ansible-core>=2.19,<2.20"
    name=$which
  fi
  [ "$which" = newest ] && requirements+=("$ROOT/tests/requirements-tools.txt")
  VENV="$CACHE/venv-$name-$($python -c 'import sys; print("py%d%d" % sys.version_info[:2])')"
  stamp="$VENV/.installed-$(echo "$core" | cat - "$ROOT/requirements.txt" "${requirements[@]}" | cksum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ]; then
    log "creating $VENV with $python and $core"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    $python -m venv "$VENV"
    local pip_args=()
    for file in "${requirements[@]}"; do pip_args+=(-r "$file"); done
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install "$core" "${pip_args[@]}"; } >"$CACHE/pip-$name.log" 2>&1; then
      tail -n 30 "$CACHE/pip-$name.log" >&2
      log "installing Python packages failed; the whole log is $CACHE/pip-$name.log"
      return 1
    fi
    touch "$stamp"
  fi
  export VENV
  export PATH="$VENV/bin:$PATH"
}

# build_collection DIR: build the collection tarball into DIR (emptied first) and print its path.
build_collection() {
  local dest=$1
  rm -rf "$dest" && mkdir -p "$dest"
  (cd "$ROOT" && ansible-galaxy collection build --force --output-path "$dest" >/dev/null)
  ls "$dest"/cisco-cdfmc-*.tar.gz
}

# install_collection DIR: build the collection tarball and install it under DIR (ansible_collections/...).
install_collection() {
  local dest=$1 build
  build=$(mktemp -d)
  (cd "$ROOT" && ansible-galaxy collection build --force --output-path "$build" >/dev/null)
  ANSIBLE_COLLECTIONS_PATH="$dest" \
    ansible-galaxy collection install --force --offline -p "$dest" "$build"/cisco-cdfmc-*.tar.gz >/dev/null
  rm -rf "$build"
}

# link_collection: make $CACHE/collections/ansible_collections/cisco/cdfmc point at this checkout.
link_collection() {
  local link="$CACHE/collections/ansible_collections/cisco/cdfmc"
  if [ ! -L "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -s "$ROOT" "$link"
  fi
  echo "$CACHE/collections"
}
