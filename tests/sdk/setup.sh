#!/usr/bin/env bash
# Creates target/sdk-venv with the official Python SDK pinned in
# requirements.txt, for the emulator compatibility test (tests/it/sdk.rs).
#
# Idempotent: when the venv already holds exactly these requirements (same
# SHA-256 of requirements.txt, recorded after a successful install) it does
# nothing. Needs python3 with the venv module, and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

here=tests/sdk
venv=target/sdk-venv
stamp="$venv/.requirements.sha256"
python=${PYTHON:-python3}

want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "sdk venv up to date: $venv"
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: \`$python\` not found; the SDK compatibility test needs Python 3 with venv and pip" >&2
    exit 1
fi

echo "creating $venv with $("$python" --version 2>&1)"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
"$venv/bin/python" -c 'import alibabacloud_aiccs20191015.client, alibabacloud_tea_openapi.models'
echo "$want" > "$stamp"
echo "sdk venv ready: $venv"
