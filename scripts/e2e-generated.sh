#!/usr/bin/env bash
# Proves that the code ampsync generates with the built-in `nestjs` generator really runs.
#
# For the manifests examples/shop/amplication.yaml (service shop-api, auth jwt) and
# tests/fixtures/manifests/all-types/amplication.yaml (all-types, auth none; members, auth jwt):
#   1. builds ampsync and generates every service into a scratch directory;
#   2. starts a throw-away PostgreSQL (installed with apt when missing; initdb on a temp dir,
#      127.0.0.1 on a free port, run as the `postgres` user when we are root);
#   3. per service: `npm ci` with the committed lockfile (tests/fixtures/nestjs-locks/<variant>/
#      package-lock.json; installed in the background, the first service alone to fill npm's
#      cache, then the others together),
#      a fresh database with prisma/schema.sql applied by psql, `prisma generate`, `tsc --noEmit`
#      (src and test), `nest build`, the generated jest e2e suites (test/*.e2e-spec.ts, app
#      booted in-process); then on a second fresh database: with auth `npm run seed` (twice: the
#      second adds nobody), the built server (`node dist/main.js`) checked over plain HTTP
#      (/health, /api-json is OpenAPI 3 with every entity's paths, Swagger UI, a 400 listing the
#      errors, a 404, a paginated list, login as the seeded admin, /auth/me), and the same jest
#      suites again with their requests sent to that server (E2E_BASE_URL, "jest@server");
#   4. prints the time of every phase, `N passed, N failed` per service and overall (a check is
#      one phase, one jest test or one HTTP check); exits 1 on any failure. Postgres, the
#      servers and the installs are always stopped (trap). About 3-6 minutes on 2 cores.
#
# Usage:
#   scripts/e2e-generated.sh                  # everything (CI: run as root on a fresh Debian)
#   scripts/e2e-generated.sh --only members   # one service (repeatable)
#   scripts/e2e-generated.sh --keep           # keep the scratch dir (printed) for inspection
#   scripts/e2e-generated.sh --refresh-locks  # regenerate the committed lockfiles, then run
# Environment: AMPSYNC_BIN (skip the cargo build and use this binary), E2E_WORK (scratch dir,
# default a new mktemp dir), npm's own variables (NPM_CONFIG_CACHE: one cache for all services).
#
# When the generated package.json changes (a dependency added, a version bumped), `npm ci`
# cannot use the committed lockfile: run `scripts/e2e-generated.sh --refresh-locks`, review
# the diff of tests/fixtures/nestjs-locks/ and commit it with the template change.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

KEEP=0
REFRESH=0
ONLY=()
while (($#)); do
  case "$1" in
    --keep) KEEP=1 ;;
    --refresh-locks) REFRESH=1 ;;
    --only) ONLY+=("$2"); shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
  esac
  shift
done

need_apt=()
command -v curl >/dev/null || need_apt+=(curl)
command -v node >/dev/null && command -v npm >/dev/null || need_apt+=(nodejs npm)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e: missing ${need_apt[*]}: install them (Node.js 20 or later) and run again" >&2
    exit 1
  fi
  echo "e2e: installing ${need_apt[*]} with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "e2e: Node.js $(node --version) is too old: NestJS 11 and Prisma 7 need Node.js 20 or later" >&2
  exit 1
fi

START=$(date +%s)
now() { echo $(($(date +%s) - START)); }
log() { echo "[e2e $(now)s] $*"; }

WORK=${E2E_WORK:-$(mktemp -d /tmp/ampsync-e2e.XXXXXX)}
mkdir -p "$WORK"
chmod 755 "$WORK"
PG_DIR="$WORK/pg"
PG_BIN=""
PG_PORT=""

# A port nobody answers on, below the kernel's ephemeral range: a port in that range
# can be taken at any moment by an outgoing connection (npm, psql), and a server
# that then binds it fails with EADDRINUSE (seen in CI).
# When the range leaves no room below it (it starts under 12000), look above its end.
free_port() {
  local lo=32768 hi=60999 from to p
  read -r lo hi 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || { lo=32768 hi=60999; }
  if ((lo > 12000)); then
    from=$((10000 + RANDOM % (lo - 11000))) to=$((lo - 1))
  elif ((hi < 64000)); then
    from=$((hi + 1 + RANDOM % (64000 - hi))) to=65535
  else
    echo "e2e: the ephemeral port range ($lo-$hi) leaves no port for test servers" >&2
    return 1
  fi
  for p in $(seq "$from" "$to"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "e2e: no free port in $from-$to" >&2
  return 1
}
SERVER_PIDS=()
PG_STARTED=0

as_pg() {
  # Runs a command as the postgres user when we are root (initdb refuses root), else as us.
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

cleanup() {
  local pid
  if [ -n "${NPM_BG:-}" ] && kill -0 "$NPM_BG" 2>/dev/null; then
    pkill -P "$NPM_BG" 2>/dev/null
    kill "$NPM_BG" 2>/dev/null
  fi
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if ((PG_STARTED)); then
    as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop" >/dev/null 2>&1
  fi
  if ((KEEP)); then
    echo "e2e: scratch directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- results
declare -A PASS FAIL
SERVICES=()
FAILURES=()
ok() { PASS[$1]=$((${PASS[$1]:-0} + 1)); echo "  ok   $1: $2"; }
ko() {
  FAIL[$1]=$((${FAIL[$1]:-0} + 1))
  FAILURES+=("$1: $2")
  echo "  FAIL $1: $2"
}
# phase SERVICE NAME LOGFILE CMD...: runs CMD (in the service dir), one check, timed.
PHASE_TIMES=()
phase() {
  local svc=$1 name=$2 logf=$3
  shift 3
  local t0=$(date +%s) rc
  "$@" >"$logf" 2>&1
  rc=$?
  local dt=$(($(date +%s) - t0))
  PHASE_TIMES+=("$svc $name ${dt}s")
  if ((rc == 0)); then
    ok "$svc" "$name (${dt}s)"
  else
    ko "$svc" "$name (exit $rc, ${dt}s; log: $logf)"
    tail -n 40 "$logf" | sed 's/^/       | /'
  fi
  return $rc
}

# ---------------------------------------------------------------- ampsync + generation
if [ -n "${AMPSYNC_BIN:-}" ]; then
  AMPSYNC=$AMPSYNC_BIN
else
  log "building ampsync"
  cargo build --locked --quiet --bin ampsync || { echo "e2e: cargo build failed" >&2; exit 1; }
  AMPSYNC="$ROOT/target/debug/ampsync"
fi

# name|manifest|directory inside the generated tree (relative to the output root)
ALL_SERVICES=(
  "shop-api|examples/shop/amplication.yaml|apps/shop-api"
  "all-types|tests/fixtures/manifests/all-types/amplication.yaml|apps/all-types"
  "members|tests/fixtures/manifests/all-types/amplication.yaml|apps/members"
)
selected() {
  local name=$1 o
  ((${#ONLY[@]} == 0)) && return 0
  for o in "${ONLY[@]}"; do [ "$o" = "$name" ] && return 0; done
  return 1
}

T_GEN=$(date +%s)
for row in "${ALL_SERVICES[@]}"; do
  IFS='|' read -r name manifest dir <<<"$row"
  selected "$name" || continue
  SERVICES+=("$name")
  out="$WORK/gen/$name"
  if ! "$AMPSYNC" generate --quiet --manifest "$manifest" --service "$name" --out "$out" >"$WORK/gen-$name.log" 2>&1; then
    ko "$name" "ampsync generate ($(tail -n 5 "$WORK/gen-$name.log" | tr '\n' ' '))"
    continue
  fi
  ln -s "$out/$dir" "$WORK/$name"
  ok "$name" "ampsync generate ($(find "$out" -type f | wc -l) files)"
done
((${#SERVICES[@]})) || { echo "e2e: no service selected" >&2; exit 2; }
PHASE_TIMES+=("all generate $(($(date +%s) - T_GEN))s")

# ---------------------------------------------------------------- lockfiles
LOCKS="$ROOT/tests/fixtures/nestjs-locks"
# Prints the variant whose committed lockfile matches the package.json in $1, or nothing.
deps_key() {
  node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const p = j.packages ? j.packages[""] : j;
    const sort = (o) => Object.keys(o || {}).sort().map((k) => k + "@" + o[k]).join(",");
    console.log("deps:" + sort(p.dependencies) + " dev:" + sort(p.devDependencies));
  ' "$1"
}
variant_of() {
  local svc=$1
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(j.dependencies && j.dependencies["@nestjs/jwt"] ? "jwt" : "none");
  ' "$WORK/$svc/package.json"
}
pick_lock() {
  local svc=$1 want have v
  want=$(deps_key "$WORK/$svc/package.json")
  for v in "$LOCKS"/*/; do
    [ -f "$v/package-lock.json" ] || continue
    have=$(deps_key "$v/package-lock.json")
    if [ "$want" = "$have" ]; then
      basename "$v"
      return 0
    fi
  done
  return 1
}

if ((REFRESH)); then
  for svc in "${SERVICES[@]}"; do
    [ -f "$WORK/$svc/package.json" ] || continue
    v=$(variant_of "$svc")
    if [ -f "$WORK/lock-$v.done" ]; then
      if [ "$(cat "$WORK/lock-$v.done")" != "$(deps_key "$WORK/$svc/package.json")" ]; then
        echo "e2e: services of variant \`$v\` have different dependencies; split the variant" >&2
        exit 1
      fi
      continue
    fi
    log "refreshing the lockfile of variant $v from $svc"
    tmp="$WORK/lock-$v"
    mkdir -p "$tmp"
    cp "$WORK/$svc/package.json" "$tmp/"
    (cd "$tmp" && npm install --package-lock-only --no-audit --no-fund --ignore-scripts >/dev/null) || {
      echo "e2e: npm install --package-lock-only failed for $svc" >&2
      exit 1
    }
    mkdir -p "$LOCKS/$v"
    # The root entry carries the service's name; the variant's lock serves every service of it.
    node -e '
      const fs = require("fs");
      const f = process.argv[1];
      const j = JSON.parse(fs.readFileSync(f, "utf8"));
      j.name = "generated-service";
      j.packages[""].name = "generated-service";
      delete j.packages[""].version;
      delete j.version;
      fs.writeFileSync(process.argv[2], JSON.stringify(j, null, 2) + "\n");
    ' "$tmp/package-lock.json" "$LOCKS/$v/package-lock.json"
    deps_key "$WORK/$svc/package.json" >"$WORK/lock-$v.done"
    log "wrote tests/fixtures/nestjs-locks/$v/package-lock.json"
  done
fi

# ---------------------------------------------------------------- npm ci, in the background
# The first service installs alone (filling npm's cache on a fresh machine); the others then
# install together from the cache. All of it runs while PostgreSQL starts and the first
# services are tested; each service waits for its own install.
declare -A NPM_VARIANT
INSTALL=()
for svc in "${SERVICES[@]}"; do
  [ -f "$WORK/$svc/package.json" ] || continue
  v=$(pick_lock "$svc") || continue
  NPM_VARIANT[$svc]=$v
  cp "$LOCKS/$v/package-lock.json" "$WORK/$svc/package-lock.json"
  INSTALL+=("$svc")
done
install_one() {
  local svc=$1 t0 rc
  t0=$(date +%s)
  (cd "$WORK/$svc" && timeout 600 npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >"$WORK/$svc-npm.log" 2>&1
  rc=$?
  echo $(($(date +%s) - t0)) >"$WORK/$svc-npm.time"
  echo "$rc" >"$WORK/$svc-npm.rc"
}
NPM_BG=""
if ((${#INSTALL[@]})); then
  (
    install_one "${INSTALL[0]}"
    for svc in "${INSTALL[@]:1}"; do install_one "$svc" & done
    wait
  ) &
  NPM_BG=$!
fi
wait_npm() {
  local svc=$1
  while [ ! -f "$WORK/$svc-npm.rc" ] && kill -0 "$NPM_BG" 2>/dev/null; do sleep 0.5; done
  cat "$WORK/$svc-npm.log" 2>/dev/null
  [ -f "$WORK/$svc-npm.rc" ] || { echo "npm ci of $svc did not finish"; return 1; }
  return "$(cat "$WORK/$svc-npm.rc")"
}

# ---------------------------------------------------------------- PostgreSQL
start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PG_BIN" ] || ! command -v psql >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "e2e: PostgreSQL is not installed; run as root (CI) or \`sudo apt-get install postgresql\`" >&2
      return 1
    fi
    log "installing PostgreSQL with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null || return 1
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PG_PORT=$(free_port)
  mkdir -p "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
  as_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -A trust -U postgres -E UTF8 --no-sync" >"$WORK/initdb.log" 2>&1 || {
    cat "$WORK/initdb.log" >&2
    return 1
  }
  as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -t 30 \
    -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" \
    >"$WORK/pg_ctl.log" 2>&1 || {
    cat "$WORK/pg_ctl.log" "$PG_DIR/server.log" >&2
    return 1
  }
  PG_STARTED=1
}
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

T_PG=$(date +%s)
if ! start_postgres; then
  echo "e2e: could not start PostgreSQL" >&2
  exit 1
fi
log "PostgreSQL on 127.0.0.1:$PG_PORT ($(( $(date +%s) - T_PG ))s)"
PHASE_TIMES+=("all postgres $(($(date +%s) - T_PG))s")

# ---------------------------------------------------------------- per service

# Counts a jest --json report as checks: one per test.
jest_report() {
  local svc=$1 json=$2 label=${3:-jest}
  [ -f "$json" ] || { ko "$svc" "jest wrote no report ($json)"; return; }
  local line
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) ok "$svc" "$label ${line#PASS }" ;;
      FAIL\ *) ko "$svc" "$label ${line#FAIL }" ;;
      SUITE\ *) ko "$svc" "$label suite ${line#SUITE }" ;;
    esac
  done < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const s of r.testResults) {
      const file = require("path").basename(s.name);
      if (s.assertionResults.length === 0 || (s.status === "failed" && s.message && !s.assertionResults.some((a) => a.status === "failed"))) {
        console.log("SUITE " + file + ": " + (s.message || "no tests").split("\n").slice(0, 12).join(" | ").slice(0, 1500));
      }
      for (const a of s.assertionResults) {
        const name = file + " > " + a.ancestorTitles.concat([a.title]).join(" > ");
        if (a.status === "passed") console.log("PASS " + name);
        else if (a.status === "failed") console.log("FAIL " + name + ": " + (a.failureMessages || []).join(" ").split("\n").filter((l) => l.trim()).slice(0, 8).join(" | ").slice(0, 1200));
        else console.log("FAIL " + name + ": status " + a.status + " (tests must not skip)");
      }
    }
  ' "$json")
}

# HTTP checks on the built server. Prints PASS/FAIL lines.
http_checks() {
  local svc=$1 base=$2
  node - "$base" "$WORK/$svc/test/support/entities.json" "${ADMIN_USER:-}" "${ADMIN_PASS:-}" <<'EOF'
const [base, entitiesFile, adminUser, adminPass] = process.argv.slice(2);
const fs = require("fs");
const meta = JSON.parse(fs.readFileSync(entitiesFile, "utf8"));
const results = [];
const check = (name, cond, detail) => results.push((cond ? "PASS " : "FAIL ") + name + (cond ? "" : ": " + detail));
async function req(method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer " + token;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text, headers: r.headers };
}
(async () => {
  const health = await req("GET", "/health");
  check("GET /health -> 200 {status: ok}", health.status === 200 && health.json && health.json.status === "ok", health.status + " " + health.text.slice(0, 200));
  const doc = await req("GET", "/api-json");
  const isOpenApi = doc.status === 200 && doc.json && /^3\./.test(String(doc.json.openapi)) && doc.json.paths && doc.json.info;
  check("GET /api-json -> OpenAPI 3 document", isOpenApi, doc.status + " " + doc.text.slice(0, 200));
  const paths = isOpenApi ? Object.keys(doc.json.paths) : [];
  for (const e of meta.entities) {
    const has = paths.some((p) => p === "/" + e.route || p.startsWith("/" + e.route + "/"));
    check("/api-json documents /" + e.route, has, "paths: " + paths.join(" "));
  }
  const ui = await req("GET", "/api");
  check("GET /api (Swagger UI) -> 200 html", ui.status === 200 && /swagger/i.test(ui.text), ui.status);
  let token;
  if (meta.auth) {
    const bad = await req("POST", "/auth/login", { username: adminUser, password: adminPass + "x" });
    check("POST /auth/login wrong password -> 401", bad.status === 401, bad.status + " " + bad.text.slice(0, 200));
    const login = await req("POST", "/auth/login", { username: adminUser, password: adminPass });
    token = login.json && login.json.accessToken;
    check("POST /auth/login as the seeded admin -> 200 accessToken", login.status === 200 && !!token, login.status + " " + login.text.slice(0, 200));
    const me = await req("GET", "/auth/me", undefined, token);
    check("GET /auth/me -> 200 without the password", me.status === 200 && !me.text.includes(meta.auth.passwordField) && !me.text.includes("$2"), me.status + " " + me.text.slice(0, 300));
    const anon = await req("GET", "/auth/me");
    check("GET /auth/me without a token -> 401", anon.status === 401, anon.status);
  }
  // A 400 and a 404 on the first entity that has the endpoints.
  const creatable = meta.entities.find((e) => e.create);
  if (creatable) {
    const r = await req("POST", "/" + creatable.route, { ampsyncUnknownProperty: 1 }, token);
    check("POST /" + creatable.route + " invalid body -> 400 listing the errors", r.status === 400 && r.json && Array.isArray(r.json.message) && r.json.message.length > 0, r.status + " " + r.text.slice(0, 300));
  }
  const readable = meta.entities.find((e) => e.read);
  if (readable) {
    const missing = readable.intId ? "2147483000" : "00000000-0000-4000-8000-000000000000";
    const r = await req("GET", "/" + readable.route + "/" + missing, undefined, token);
    check("GET /" + readable.route + "/<missing> -> 404", r.status === 404, r.status + " " + r.text.slice(0, 300));
  }
  const listable = meta.entities.find((e) => e.search);
  if (listable) {
    const r = await req("GET", "/" + listable.route + "?skip=0&take=5", undefined, token);
    check("GET /" + listable.route + "?skip=0&take=5 -> 200 array with X-Total-Count", r.status === 200 && Array.isArray(r.json) && r.headers.get("x-total-count") !== null, r.status + " " + r.text.slice(0, 300));
  }
  console.log(results.join("\n"));
})().catch((e) => { console.log("FAIL http checks crashed: " + String(e && e.stack || e).split("\n").join(" | ")); });
EOF
}

# Runs the seed a second time and checks it added nobody.
seed_again() {
  local dir=$1 table=$2 db=$3 n
  (cd "$dir" && ADMIN_USERNAME="other-$ADMIN_USER" ADMIN_PASSWORD="$ADMIN_PASS" timeout 120 npm run --silent seed) || return 1
  n=$(psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -c "SELECT count(*) FROM \"$table\"") || return 1
  echo "rows in $table: $n"
  [ "$n" = 1 ]
}

run_service() {
  local svc=$1 dir="$WORK/$svc" v db url port="" pid=""
  log "== $svc"
  [ -d "$dir" ] || return
  db="e2e_$(echo "$svc" | tr -c 'a-z0-9\n' '_')"
  url="postgresql://postgres@127.0.0.1:$PG_PORT/$db"
  export DATABASE_URL=$url
  export JWT_SECRET="e2e-secret-$RANDOM$RANDOM"
  phase "$svc" "create database $db and apply prisma/schema.sql" "$WORK/$svc-schema.log" \
    bash -c "psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -c 'CREATE DATABASE \"$db\"' && psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U postgres -d '$db' -f '$dir/prisma/schema.sql'"

  if [ -z "${NPM_VARIANT[$svc]:-}" ]; then
    ko "$svc" "no committed lockfile matches the generated package.json: the dependencies changed. Refresh with \`scripts/e2e-generated.sh --refresh-locks\`, review and commit tests/fixtures/nestjs-locks/"
    return
  fi
  ok "$svc" "lockfile tests/fixtures/nestjs-locks/${NPM_VARIANT[$svc]} matches package.json"
  phase "$svc" "npm ci (waited for)" "$WORK/$svc-npm-wait.log" wait_npm "$svc" || return
  PHASE_TIMES+=("$svc npm ci (in the background) $(cat "$WORK/$svc-npm.time" 2>/dev/null)s")
  phase "$svc" "prisma generate" "$WORK/$svc-prisma.log" \
    bash -c "cd '$dir' && PRISMA_SCHEMA_ENGINE_BINARY=/bin/false timeout 120 npx --no-install prisma generate" || return
  phase "$svc" "tsc --noEmit" "$WORK/$svc-tsc.log" \
    bash -c "cd '$dir' && timeout 300 npx --no-install tsc --noEmit -p tsconfig.json"
  phase "$svc" "nest build" "$WORK/$svc-build.log" \
    bash -c "cd '$dir' && timeout 300 npx --no-install nest build"
  local t0=$(date +%s)
  (cd "$dir" && timeout 600 npx --no-install jest --config test/jest-e2e.json --runInBand --ci --json \
    --outputFile="$WORK/$svc-jest.json") >"$WORK/$svc-jest.log" 2>&1
  local rc=$?
  PHASE_TIMES+=("$svc jest $(($(date +%s) - t0))s")
  log "$svc: jest exit $rc ($(($(date +%s) - t0))s; log: $WORK/$svc-jest.log)"
  jest_report "$svc" "$WORK/$svc-jest.json"
  if ((rc != 0)) && [ ! -s "$WORK/$svc-jest.json" ]; then tail -n 40 "$WORK/$svc-jest.log" | sed 's/^/       | /'; fi

  [ -f "$dir/dist/main.js" ] || { ko "$svc" "no dist/main.js to start"; return; }
  # The built server gets a database of its own, empty but for the seeded admin.
  export DATABASE_URL="${url}_http"
  phase "$svc" "create database ${db}_http and apply prisma/schema.sql" "$WORK/$svc-schema-http.log" \
    bash -c "psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -c 'CREATE DATABASE \"${db}_http\"' && psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PG_PORT -U postgres -d '${db}_http' -f '$dir/prisma/schema.sql'" || return
  ADMIN_USER="" ADMIN_PASS=""
  if grep -q '"seed"' "$dir/package.json"; then
    ADMIN_USER="e2e-admin-$RANDOM"
    ADMIN_PASS="Adm1n-$RANDOM-$RANDOM"
    phase "$svc" "npm run seed (first admin)" "$WORK/$svc-seed.log" \
      bash -c "cd '$dir' && ADMIN_USERNAME='$ADMIN_USER' ADMIN_PASSWORD='$ADMIN_PASS' timeout 120 npm run --silent seed"
    local table
    table=$(node -p 'require(process.argv[1]).auth.entity' "$dir/test/support/entities.json")
    phase "$svc" "npm run seed again (a user exists: nothing changes)" "$WORK/$svc-seed2.log" \
      seed_again "$dir" "$table" "${db}_http"
  fi
  t0=$(date +%s)
  local up=0 i attempt
  # A port found free can still be taken before the server binds it: start again on
  # another port when that happens (and only then).
  for attempt in 1 2 3; do
    port=$(free_port) || break
    (cd "$dir" && PORT=$port exec node dist/main.js) >"$WORK/$svc-server.log" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    for i in $(seq 1 150); do
      if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then up=1; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    ((up)) && break
    grep -q EADDRINUSE "$WORK/$svc-server.log" || break
    log "$svc: PORT=$port was taken before the server bound it (attempt $attempt); another port"
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if ((up)); then
    ok "$svc" "node dist/main.js listens on PORT=$port ($(($(date +%s) - t0))s)"
    local line
    while IFS= read -r line; do
      case "$line" in
        PASS\ *) ok "$svc" "http ${line#PASS }" ;;
        FAIL\ *) ko "$svc" "http ${line#FAIL }" ;;
      esac
    done < <(ADMIN_USER=$ADMIN_USER ADMIN_PASS=$ADMIN_PASS http_checks "$svc" "http://127.0.0.1:$port")
    # The same suites again, their requests sent to the built server (main.ts as deployed).
    local t1=$(date +%s)
    (cd "$dir" && E2E_BASE_URL="http://127.0.0.1:$port" timeout 600 npx --no-install jest --config test/jest-e2e.json \
      --runInBand --ci --json --outputFile="$WORK/$svc-jest-server.json") >"$WORK/$svc-jest-server.log" 2>&1
    PHASE_TIMES+=("$svc jest@server $(($(date +%s) - t1))s")
    jest_report "$svc" "$WORK/$svc-jest-server.json" "jest@server"
  else
    ko "$svc" "node dist/main.js did not answer /health on PORT=$port"
    tail -n 30 "$WORK/$svc-server.log" | sed 's/^/       | /'
  fi
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  PHASE_TIMES+=("$svc server $(($(date +%s) - t0))s")
}

for svc in "${SERVICES[@]}"; do
  run_service "$svc"
done

# ---------------------------------------------------------------- summary
echo
echo "== e2e-generated: timings"
printf '  %s\n' "${PHASE_TIMES[@]}"
echo "== e2e-generated: results"
total_pass=0
total_fail=0
for svc in "${SERVICES[@]}"; do
  p=${PASS[$svc]:-0} f=${FAIL[$svc]:-0}
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  echo "  $svc: $p passed, $f failed"
done
if ((${#FAILURES[@]})); then
  echo "== failures"
  printf '  %s\n' "${FAILURES[@]}"
fi
echo "$total_pass passed, $total_fail failed ($(now)s)"
((total_fail == 0))
