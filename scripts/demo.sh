#!/usr/bin/env bash
# Builds ampsync and runs it on the example manifest (examples/shop) with the embedded
# defaults, in a scratch git repository: validate the manifest, then show the summary.
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
