# Sourced by the ethereumjs end-to-end scripts (which define skip and fail):
# checks node and npm and installs the pinned packages of tests/diff once per
# lock file. Concurrent callers (ctest -j) serialise on a lock, so one
# installs and the others wait for it.
command -v node >/dev/null 2>&1 || skip "node not found"
command -v npm >/dev/null 2>&1 || skip "npm not found"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  skip "node $(node --version) is older than 18"

pkb_install_packages() {
  local stamp="$DIFF/node_modules/.pkbench-lock" want
  want=$(sha256sum "$DIFF/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "installing the pinned ethereumjs packages into tests/diff/node_modules"
  if ! (cd "$DIFF" && timeout 600 npm ci --no-audit --no-fund --loglevel=error --fetch-timeout=60000 >/dev/null 2>"$DIFF/.npm-err"); then
    if ! timeout 30 npm ping >/dev/null 2>&1; then
      rm -f "$DIFF/.npm-err"
      return 77
    fi
    cat "$DIFF/.npm-err"
    rm -f "$DIFF/.npm-err"
    return 1
  fi
  rm -f "$DIFF/.npm-err"
  echo "$want" >"$stamp"
}

exec 9>"$DIFF/.install-lock"
flock 9
pkb_install_packages
pkb_rc=$?
flock -u 9
exec 9>&-
[ $pkb_rc -eq 77 ] && skip "npm ci failed and the npm registry cannot be reached (no network)"
[ $pkb_rc -eq 0 ] || fail "npm ci failed in tests/diff"
