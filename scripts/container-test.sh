#!/usr/bin/env bash
# Proves the container action the way the GitHub runner runs it (issue #6), with podman:
#   1. builds the static musl binary on the host and checks it is static;
#   2. builds the `FROM scratch` image from it (Dockerfile, target `prebuilt`), checks its size;
#   3. starts the GitHub emulator behind the contract proxy (GitHub's OpenAPI description) on
#      loopback and runs the image as the runner does: workspace mounted at /github/workspace
#      as working directory, INPUT_* and GITHUB_* set, GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files
#      mounted, host network. First run creates the PR and writes every output; second run is
#      `operation=none`; a broken manifest fails with annotations; the token never leaks;
#   4. runs the image as a CLI (`sync --provider local`) on a mounted repository;
#   5. measures image and binary size and start-to-exit time of a no-op run, container vs bare.
# Prints `N passed, N failed`; exits non-zero on any failure or contract violation.
# Usage: scripts/container-test.sh            (needs root for podman; installs podman with apt)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared="${AMPSYNC_SHARED_DIR:-$root/../shared}"
target=x86_64-unknown-linux-musl
bin="target/$target/dist/ampsync"
image=localhost/ampsync:test
passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

work=$(mktemp -d /tmp/ampsync-container.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== podman"
"$shared/tools/setup-podman" >/dev/null
podman --version

echo "== static binary ($target)"
rustup target add "$target" >/dev/null 2>&1 || true
# ring's C code needs a musl C compiler (cc-rs looks for x86_64-linux-musl-gcc).
if ! command -v musl-gcc >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null
fi
export CC_x86_64_unknown_linux_musl=musl-gcc
cargo build --profile dist --locked --target "$target" -p ampsync 2>&1 | tail -n 1
cargo build --locked -p github-emulator 2>&1 | tail -n 1
check "the binary is statically linked" bash -c "! ldd '$bin' >/dev/null 2>&1 || ldd '$bin' 2>&1 | grep -q 'statically linked'"
bin_bytes=$(stat -c %s "$bin")

echo "== image"
podman build -q --target prebuilt -t "$image" . >/dev/null
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")
check "image under 12 MB ($image_bytes bytes)" test "$image_bytes" -lt 12000000
layers=$(podman image inspect --format '{{len .RootFS.Layers}}' "$image")
check "image is one layer on scratch ($layers)" test "$layers" -eq 1

echo "== GitHub emulator behind the contract proxy"
emu_bin="target/debug/github-emulator"
token=ghs_container_test_token_5f2a9c
cat > "$work/seed.json" <<JSON
{
  "orgs": [{"login": "acme", "members": ["alice"]}],
  "repos": [{"owner": "acme", "name": "shop", "default_branch": "main", "private": true, "empty": false}],
  "tokens": [{"token": "$token", "kind": "actions", "repos": ["acme/shop"],
              "permissions": {"contents": "write", "pull_requests": "write", "issues": "write"}}]
}
JSON
"$emu_bin" --data "$work/emu" --listen 127.0.0.1:0 --port-file "$work/emu.port" --seed "$work/seed.json" \
  >"$work/emu.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/emu.port" ] && break; sleep 0.1; done
emu_port=$(cat "$work/emu.port")
python3 "$shared/tools/github-contract-proxy" --spec "$shared/github-api/api.github.com.json.gz" \
  --upstream "http://127.0.0.1:$emu_port" --listen 127.0.0.1:0 --port-file "$work/proxy.port" \
  --log "$work/contract.jsonl" --violations "$work/violations.jsonl" >"$work/proxy.out" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
for _ in $(seq 100); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
api="http://127.0.0.1:$(cat "$work/proxy.port")"
echo "emulator 127.0.0.1:$emu_port, proxy $api"

# The repository on "GitHub": the example manifest on main, pushed into the bare repository.
bare="$work/emu/acme/shop.git"
src="$work/src"
git init -q -b main "$src"
mkdir -p "$src"
sed 's/provider: local/provider: github/' examples/shop/amplication.yaml > "$src/amplication.yaml"
git -C "$src" add -A
git -C "$src" -c user.name=dev -c user.email=dev@example.com commit -q -m "Add the shop manifest"
git -C "$src" push -q --force "$bare" main
# The runner's checkout: a shallow clone on a detached HEAD, owned by another user.
ws="$work/workspace"
git clone -q --depth 1 "file://$bare" "$ws"
git -C "$ws" checkout -q --detach
chown -R 1234:1234 "$ws"

run_action() { # NAME EXPECTED_EXIT [extra podman args...]
  local name=$1 expected=$2; shift 2
  local files="$work/files-$name"
  mkdir -p "$files"
  : > "$files/output"; : > "$files/summary"
  echo '{"commits":[]}' > "$files/event.json"
  set +e
  podman run --rm --network=host \
    -v "$ws:/github/workspace" -w /github/workspace \
    -v "$files:/github/file_commands" \
    -e GITHUB_ACTIONS=true -e CI=true \
    -e GITHUB_WORKSPACE=/github/workspace \
    -e GITHUB_OUTPUT=/github/file_commands/output \
    -e GITHUB_STEP_SUMMARY=/github/file_commands/summary \
    -e GITHUB_EVENT_PATH=/github/file_commands/event.json -e GITHUB_EVENT_NAME=push \
    -e GITHUB_REPOSITORY=acme/shop -e GITHUB_RUN_ID="$((4000 + ${#name}))" -e GITHUB_RUN_ATTEMPT=1 \
    -e GITHUB_SERVER_URL=https://github.com -e GITHUB_API_URL="$api" \
    -e INPUT_TOKEN="$token" -e INPUT_LABELS="ampsync" -e "INPUT_DRY-RUN=false" \
    "$@" "$image" action >"$files/stdout" 2>"$files/stderr"
  local code=$?
  set -e
  check "$name: exit code $expected (got $code)" test "$code" -eq "$expected"
  if [ "$code" -ne "$expected" ]; then sed 's/^/    /' "$files/stdout" "$files/stderr" | tail -n 30; fi
  if grep -v '^::add-mask::' "$files/stdout" "$files/stderr" "$files/summary" "$files/output" | grep -q "$token"; then
    fail "$name: the token leaked"
  else
    ok "$name: the token appears only in ::add-mask::"
  fi
}
output() { # NAME KEY -> value from the GITHUB_OUTPUT file (heredoc format)
  awk -v k="$2" 'index($0, k "<<") == 1 { d = substr($0, length(k) + 3); getline v; if (v != d) print v; exit }' \
    "$work/files-$1/output"
}

echo "== action: first run"
run_action first 0
for key in operation pull-request-number pull-request-url branch commit-sha build-id files-added files-changed files-removed conflicts; do
  check "first: output $key is written" grep -q "^$key<<" "$work/files-first/output"
done
check "first: operation=created" test "$(output first operation)" = created
check "first: a pull request number" test -n "$(output first pull-request-number)"
check "first: files added > 100 ($(output first files-added))" test "$(output first files-added)" -gt 100
check "first: the branch holds the commit" \
  test "$(git --git-dir="$bare" rev-parse refs/heads/amplication 2>/dev/null)" = "$(output first commit-sha)"
check "first: job summary names the PR" grep -q "Pull request: \[#" "$work/files-first/summary"
check "first: ::group:: per phase" grep -q '^::group::Sync' "$work/files-first/stdout"

echo "== action: second run (nothing changed)"
run_action second 0
check "second: operation=none" test "$(output second operation)" = none
check "second: no new commit" \
  test "$(git --git-dir="$bare" rev-parse refs/heads/amplication)" = "$(output first commit-sha)"

echo "== action: broken manifest"
cp "$ws/amplication.yaml" "$work/manifest.good"
printf 'version: 1\nproject: shop\nservices:\n  - name: api\n    directory: apps/api\n    entitys: []\n' \
  > "$ws/amplication.yaml"
run_action broken 2
check "broken: an ::error annotation with file, line and column" \
  grep -q '^::error file=amplication.yaml,line=6,col=5,' "$work/files-broken/stdout"
cp "$work/manifest.good" "$ws/amplication.yaml"

echo "== contract"
kill -TERM "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
summary=$(tail -n 1 "$work/proxy.out")
echo "$summary"
check "contract proxy: 0 violations" grep -q ' 0 violations' "$work/proxy.out"

echo "== image as a CLI: sync --provider local on a mounted repository"
loc="$work/local"
git init -q -b main "$loc"
cp examples/shop/amplication.yaml "$loc/"
git -C "$loc" add -A
git -C "$loc" -c user.name=dev -c user.email=dev@example.com commit -q -m "Add the shop manifest"
set +e
podman run --rm -v "$loc:/repo" -w /repo "$image" sync --provider local --build-id container-1 >"$work/local.out" 2>&1
code=$?
set -e
check "local sync in the container exits 0 (got $code)" test "$code" -eq 0
check "local sync: amplication branch created" bash -c "git -C '$loc' rev-parse -q --verify refs/heads/amplication >/dev/null"
check "local sync: git fsck clean" git -C "$loc" fsck --no-progress

echo "== timing: start-to-exit of a no-op run (validate), median of 11"
median_ms() { # command...
  local times=()
  for _ in $(seq 11); do
    local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
}
bare_ms=$(cd "$loc" && median_ms "$root/$bin" validate)
cont_ms=$(median_ms podman run --rm --network=host -v "$loc:/repo" -w /repo "$image" validate)
floor_ms=$(median_ms podman run --rm --network=host "$image" --version)
net_ms=$(median_ms podman run --rm -v "$loc:/repo" -w /repo "$image" validate)
echo "binary: $bin_bytes bytes; image: $image_bytes bytes"
echo "no-op run (validate of the example): bare binary ${bare_ms} ms; container ${cont_ms} ms (host network)," \
  "${net_ms} ms (own network namespace); podman's floor (\`--version\` in the same image) ${floor_ms} ms"
echo "container minus podman's floor: $((cont_ms - floor_ms)) ms"
echo
echo "container: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
