# Shared steps of the serve, test and bench commands: each tool is installed only if it
# is missing, and every step says what it is doing; and the list of modules, which the
# post-build hook reads too. Source this file; don't run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/tests/e2e"
BUILD_TOOLS="$ROOT/.ci/build-tools"
TRUNK_VERSION="0.21.14"
# binaryen's wasm-opt from npm, which Trunk runs on the release wasm (Trunk.toml names its
# version, so Trunk never looks for another); terser, which minifies the JS glue after it.
export PATH="$BUILD_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

say() { printf '\n==> %s\n' "$*"; }

# The wasm-bindgen version that Cargo.lock pins; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# each_module COMMAND [ARG...]: runs COMMAND ARG... DIR FEATURES PROFILE VIEWS for every line
# of Cargo.toml's [package.metadata.modules] (the list of wasm modules; its comment says what
# the columns mean), in order. FEATURES and VIEWS are single words of space-separated names.
each_module() {
  local list dir features profile views
  list=$(awk '
    function field(name,   s) {
      if (!match($0, name "[[:space:]]*=[[:space:]]*\"[^\"]*\"")) {
        print "Cargo.toml: [package.metadata.modules] has no " name " in: " $0 > "/dev/stderr"
        exit 1
      }
      s = substr($0, RSTART, RLENGTH)
      sub(/^[^"]*"/, "", s)
      sub(/"$/, "", s)
      return s
    }
    /^[[:space:]]*\[/ { inside = /^[[:space:]]*\[package\.metadata\.modules\][[:space:]]*(#.*)?$/; next }
    !inside || /^[[:space:]]*(#|$)/ { next }
    {
      n++
      dir = $0
      sub(/[[:space:]]*=.*/, "", dir)
      gsub(/"/, "", dir)
      printf "%s\t%s\t%s\t%s\n", dir, field("features"), field("profile"), field("views")
    }
    END { if (!n) { print "Cargo.toml: no modules in [package.metadata.modules]" > "/dev/stderr"; exit 1 } }
    ' "$ROOT/Cargo.toml") || return
  # Read on descriptor 3, so that COMMAND keeps the caller's standard input.
  while IFS=$'\t' read -r -u 3 dir features profile views; do
    "$@" "$dir" "$features" "$profile" "$views"
  done 3<<<"$list"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages.
apt_install() {
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

ensure_rust_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Rust target wasm32-unknown-unknown: present"
  else
    say "Adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then
    say "wasm-bindgen CLI $want: present"
  else
    say "Installing the wasm-bindgen CLI $want, the version Cargo.lock pins (about 6 minutes)"
    # Not --locked: the CLI's own lock file names a crate the registry lacks.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
    say "Trunk $TRUNK_VERSION: present"
  else
    say "Installing Trunk $TRUNK_VERSION (about 11 minutes)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

ensure_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    say "Chromium and ChromeDriver: present"
  else
    say "Installing Chromium and ChromeDriver from Debian's packages"
    apt_install chromium chromium-driver
  fi
}

ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    say "Node.js and npm: present"
  else
    say "Installing Node.js and npm from Debian's packages"
    apt_install nodejs npm
  fi
}

# True when the node_modules of folder $1 holds exactly the versions its package-lock.json
# names.
packages_installed() {
  (cd "$1" && node -e '
    const lock = require("./package-lock.json");
    for (const [path, meta] of Object.entries(lock.packages)) {
      if (!path) continue;
      try {
        if (require(`./${path}/package.json`).version !== meta.version) process.exit(1);
      } catch { process.exit(1); }
    }' 2>/dev/null)
}

ensure_e2e_packages() {
  ensure_node
  if packages_installed "$E2E"; then
    say "npm packages of the end-to-end tests: present"
  else
    say "Installing the npm packages of the end-to-end tests (npm ci; no browser download)"
    (cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

ensure_build_tools() {
  ensure_node
  if packages_installed "$BUILD_TOOLS"; then
    say "binaryen's wasm-opt and terser (npm): present"
  else
    say "Installing binaryen's wasm-opt and terser from npm (npm ci in .ci/build-tools)"
    (cd "$BUILD_TOOLS" && npm ci --no-audit --no-fund)
  fi
}

build_release() {
  say "Building the app into dist/ (trunk build --release)"
  (cd "$ROOT" && trunk build --release --offline)
}
