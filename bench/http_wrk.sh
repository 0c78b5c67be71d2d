#!/usr/bin/env bash
# Requests per second for the audience's leaderboard page, measured with wrk (C, one thread on
# core 1) against `hoithi serve` (core 0): straight to the server, then through nginx with
# deploy/nginx.conf (its one-second cache of public pages). Needs Debian's wrk and nginx
# (`apt-get install wrk nginx`); prints a Markdown table. Usage: bench/http_wrk.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
for tool in wrk nginx; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }; done
py=${PYTHON:-python}
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers run unprivileged: they must reach the cache folder
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOITHI_INSTANCE_PATH=$tmp HOITHI_RATELIMIT_ENABLED=0 HOITHI_BACKUP_MINUTES=0 \
  taskset -c 0 $py -m contest.cli serve --demo --no-qr --host 127.0.0.1 --port "$port" >"$tmp/serve.log" 2>&1 &
server=$!
# deploy/nginx.conf with this run's ports, cache folder and static folder
sed -e "s|/var/cache/nginx/hoithi|$tmp/cache|" -e "s|listen 80 |listen $nport |" \
    -e '/127.0.0.1:500[234];/d' -e "s|127.0.0.1:5001|127.0.0.1:$port|" \
    -e "s|alias /opt/hoithi/static/;|alias $PWD/static/;|" deploy/nginx.conf >"$tmp/site.conf"
printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents { worker_connections 4096; }\nhttp { include %s/site.conf; }\n' \
  "$tmp" "$tmp" "$tmp" >"$tmp/nginx.conf"
cleanup() { nginx -c "$tmp/nginx.conf" -p "$tmp" -s stop 2>/dev/null || true; kill $server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/c/1" && break; sleep 0.1; done
taskset -c 0 nginx -c "$tmp/nginx.conf" -p "$tmp"
echo "Machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| GET | via | req/s | latency avg | non-2xx |"
echo "|---|---|---|---|---|"
run() {  # path base label
  out=$(taskset -c 1 wrk -t1 -c64 -d"${secs}s" -H "Accept-Encoding: gzip" "$2$1")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "| $1 | $3 | $rps | $lat | ${bad:-0} |"
}
for path in /c/1 /c/1/projector /static/css/hoithi.css; do
  run "$path" "http://127.0.0.1:$port" "hoithi serve"
  run "$path" "http://127.0.0.1:$nport" "nginx (deploy/nginx.conf)"
done
