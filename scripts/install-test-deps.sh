#!/usr/bin/env bash
# Installs what ampsync's tests need beyond the Rust toolchain, when it is missing:
#   git (the tests make and check repositories with it), curl, python3 + openapi-schema-validator
#   (the GitHub contract proxy).
# Idempotent; uses apt-get and pip, so run it as root (CI) or with sudo.
set -euo pipefail

need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v curl >/dev/null || need_apt+=(curl)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
if ((${#need_apt[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import openapi_schema_validator' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check openapi-schema-validator \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages openapi-schema-validator
fi
echo "test dependencies: ok (git $(git --version | cut -d' ' -f3), python $(python3 -c 'import sys; print(sys.version.split()[0])'))"
