#!/usr/bin/env bash
# End-to-end benchmark of pgtls against a direct TLS connection to PostgreSQL and against its peers,
# on one machine and in one run, candidates interleaved round by round:
#
#   direct      libpq --TLS--> PostgreSQL
#   tls-tls     libpq --TLS--> pgtls --TLS (verify-full)--> PostgreSQL
#   tls-tls-baseline   the same through a second pgtls from $BASELINE_JAR, only when that is set
#   tls-tls-jdk-engine  the same through a second pgtls with tls_engine = "jdk" (the JDK's TLS engine,
#               whatever the launcher's default is)
#   tls-tls-jdk25  the same through a second pgtls run by bin/pgtls on a newer JDK ($JDK25, default
#               /usr/lib/jvm/temurin-25-jdk-amd64), where the machine has one
#   tls-plain   libpq --TLS--> pgtls --plaintext--> PostgreSQL
#   pgbouncer   libpq --TLS--> PgBouncer (session mode, server_lifetime = 0) --TLS (verify-full)--> PostgreSQL
#   stunnel     libpq --TLS--> stunnel (protocol = pgsql, server) --> stunnel (pgsql, client) --TLS--> PostgreSQL
#   tcp-relay   libpq --TLS, end to end--> HAProxy in TCP mode (copies bytes, no TLS work) --> PostgreSQL:
#               what one more process hop costs by itself on this machine, the floor under any proxy
#   java-relay  the same through tools.NioRelay, a bare one-thread Java NIO relay run with pgtls's JVM
#               options: the JVM's floor beside HAProxy's C one
#
# Every client uses sslmode=verify-full. Measures pgbench -S at 16 clients (tps), one client's
# average and p99 latency, new connections per second (pgbench -C), a 1 GB COPY out and in (time,
# MB/s and the proxy's CPU seconds per GB), and each proxy's RSS with 1,000 and 10,000 idle TLS
# sessions. For every path with a proxy process, that process's CPU (utime + stime from
# /proc/<pid>/stat, summed over its child processes) per transaction of the pgbench -S -c16 run and per
# new connection of the pgbench -S -C run. Writes results.md, results.tsv and chart.png to $OUT
# (default benchmarks/results).
# All traffic stays on 127.0.0.1.
#
#   benchmarks/run.sh [rounds=3] [seconds-per-run=10]
#   ONLY=throughput|memory benchmarks/run.sh ...   (one half only)
#   PGTLS_LOOPS=1 ... / PGTLS_JVM_OPTS="-XX:+UseG1GC" ... (instead of bin/pgtls's defaults, for every
#       pgtls and the Java relay) / IDLE_COUNTS="1000 10000" ...
#   PGTLS_CRYPTO=jdk ... (pgtls's crypto_provider; default auto) / WARMUP_CONNECTIONS=2000 ...
#   PGTLS_TLS_ENGINE=boringssl ... (tls_engine in pgtls's TOML; unset: not written, the launcher's default)
#   JDK25=/path/to/jdk ... (the JDK of tls-tls-jdk25; JDK25= with nothing skips that path)
#   BASELINE_JAR=/path/to/older/pgtls.jar ...   (before and after a change: a second pgtls from that
#       jar, same configuration, JVM options and crypto_provider as the first, on ports of its own,
#       measured as path tls-tls-baseline right after tls-tls, idle memory included)
#   PATHS="direct tls-tls tls-tls-baseline" ...   (only these paths, space-separated; default all of
#       them, tls-tls-jdk25 where its JDK exists; direct always runs, every ratio is against it; peers
#       not chosen are neither installed nor started, except the long-running PgBouncer that pgtls
#       fronts for the memory half above
#       1,000 idle sessions; the memory half measures pgtls for tls-tls, the baseline for
#       tls-tls-baseline, pgtls on the newer JDK for tls-tls-jdk25 and PgBouncer for pgbouncer)
#
# Installs what it lacks from Debian packages when run as root (postgresql, pgbouncer, stunnel4,
# haproxy, openssl; only those the chosen paths need); builds pgtls with Maven if its jar is missing.
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/pgtls-launcher/target/pgtls.jar"
PGTLS="$ROOT/pgtls-launcher/bin/pgtls"   # as users run it, with its default JVM options
TOOLS="$ROOT/benchmarks/target/benchmarks.jar"
OUT="${OUT:-$ROOT/benchmarks/results}"
IDLE_COUNTS="${IDLE_COUNTS:-1000 10000}"
ONLY="${ONLY:-all}"
COPY_ROWS=1007100   # 993-byte COPY text lines: 1.000 GB

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
# bin/pgtls's default JVM options, for the JVMs started without it (the baseline jar, the Java relay)
PGTLS_DEFAULT_JVM_OPTS="$(sed -n 's/^default_java_opts="\(.*\)"$/\1/p' "$PGTLS")"
[ -n "$PGTLS_DEFAULT_JVM_OPTS" ] || { echo "$PGTLS: no default_java_opts line" >&2; exit 1; }
JVM_OPTS="${PGTLS_JVM_OPTS:-$PGTLS_DEFAULT_JVM_OPTS}"

# ---- which paths: PATHS, and BASELINE_JAR for a second, older pgtls ----------------------------
BASELINE_JAR="${BASELINE_JAR:-}"
if [ -n "$BASELINE_JAR" ]; then
  [ -f "$BASELINE_JAR" ] || { echo "BASELINE_JAR=$BASELINE_JAR: no such file" >&2; exit 1; }
  # absolute, since the run works in a directory of its own
  BASELINE_JAR="$(cd "$(dirname "$BASELINE_JAR")" && pwd)/$(basename "$BASELINE_JAR")"
fi
# A newer JDK for pgtls, where the machine has one: tls-tls-jdk25.
JDK25="${JDK25-/usr/lib/jvm/temurin-25-jdk-amd64}"
KNOWN_PATHS="direct tls-tls${BASELINE_JAR:+ tls-tls-baseline} tls-tls-jdk-engine tls-tls-jdk25 tls-plain pgbouncer stunnel tcp-relay java-relay"
declare -A WANT=([direct]=1)   # direct always: every ratio is against it
for p in ${PATHS:-$KNOWN_PATHS}; do
  case " $KNOWN_PATHS " in
    *" $p "*) WANT[$p]=1 ;;
    *) echo "PATHS: no path $p here (known: $KNOWN_PATHS; tls-tls-baseline needs BASELINE_JAR)" >&2; exit 1 ;;
  esac
done
wants() { [ -n "${WANT[$1]:-}" ]; }
if wants tls-tls-jdk25 && ! { [ -n "$JDK25" ] && "$JDK25/bin/java" -version >/dev/null 2>&1; }; then
  log "tls-tls-jdk25: skipped, no JDK at JDK25=${JDK25:-(empty)}"
  unset 'WANT[tls-tls-jdk25]'
fi
max_idle_count=0
for n in $IDLE_COUNTS; do if [ "$n" -gt "$max_idle_count" ]; then max_idle_count=$n; fi; done
# The long-running PgBouncer: a path of its own, and what pgtls fronts above 1,000 idle sessions.
NEED_BOUNCER=""
if wants pgbouncer || { [ "$ONLY" != throughput ] && [ "$max_idle_count" -gt 1000 ] \
    && { wants tls-tls || wants tls-tls-baseline || wants tls-tls-jdk25; }; }; then
  NEED_BOUNCER=1
fi

# ---- what the run needs ------------------------------------------------------------------------
need_pkgs=()
ls -d /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v pgbench >/dev/null || need_pkgs+=(postgresql-contrib)
if [ -n "$NEED_BOUNCER" ]; then
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || need_pkgs+=(pgbouncer)
fi
if wants stunnel; then command -v stunnel >/dev/null || need_pkgs+=(stunnel4); fi
if wants tcp-relay; then command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need_pkgs+=(haproxy); fi
command -v openssl >/dev/null || need_pkgs+=(openssl)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing: ${need_pkgs[*]} (apt-get install them, or run as root)" >&2; exit 1; }
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need_pkgs[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${need_pkgs[@]}" >/dev/null; }
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PGBOUNCER="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
if [ ! -f "$JAR" ] || [ ! -f "$TOOLS" ]; then
  log "building pgtls (mvn -B -q package -DskipTests)"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
# 10,000 client sockets plus 10,000 backend sockets per proxy.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/pgtls-bench-XXXXXX)"
chmod 755 "$WORK"
RUNAS=()
if [ "$(id -u)" = 0 ]; then RUNAS=(setpriv --reuid=postgres --regid=postgres --clear-groups); fi
BASE=$((20000 + RANDOM % 10000))
PGPORT=$BASE; TLSPORT=$((BASE + 1)); PLAINPORT=$((BASE + 2)); BOUNCERPORT=$((BASE + 3))
STUNNELPORT=$((BASE + 4)); STUNNELMID=$((BASE + 5)); TLSBOUNCERPORT=$((BASE + 6)); RELAYPORT=$((BASE + 10))
BASETLSPORT=$((BASE + 11)); BASETOBOUNCERPORT=$((BASE + 12))
JDK25TLSPORT=$((BASE + 15)); JDK25TOBOUNCERPORT=$((BASE + 16)); JAVARELAYPORT=$((BASE + 17))
JDKENGINETLSPORT=$((BASE + 20)); JDKENGINETOBOUNCERPORT=$((BASE + 21))
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# ---- certificates: one CA; PostgreSQL, pgtls, PgBouncer and stunnel each get a P-256 key -------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj "/CN=benchmark CA" 2>/dev/null
printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > ext.cnf
for name in postgres proxy; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $name.key -out $name.csr \
    -subj "/CN=localhost" 2>/dev/null
  openssl x509 -req -in $name.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $name.crt -days 2 \
    -extfile ext.cnf 2>/dev/null
done
[ "$(id -u)" = 0 ] && chown postgres proxy.key postgres.key
chmod 600 proxy.key

# ---- PostgreSQL --------------------------------------------------------------------------------
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
max_connections = 1200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/data/server.log" -w start >/dev/null

# ---- pgtls: TLS->TLS and TLS->plaintext to PostgreSQL; TLS->TLS to PgBouncer for 10,000 idle ---
pgtls_toml() { # tls-port to-pgbouncer-port [plain-port]
  local route
  echo 'log_level = "warn"'
  if [ -n "${PGTLS_LOOPS:-}" ]; then echo "loops = $PGTLS_LOOPS"; fi
  if [ -n "${PGTLS_CRYPTO:-}" ]; then echo "crypto_provider = \"$PGTLS_CRYPTO\""; fi
  if [ -n "${PGTLS_TLS_ENGINE:-}" ]; then echo "tls_engine = \"$PGTLS_TLS_ENGINE\""; fi
  # Every client here comes from 127.0.0.1: the per-address limits (1,000 connections, 200 a
  # second) would refuse the idle sessions and slow the connection runs: none here.
  printf '[limits]\nmax_connections_per_source = 0\nmax_pending_connections = 0\nhandshakes_per_second_per_source = 1e9\nhandshake_burst_per_source = 1000000\n'
  for route in "tls:$1:$PGPORT:true" "to-pgbouncer:$2:$BOUNCERPORT:true" ${3:+"plain:$3:$PGPORT:false"}; do
    IFS=: read -r name port backend tls <<< "$route"
    cat <<TOML
[[proxy]]
  name = "$name"
TOML
    cat <<TOML
  [proxy.listener]
  bind_address = "127.0.0.1:$port"
  server_cert = "$WORK/proxy.crt"
  server_key = "$WORK/proxy.key"
  [proxy.backend]
  address = "127.0.0.1:$backend"
  tls_enabled = $tls
TOML
    if [ "$tls" = true ]; then echo "  root_ca = \"$WORK/ca.crt\""; fi
  done
}
run_pgtls() { # jar config log [java-home]: in the background, $! its JVM. No jar: bin/pgtls, as users
  # run it (on the JDK at java-home when given); a jar (the baseline): java -jar with bin/pgtls's JVM
  # options, its defaults unless PGTLS_JVM_OPTS.
  if [ -z "$1" ]; then
    JAVA_HOME="${4:-${JAVA_HOME:-}}" JAVA_OPTS="${PGTLS_JVM_OPTS:-}" "$PGTLS" --config "$2" > "$3" 2>&1 &
  else
    # shellcheck disable=SC2086
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" $JVM_OPTS -jar "$1" --config "$2" > "$3" 2>&1 &
  fi
}
if wants tls-tls || wants tls-plain; then
  pgtls_toml $TLSPORT $TLSBOUNCERPORT $PLAINPORT > pgtls.toml
  run_pgtls "" pgtls.toml pgtls.log
  PGTLS_PID=$!; PIDS+=("$PGTLS_PID")
fi
# The baseline: the same routes but for TLS->plain, on ports of its own.
if wants tls-tls-baseline; then
  pgtls_toml $BASETLSPORT $BASETOBOUNCERPORT > pgtls-baseline.toml
  run_pgtls "$BASELINE_JAR" pgtls-baseline.toml pgtls-baseline.log
  BASELINE_PID=$!; PIDS+=("$BASELINE_PID")
fi
# pgtls on the JDK's own TLS engine (tls_engine = "jdk"), whatever the default is: the same routes
# but for TLS->plain, on ports of its own.
if wants tls-tls-jdk-engine; then
  PGTLS_TLS_ENGINE=jdk pgtls_toml $JDKENGINETLSPORT $JDKENGINETOBOUNCERPORT > pgtls-jdk-engine.toml
  run_pgtls "" pgtls-jdk-engine.toml pgtls-jdk-engine.log
  JDKENGINE_PID=$!; PIDS+=("$JDKENGINE_PID")
fi
# pgtls on the newer JDK: the same routes but for TLS->plain, on ports of its own.
if wants tls-tls-jdk25; then
  pgtls_toml $JDK25TLSPORT $JDK25TOBOUNCERPORT > pgtls-jdk25.toml
  run_pgtls "" pgtls-jdk25.toml pgtls-jdk25.log "$JDK25"
  JDK25_PID=$!; PIDS+=("$JDK25_PID")
fi

# ---- PgBouncer: TLS on both legs; session pooling, and a transaction-pooled alias for 10,000 idle
cat > userlist.txt <<'USERS'
"postgres" "secret"
USERS
cat > pgbouncer.ini <<INI
[databases]
postgres = host=127.0.0.1 port=$PGPORT dbname=postgres
postgres_tx = host=127.0.0.1 port=$PGPORT dbname=postgres pool_mode=transaction pool_size=4
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCERPORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $WORK/userlist.txt
pool_mode = session
; a fresh server connection per client, as pgtls opens one: connection rates compare like for like
server_lifetime = 0
max_client_conn = 12000
default_pool_size = 1100
max_db_connections = 1150
client_tls_sslmode = require
client_tls_cert_file = $WORK/proxy.crt
client_tls_key_file = $WORK/proxy.key
server_tls_sslmode = verify-full
server_tls_ca_file = $WORK/ca.crt
logfile = $WORK/pgbouncer.log
log_connections = 0
log_disconnections = 0
ignore_startup_parameters = extra_float_digits
INI
chmod 644 userlist.txt pgbouncer.ini
touch pgbouncer.log; [ "$(id -u)" = 0 ] && chown postgres pgbouncer.log
# PgBouncer refuses to run as root.
if [ -n "$NEED_BOUNCER" ]; then
  "${RUNAS[@]}" "$PGBOUNCER" pgbouncer.ini > pgbouncer.out 2>&1 &
  BOUNCER_PID=$!; PIDS+=("$BOUNCER_PID")
fi

# ---- stunnel: two services chained in one process, the way stunnel fronts PostgreSQL ------------
cat > stunnel.conf <<CONF
foreground = yes
pid =
debug = 3
output = $WORK/stunnel.log
[front]
accept = 127.0.0.1:$STUNNELPORT
connect = 127.0.0.1:$STUNNELMID
cert = $WORK/proxy.crt
key = $WORK/proxy.key
protocol = pgsql
[back]
client = yes
accept = 127.0.0.1:$STUNNELMID
connect = 127.0.0.1:$PGPORT
protocol = pgsql
CAfile = $WORK/ca.crt
verifyChain = yes
checkHost = localhost
CONF
if wants stunnel; then
  stunnel stunnel.conf > stunnel.out 2>&1 &
  STUNNEL_PID=$!; PIDS+=("$STUNNEL_PID")
fi

# ---- HAProxy in TCP mode: a bare relay (epoll, one process, its default threads), TLS passing through
# It cannot take part in PostgreSQL's SSLRequest, so it only relays libpq's own TLS session to
# PostgreSQL: the cost of one more hop with no TLS work in it. Debian's apt-get install also starts
# a system haproxy service; this one runs from its own file, in the foreground (-db).
cat > haproxy.cfg <<CONF
global
  maxconn 4000
defaults
  mode tcp
  option tcp-smart-accept
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen relay
  bind 127.0.0.1:$RELAYPORT
  server postgres 127.0.0.1:$PGPORT
CONF
if wants tcp-relay; then
  "$HAPROXY" -db -f haproxy.cfg > haproxy.out 2>&1 &
  RELAY_PID=$!; PIDS+=("$RELAY_PID")
fi

# ---- the Java floor: tools.NioRelay, one NIO selector thread copying bytes, with pgtls's JVM options
if wants java-relay; then
  # shellcheck disable=SC2086
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" $JVM_OPTS -cp "$TOOLS" io.pgtls.benchmarks.tools.NioRelay \
    "127.0.0.1:$JAVARELAYPORT" "127.0.0.1:$PGPORT" > java-relay.out 2>&1 &
  JAVA_RELAY_PID=$!; PIDS+=("$JAVA_RELAY_PID")
fi

export PGPASSWORD=secret
conn() { echo "host=localhost port=$1 user=postgres dbname=${2:-postgres} sslmode=verify-full sslrootcert=$WORK/ca.crt channel_binding=disable"; }
ALL_PATHS=(direct:$PGPORT tls-tls:$TLSPORT ${BASELINE_JAR:+tls-tls-baseline:$BASETLSPORT}
           tls-tls-jdk-engine:$JDKENGINETLSPORT tls-tls-jdk25:$JDK25TLSPORT
           tls-plain:$PLAINPORT pgbouncer:$BOUNCERPORT stunnel:$STUNNELPORT tcp-relay:$RELAYPORT
           java-relay:$JAVARELAYPORT)
RUN_PATHS=()   # the ones PATHS chose, in ALL_PATHS's order
for path in "${ALL_PATHS[@]}"; do if wants "${path%%:*}"; then RUN_PATHS+=("$path"); fi; done
READY_PORTS="$(for path in "${RUN_PATHS[@]}"; do [ "${path%%:*}" = direct ] || echo "${path##*:}"; done) ${NEED_BOUNCER:+$BOUNCERPORT}"
answers() { psql -X -q -At -d "$(conn "$1")" -c "select 1" >/dev/null 2>&1; }
for _ in $(seq 100); do
  ready=1; for p in $READY_PORTS; do answers "$p" || { ready=""; break; }; done
  [ -n "$ready" ] && break
  sleep 0.2
done
for p in $READY_PORTS; do
  psql -X -q -At -d "$(conn $p)" -c "select 1" >/dev/null \
    || { echo "port $p does not answer; logs in $WORK:" >&2
         for f in pgtls.log pgtls-baseline.log pgtls-jdk-engine.log pgtls-jdk25.log pgbouncer.log stunnel.log haproxy.out java-relay.out; do
           if [ -f "$f" ]; then echo "== $f" >&2; tail -5 "$f" >&2; fi
         done; exit 1; }
done

declare -A LABEL=([direct]="direct" [tls-tls]="pgtls TLS→TLS" [tls-tls-baseline]="pgtls TLS→TLS (baseline)"
                  [tls-plain]="pgtls TLS→plain")
declare -A PROC
if [ -n "${PGTLS_PID:-}" ]; then PROC[tls-tls]=$PGTLS_PID; PROC[tls-plain]=$PGTLS_PID; fi
if [ -n "${BASELINE_PID:-}" ]; then PROC[tls-tls-baseline]=$BASELINE_PID; fi
if [ -n "${JDKENGINE_PID:-}" ]; then
  LABEL[tls-tls-jdk-engine]="pgtls TLS→TLS, the JDK's TLS engine"; PROC[tls-tls-jdk-engine]=$JDKENGINE_PID
fi
java_version() { "$1" -version 2>&1 | awk -F'"' 'NR==1 {print $2}'; }
if wants tls-tls-jdk25; then
  LABEL[tls-tls-jdk25]="pgtls TLS→TLS, JDK $(java_version "$JDK25/bin/java")"; PROC[tls-tls-jdk25]=$JDK25_PID
  # beside it, the other says its JDK too: the one bin/pgtls takes (JAVA_HOME, else java on the PATH)
  LABEL[tls-tls]="pgtls TLS→TLS, JDK $(java_version "${JAVA_HOME:+$JAVA_HOME/bin/}java")"
fi
if wants pgbouncer; then
  LABEL[pgbouncer]="PgBouncer $("$PGBOUNCER" --version | awk 'NR==1 {print $2}')"; PROC[pgbouncer]=$BOUNCER_PID
fi
if wants stunnel; then
  LABEL[stunnel]="stunnel $(stunnel -version 2>&1 | awk '/^stunnel/ {print $2; exit}')"; PROC[stunnel]=$STUNNEL_PID
fi
if wants tcp-relay; then
  LABEL[tcp-relay]="HAProxy $("$HAPROXY" -v | awk 'NR==1 {sub(/-.*/, "", $3); print $3}') TCP relay (no TLS work)"
  PROC[tcp-relay]=$RELAY_PID
fi
if wants java-relay; then LABEL[java-relay]="Java NIO relay (no TLS work)"; PROC[java-relay]=$JAVA_RELAY_PID; fi
proc_tree() { # pid -> it and its descendants, one a line
  local c
  echo "$1"
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do proc_tree "$c"; done
}
cpu_ticks() { # pid -> utime + stime of it and its descendants, in ticks (1/100 s)
  local q
  proc_tree "$1" | while read -r q; do awk '{print $14 + $15}' "/proc/$q/stat" 2>/dev/null || true; done \
    | awk '{s += $1} END {print s + 0}'
}
for name in "${!PROC[@]}"; do
  if wants "$name"; then log "$name: ${LABEL[$name]}, process $(proc_tree "${PROC[$name]}" | paste -sd+ -)"; fi
done
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A TPS LAT P99 CONN COUT CIN CPUGB CPUTX CPUCONN
# pgbench's output -> "tps transactions": the tps line, and the transactions actually processed
tps_and_count() { awk '/^tps/ {t = $3} /number of transactions actually processed/ {split($NF, a, "/"); n = a[1]} END {print t, n}'; }
# CPU ticks, count, unit (us or ms) -> the CPU per item in that unit, 2 decimals
per_item() { awk -v d="$1" -v n="$2" -v u="$3" 'BEGIN {if (n > 0) printf "%.2f", d / 100 * (u == "us" ? 1e6 : 1e3) / n; else print "nan"}'; }

# ---- throughput, latency, connections, COPY -----------------------------------------------------
if [ "$ONLY" != memory ]; then
  log "loading: pgbench -i -s 10, a 1 GB table"
  pgbench -i -q -s 10 "$(conn $PGPORT)" >/dev/null 2>&1
  psql -X -q -d "$(conn $PGPORT)" -c "create unlogged table bulk as select repeat(md5(i::text), 31) as t
      from generate_series(1, $COPY_ROWS) i" -c "create unlogged table bulk_in (t text)" -c "vacuum analyze"
  psql -X -q -d "$(conn $PGPORT)" -c "copy bulk to stdout" > bulk.txt
  BYTES=$(stat -c %s bulk.txt)
  # Every proxy gets the same warm-up, counted in connections and transactions rather than seconds.
  # It matters for pgtls: the JIT compiles the JDK's handshake code only after about 2,000 handshakes
  # (measured on 2 cores: a fresh pgtls spends 17-25 ms of CPU on its first few hundred connections,
  # 8-10 ms from then on); a long-running proxy is warm. WARMUP_CONNECTIONS=0 measures a cold one.
  WARMUP_CONNECTIONS="${WARMUP_CONNECTIONS:-2000}"
  log "warming up the proxies: $WARMUP_CONNECTIONS connections and 40,000 transactions each"
  for path in "${RUN_PATHS[@]}"; do
    [ "${path%%:*}" = direct ] && continue
    p=${path##*:}
    pgbench -n -S -c 8 -j 2 -t 5000 "$(conn $p)" >/dev/null 2>&1
    if [ "$WARMUP_CONNECTIONS" -ge 4 ]; then
      pgbench -n -S -C -c 4 -j 2 -t "$(( WARMUP_CONNECTIONS / 4 ))" "$(conn $p)" >/dev/null 2>&1
    fi
  done
  for round in $(seq "$ROUNDS"); do
    for path in "${RUN_PATHS[@]}"; do
      name=${path%%:*}; port=${path##*:}; pid=${PROC[$name]:-}
      [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
      read -r t tn < <(pgbench -n -S -c 16 -j 2 -T "$SECS" "$(conn "$port")" 2>/dev/null | tps_and_count)
      [ -n "$pid" ] && CPUTX[$name]="${CPUTX[$name]:-} $(per_item $(( $(cpu_ticks "$pid") - t0 )) "$tn" us)"
      rm -f pgbench_log.*
      l=$(pgbench -n -S -c 1 -T "$SECS" -l "$(conn "$port")" 2>/dev/null | awk '/latency average/ {print $4}')
      p=$(cat pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int(NR*0.99)]/1000}')
      [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
      read -r c cn < <(pgbench -n -S -C -c 4 -j 2 -T "$SECS" "$(conn "$port")" 2>/dev/null | tps_and_count)
      [ -n "$pid" ] && CPUCONN[$name]="${CPUCONN[$name]:-} $(per_item $(( $(cpu_ticks "$pid") - t0 )) "$cn" ms)"
      [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
      o=$( { TIMEFORMAT=%R; time psql -X -q -d "$(conn "$port")" -c "copy bulk to stdout" > /dev/null; } 2>&1 | tail -1)
      psql -X -q -d "$(conn $PGPORT)" -c "truncate bulk_in"
      i=$( { TIMEFORMAT=%R; time psql -X -q -d "$(conn "$port")" -c "copy bulk_in from stdin" < bulk.txt; } 2>&1 | tail -1)
      if [ -n "$pid" ]; then
        CPUGB[$name]="${CPUGB[$name]:-} $(awk -v a="$t0" -v b="$(cpu_ticks "$pid")" -v n="$BYTES" \
          'BEGIN {printf "%.2f", (b - a) / 100 / (2 * n / 1e9)}')"
      fi
      TPS[$name]="${TPS[$name]:-} $t"; LAT[$name]="${LAT[$name]:-} $l"; P99[$name]="${P99[$name]:-} $p"
      CONN[$name]="${CONN[$name]:-} $c"; COUT[$name]="${COUT[$name]:-} $o"; CIN[$name]="${CIN[$name]:-} $i"
      log "round $round $name: tps=$t latency_ms=$l p99_ms=$p conn/s=$c copy_out_s=$o copy_in_s=$i" \
        "${pid:+cpu_us/tx=${CPUTX[$name]##* } cpu_ms/conn=${CPUCONN[$name]##* } cpu_s/GB=${CPUGB[$name]##* }}"
    done
  done
fi

# ---- memory: RSS with N idle TLS sessions -------------------------------------------------------
# Each measurement gets a fresh proxy process (neither a JVM nor PgBouncer hands memory back to the
# system soon after a load, so a reused one would hide part of the cost), started the same way as
# above on ports of its own. At 1,000 both proxies front PostgreSQL (pgtls TLS->TLS; PgBouncer in
# session mode). 10,000 PostgreSQL backends do not fit on a small machine, so at 10,000 the clients
# ask for PgBouncer's transaction-pooled alias, which holds no server connection for an idle client:
# pgtls fronts the long-running PgBouncer, and the fresh PgBouncer serves the alias itself. Per session = (RSS with N - RSS with one) / N; for pgtls also the heap after a full GC.
# Each proxy whose path PATHS chose: pgtls for tls-tls, the baseline's jar for tls-tls-baseline,
# pgtls on the newer JDK for tls-tls-jdk25.
MEMTLS=$((BASE + 7)); MEMTOBOUNCER=$((BASE + 8)); MEMBOUNCER=$((BASE + 9))
MEMBASETLS=$((BASE + 13)); MEMBASETOBOUNCER=$((BASE + 14))
MEMJDK25TLS=$((BASE + 18)); MEMJDK25TOBOUNCER=$((BASE + 19))
pgtls_toml $MEMTLS $MEMTOBOUNCER > pgtls-mem.toml
pgtls_toml $MEMBASETLS $MEMBASETOBOUNCER > pgtls-mem-baseline.toml
pgtls_toml $MEMJDK25TLS $MEMJDK25TOBOUNCER > pgtls-mem-jdk25.toml
sed -e "s/^listen_port = .*/listen_port = $MEMBOUNCER/" -e "s|^logfile = .*|logfile = $WORK/pgbouncer-mem.log|" \
    pgbouncer.ini > pgbouncer-mem.ini
touch pgbouncer-mem.log; [ "$(id -u)" = 0 ] && chown postgres pgbouncer-mem.log
declare -A MEM
heap_live_kib() { # pid [jdk] -> live heap of a JVM: a class histogram runs a full GC first, whatever the collector
  "${2:+$2/bin/}jcmd" "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ {printf "%.0f\n", $3 / 1024}'
}
start_fresh() { # name -> pid of a new proxy process, once it answers
  local pid port
  case $1 in
    pgtls) run_pgtls "" pgtls-mem.toml pgtls-mem.log; pid=$!; port=$MEMTLS ;;
    pgtls-baseline)
      run_pgtls "$BASELINE_JAR" pgtls-mem-baseline.toml pgtls-mem-baseline.log; pid=$!; port=$MEMBASETLS ;;
    pgtls-jdk25) run_pgtls "" pgtls-mem-jdk25.toml pgtls-mem-jdk25.log "$JDK25"; pid=$!; port=$MEMJDK25TLS ;;
    *)
      "${RUNAS[@]}" "$PGBOUNCER" pgbouncer-mem.ini > pgbouncer-mem.out 2>&1 &
      pid=$!; port=$MEMBOUNCER ;;
  esac
  PIDS+=("$pid")
  for _ in $(seq 100); do psql -X -q -At -d "$(conn $port)" -c "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "$pid"
}
idle_run() { # name port dbname count -> "rss_kib_per_session heap_bytes_per_session"
  local name=$1 port=$2 db=$3 n=$4 pid r0="" h0="" r1="" h1="" fifo cpid jdk=""
  [ "$name" = pgtls-jdk25 ] && jdk=$JDK25
  pid=$(start_fresh "$name")
  r0=$(rss_kib "$pid"); [ "$name" != pgbouncer ] && h0=$(heap_live_kib "$pid" "$jdk")
  fifo="$WORK/idle.$name.$n"; mkfifo "$fifo"
  java -Xmx6g -cp "$TOOLS" io.pgtls.benchmarks.tools.IdleClients --host 127.0.0.1 --port "$port" \
    --count "$n" --user postgres --password secret --database "$db" --root-cert "$WORK/ca.crt" \
    < "$fifo" > "$WORK/idle.out" 2> "$WORK/idle.err" &
  cpid=$!
  exec 9> "$fifo"
  for _ in $(seq 1200); do grep -q '^ready' "$WORK/idle.out" 2>/dev/null && break; kill -0 $cpid 2>/dev/null || break; sleep 0.5; done
  if grep -q '^ready' "$WORK/idle.out"; then
    sleep 2
    r1=$(rss_kib "$pid"); [ "$name" != pgbouncer ] && h1=$(heap_live_kib "$pid" "$jdk")
  else
    log "$name: $n idle sessions did not open: $(tail -2 "$WORK/idle.err")"
  fi
  exec 9>&-; wait $cpid || true; rm -f "$fifo"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ -z "$r1" ]; then echo "nan nan"; return; fi
  awk -v r0="$r0" -v r1="$r1" -v h0="${h0:-0}" -v h1="${h1:-0}" -v n="$n" -v heap="$h1" \
    'BEGIN {printf "%.1f %s\n", (r1 - r0) / n, heap != "" ? sprintf("%.0f", (h1 - h0) * 1024 / n) : "nan"}'
}
# pgtls holds two sockets per session; where the open-file limit cannot be raised (a container
# without CAP_SYS_RESOURCE), both proxies are measured at the largest count that fits.
MAX_IDLE=$(( ($(ulimit -n) - 500) / 2 ))
MEASURED_COUNTS=""
if [ "$ONLY" != throughput ]; then
  for n in $IDLE_COUNTS; do
    if [ "$n" -gt "$MAX_IDLE" ]; then
      log "memory: $n sessions need $((2 * n)) descriptors but the limit is $(ulimit -n): measuring $MAX_IDLE"
      n=$MAX_IDLE
    fi
    MEASURED_COUNTS="$MEASURED_COUNTS $n"
    if [ "$n" -le 1000 ]; then
      pgtls_port=$MEMTLS; base_port=$MEMBASETLS; jdk25_port=$MEMJDK25TLS; db=postgres
    else
      pgtls_port=$MEMTOBOUNCER; base_port=$MEMBASETOBOUNCER; jdk25_port=$MEMJDK25TOBOUNCER; db=postgres_tx
    fi
    if wants pgbouncer; then
      log "memory: $n idle TLS sessions through PgBouncer"
      MEM[pgbouncer.$n]=$(idle_run pgbouncer "$MEMBOUNCER" "$db" "$n")
    fi
    if wants tls-tls; then
      log "memory: $n idle TLS sessions through pgtls"
      MEM[pgtls.$n]=$(idle_run pgtls "$pgtls_port" "$db" "$n")
    fi
    if wants tls-tls-baseline; then
      log "memory: $n idle TLS sessions through the baseline pgtls"
      MEM[pgtls-baseline.$n]=$(idle_run pgtls-baseline "$base_port" "$db" "$n")
    fi
    if wants tls-tls-jdk25; then
      log "memory: $n idle TLS sessions through ${LABEL[tls-tls-jdk25]}"
      MEM[pgtls-jdk25.$n]=$(idle_run pgtls-jdk25 "$jdk25_port" "$db" "$n")
    fi
    log "memory at $n: pgtls ${MEM[pgtls.$n]:-—}${BASELINE_JAR:+ / baseline ${MEM[pgtls-baseline.$n]:-—}}${JDK25_PID:+ / JDK 25 ${MEM[pgtls-jdk25.$n]:-—}} / pgbouncer ${MEM[pgbouncer.$n]:-—}"
  done
fi

# ---- report --------------------------------------------------------------------------------------
mkdir -p "$OUT"
# Each measurement's median over the rounds, once: MED[TPS.direct], MED[LAT.tls-tls], ...
declare -A MED
median_of() { local -n values=$1; echo ${values[$2]:-} | median; }
if [ "$ONLY" != memory ]; then
  for path in "${RUN_PATHS[@]}"; do
    for m in TPS LAT P99 CONN COUT CIN CPUGB CPUTX CPUCONN; do MED[$m.${path%%:*}]=$(median_of $m "${path%%:*}"); done
  done
fi
MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
BASELINE_NOTE=""
if [ -n "$BASELINE_JAR" ]; then
  BASELINE_NOTE=" Baseline (tls-tls-baseline, ${LABEL[tls-tls-baseline]}): $BASELINE_JAR (sha256 $(sha256sum "$BASELINE_JAR" | cut -c1-12)), with the same configuration, JVM options and crypto_provider."
fi
VERSIONS="PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), $(java -version 2>&1 | head -1 | tr -d '"'), libpq $(pg_config --version 2>/dev/null | awk '{print $2}' || echo '?')"
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $MACHINE; $VERSIONS; \`run.sh $ROUNDS $SECS\` (medians of $ROUNDS interleaved rounds, ${SECS}s runs, after ${WARMUP_CONNECTIONS:-0} warm-up connections per proxy); pgtls crypto_provider = ${PGTLS_CRYPTO:-auto}, JVM options ${PGTLS_JVM_OPTS:-of bin/pgtls}; all clients sslmode=verify-full.$BASELINE_NOTE"
  echo
  if [ "$ONLY" != memory ]; then
    echo "| path | pgbench -S -c16 tps | × direct | 1-client latency ms (p99) | added µs | new conn/s | × direct | COPY out 1 GB s | × direct | COPY in 1 GB s | × direct | proxy CPU s/GB | proxy CPU µs/tx | proxy CPU ms/conn |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for path in "${RUN_PATHS[@]}"; do
      n=${path%%:*}
      awk -v label="${LABEL[$n]}" -v t="${MED[TPS.$n]}" -v l="${MED[LAT.$n]}" -v p="${MED[P99.$n]}" \
        -v c="${MED[CONN.$n]}" -v o="${MED[COUT.$n]}" -v i="${MED[CIN.$n]}" -v g="${MED[CPUGB.$n]}" -v b="$BYTES" \
        -v ct="${MED[CPUTX.$n]}" -v cc="${MED[CPUCONN.$n]}" \
        -v dt="${MED[TPS.direct]}" -v dl="${MED[LAT.direct]}" -v dc="${MED[CONN.direct]}" \
        -v dout="${MED[COUT.direct]}" -v din="${MED[CIN.direct]}" 'BEGIN {
        printf "| %s | %.0f | %.2f× | %.3f (%.3f) | %+.0f | %.0f | %.2f× | %.2f (%.0f MB/s) | %.2f× | %.2f (%.0f MB/s) | %.2f× | %s | %s | %s |\n",
          label, t, t/dt, l, p, (l-dl)*1000, c, c/dc, o, b/1e6/o, o/dout, i, b/1e6/i, i/din, (g == "nan" ? "—" : g),
          (ct == "nan" ? "—" : sprintf("%.1f", ct)), (cc == "nan" ? "—" : sprintf("%.2f", cc)) }'
    done
    echo
  fi
  if [ "$ONLY" != throughput ]; then
    # A column pair per pgtls (tls-tls, tls-tls-baseline, tls-tls-jdk25) and one for PgBouncer, as PATHS chose.
    hdr="| idle TLS sessions"; rule="|---"
    if wants tls-tls; then hdr="$hdr | pgtls RSS KiB per session | pgtls heap bytes per session"; rule="$rule|---|---"; fi
    if wants tls-tls-baseline; then
      hdr="$hdr | baseline pgtls RSS KiB per session | baseline pgtls heap bytes per session"; rule="$rule|---|---"
    fi
    if wants tls-tls-jdk25; then
      hdr="$hdr | pgtls on JDK $(java_version "$JDK25/bin/java") RSS KiB per session | heap bytes per session"
      rule="$rule|---|---"
    fi
    if wants pgbouncer; then hdr="$hdr | PgBouncer RSS KiB per session"; rule="$rule|---"; fi
    echo "$hdr |"; echo "$rule|"
    for n in $MEASURED_COUNTS; do
      row="| $n"
      if wants tls-tls; then read -r pr ph <<< "${MEM[pgtls.$n]}"; row="$row | $pr | $ph"; fi
      if wants tls-tls-baseline; then read -r qr qh <<< "${MEM[pgtls-baseline.$n]}"; row="$row | $qr | $qh"; fi
      if wants tls-tls-jdk25; then read -r jr jh <<< "${MEM[pgtls-jdk25.$n]}"; row="$row | $jr | $jh"; fi
      if wants pgbouncer; then read -r br _ <<< "${MEM[pgbouncer.$n]}"; row="$row | $br"; fi
      echo "$row |"
    done
    echo
    echo "A fresh proxy process per measurement; per session = (RSS with N - RSS with one) / N. At 1,000 both proxies front PostgreSQL; at 10,000 the sessions are for PgBouncer's transaction-pooled alias, pgtls in front of a PgBouncer (10,000 PostgreSQL backends do not fit here)."
  fi
} > "$OUT/results.md"

if [ "$ONLY" != memory ]; then
  {
    # A ratio to direct per line; the proxy CPU lines carry a unit instead (absolute values, no direct).
    printf "metric\tpath\tvalue\tbetter\tunit\n"
    {
      for path in "${RUN_PATHS[@]}"; do
        n=${path%%:*}
        awk -v label="${LABEL[$n]}" -v t="${MED[TPS.$n]}" -v dt="${MED[TPS.direct]}" \
          -v l="${MED[LAT.$n]}" -v dl="${MED[LAT.direct]}" -v c="${MED[CONN.$n]}" -v dc="${MED[CONN.direct]}" \
          -v o="${MED[COUT.$n]}" -v dout="${MED[COUT.direct]}" -v i="${MED[CIN.$n]}" -v din="${MED[CIN.direct]}" 'BEGIN {
          printf "pgbench -S -c16 tps\t%s\t%.4f\thigher\n", label, t/dt
          printf "new connections/s\t%s\t%.4f\thigher\n", label, c/dc
          printf "1-client latency\t%s\t%.4f\tlower\n", label, l/dl
          printf "COPY out 1 GB time\t%s\t%.4f\tlower\n", label, o/dout
          printf "COPY in 1 GB time\t%s\t%.4f\tlower\n", label, i/din }'
      done
      for path in "${RUN_PATHS[@]}"; do
        n=${path%%:*}
        [ -n "${PROC[$n]:-}" ] || continue
        printf "proxy CPU per transaction\t%s\t%s\tlower\tµs\n" "${LABEL[$n]}" "${MED[CPUTX.$n]}"
        printf "proxy CPU per new connection\t%s\t%s\tlower\tms\n" "${LABEL[$n]}" "${MED[CPUCONN.$n]}"
      done
    } | { grep -v -E $'\t-?(nan|inf)\t' || true; }   # a path that could not run gets no bar
  } > "$OUT/results.tsv"
  java -cp "$TOOLS" io.pgtls.benchmarks.tools.Chart --in "$OUT/results.tsv" --out "$OUT/chart.png" \
    --title "pgtls and peers against a direct TLS connection to PostgreSQL ($MACHINE)"
fi
cat "$OUT/results.md"
