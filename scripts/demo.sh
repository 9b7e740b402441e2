#!/usr/bin/env bash
# Builds ampsync and runs it on the example manifest (examples/shop) with the embedded
# defaults (the example's `local` provider), in a scratch git repository: validate the
# manifest, sync (one commit on the `amplication` branch), sync again (nothing to do), and
# list the builds.
# Usage: scripts/demo.sh [DIR]   (DIR defaults to target/demo/shop; it is recreated)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

cargo build --release --locked --quiet
ampsync="$root/target/release/ampsync"

demo="${1:-$root/target/demo/shop}"
rm -rf "$demo"
mkdir -p "$demo"
cp examples/shop/amplication.yaml "$demo/amplication.yaml"
cd "$demo"
git init -q -b main
git -c user.name=demo -c user.email=demo@example.com add amplication.yaml
git -c user.name=demo -c user.email=demo@example.com commit -q -m "Add the shop manifest"

echo "== ampsync validate (in $demo)"
"$ampsync" validate

echo
echo "== ampsync sync (local provider: commits to refs/heads/amplication, working tree untouched)"
"$ampsync" sync

echo
echo "== git log --stat -1 amplication (first 25 lines)"
git --no-pager log --stat -1 amplication | head -n 25

echo
echo "== ampsync sync again: nothing changed, so no commit"
"$ampsync" sync

echo
echo "== ampsync builds"
"$ampsync" builds
