#!/usr/bin/env bash
# Side-by-side end-to-end comparison on one machine, in one run: a direct TLS connection to
# PostgreSQL against pgtls's TLS->TLS and TLS->plaintext routes, candidates interleaved round by
# round. Prints a Markdown table of ratios to direct. Traffic stays on 127.0.0.1.
#
#   benchmarks/compare.sh [rounds] [seconds-per-run]
#   PGTLS_LOOPS=1 benchmarks/compare.sh ...   (selector loops; default one per core)
#
# Needs: a built pgtls-launcher/target/pgtls.jar (mvn -B -q package -DskipTests), PostgreSQL server
# binaries (Debian's postgresql package), psql, pgbench, openssl. Runs as root or as a user.
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/pgtls-launcher/target/pgtls.jar"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
[ -x "$PGBIN/postgres" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/pgtls-compare-XXXXXX)"
chmod 755 "$WORK"
RUNAS=()
if [ "$(id -u)" = 0 ]; then RUNAS=(setpriv --reuid=postgres --regid=postgres --clear-groups); fi
PGPORT=$((20000 + RANDOM % 10000)); TLSPORT=$((PGPORT + 1)); PLAINPORT=$((PGPORT + 2))
cleanup() {
  [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null || true
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj "/CN=compare CA" 2>/dev/null
for name in postgres pgtls; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $name.key -out $name.csr \
    -subj "/CN=localhost" 2>/dev/null
  printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > ext.cnf
  openssl x509 -req -in $name.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $name.crt -days 2 \
    -extfile ext.cnf 2>/dev/null
done
mkdir data; chmod 700 data
[ "$(id -u)" = 0 ] && chown postgres data
echo secret > pw; chmod 644 pw
"${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --pwfile="$WORK/pw" --auth=scram-sha-256 >/dev/null
cp postgres.crt postgres.key data/; chmod 600 data/postgres.key
[ "$(id -u)" = 0 ] && chown postgres data/postgres.crt data/postgres.key
cat >> data/postgresql.conf <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
ssl = on
ssl_cert_file = 'postgres.crt'
ssl_key_file = 'postgres.key'
max_connections = 100
shared_buffers = 256MB
fsync = off
CONF
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/data/server.log" -w start >/dev/null

cat > pgtls.toml <<TOML
log_level = "warn"
${PGTLS_LOOPS:+loops = $PGTLS_LOOPS}
[[proxy]]
  name = "tls"
  [proxy.listener]
  bind_address = "127.0.0.1:$TLSPORT"
  server_cert = "$WORK/pgtls.crt"
  server_key = "$WORK/pgtls.key"
  [proxy.backend]
  address = "127.0.0.1:$PGPORT"
  tls_enabled = true
  root_ca = "$WORK/ca.crt"
[[proxy]]
  name = "plain"
  [proxy.listener]
  bind_address = "127.0.0.1:$PLAINPORT"
  server_cert = "$WORK/pgtls.crt"
  server_key = "$WORK/pgtls.key"
  [proxy.backend]
  address = "127.0.0.1:$PGPORT"
  tls_enabled = false
TOML
java -jar "$JAR" --config pgtls.toml > proxy.log 2>&1 &
PROXY_PID=$!
for _ in $(seq 50); do grep -q "started" proxy.log 2>/dev/null && break; sleep 0.2; done

export PGPASSWORD=secret
conn() { echo "host=localhost port=$1 user=postgres dbname=postgres sslmode=verify-full sslrootcert=$WORK/ca.crt channel_binding=disable"; }
pgbench -i -q -s 10 "$(conn $PGPORT)" >/dev/null 2>&1
# Warm the proxy's JIT before measuring.
pgbench -n -S -c 8 -T 5 "$(conn $TLSPORT)" >/dev/null 2>&1
pgbench -n -S -c 8 -T 5 "$(conn $PLAINPORT)" >/dev/null 2>&1

declare -A TPS LAT COPY
COPY_SQL="copy (select repeat(md5(i::text), 16) from generate_series(1, 1000000) i) to stdout"
for round in $(seq "$ROUNDS"); do
  for path in direct:$PGPORT tls-tls:$TLSPORT tls-plain:$PLAINPORT; do
    name=${path%%:*}; port=${path##*:}
    t=$(pgbench -n -S -c 16 -j 2 -T "$SECS" "$(conn "$port")" 2>/dev/null | awk '/^tps/ {print $3}')
    l=$(pgbench -n -S -c 1 -T "$SECS" "$(conn "$port")" 2>/dev/null | awk '/latency average/ {print $4}')
    s=$( { TIMEFORMAT=%R; time psql -X -q -d "$(conn "$port")" -c "$COPY_SQL" > /dev/null; } 2>&1 | tail -1)
    TPS[$name]="${TPS[$name]:-} $t"; LAT[$name]="${LAT[$name]:-} $l"; COPY[$name]="${COPY[$name]:-} $s"
    echo "round $round $name: tps=$t latency_ms=$l copy_s=$s" >&2
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "| path | pgbench -S -c16 tps | ratio | 1-client latency ms | added µs | COPY out 513 MB s | ratio |"
echo "|---|---|---|---|---|---|---|"
dt=$(echo ${TPS[direct]} | median); dl=$(echo ${LAT[direct]} | median); dc=$(echo ${COPY[direct]} | median)
for name in direct tls-tls tls-plain; do
  t=$(echo ${TPS[$name]} | median); l=$(echo ${LAT[$name]} | median); c=$(echo ${COPY[$name]} | median)
  awk -v n="$name" -v t="$t" -v l="$l" -v c="$c" -v dt="$dt" -v dl="$dl" -v dc="$dc" 'BEGIN {
    printf "| %s | %.0f | %.2f× | %.3f | %+.0f | %.2f | %.2f× |\n", n, t, t/dt, l, (l-dl)*1000, c, c/dc }'
done
echo
echo "Medians of $ROUNDS interleaved rounds, ${SECS}s each; $(nproc) cores; $(date -u +%Y-%m-%d); PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'); $(java -version 2>&1 | head -1)."
