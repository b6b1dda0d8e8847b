#!/usr/bin/env bash
# Metrics (issue 13, part 3): `vfwd stats --prometheus` and vfwd-exporter's
# /metrics, checked with Prometheus's own tools: `promtool check metrics`
# (Debian's prometheus) accepts both, and python3-prometheus-client's
# parser reads the same numbers that `vfwd -j stats` shows, port by port
# and reason by reason.  The exporter answers vfwd_up 0 when there is no
# installation, 404 off /metrics, and refuses a bad --listen.
#
#   wire ns --veth--> u [vfwd_uplink] --DEVMAP--> tap t1 (port vm1)
source "$(dirname "$0")/../lib.sh"

EXPORTER=$B/vfwd-exporter
PROMTOOL=$(command -v promtool)
[ -n "$PROMTOOL" ] || { fail setup "promtool not found (make deps installs prometheus)"; finish; }
# Debian's Python, where python3-prometheus-client is (a python3 earlier
# in PATH may be another).
PYD=${PYTHON:-/usr/bin/python3}
"$PYD" -c 'import prometheus_client' 2>/dev/null ||
	{ fail setup "python3-prometheus-client missing (make deps installs it)"; finish; }

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
TAP=${PFX}t1
M1=52:54:00:00:0e:01
N=300

add_netns "$WIRE" && add_veth "$UP" "$W" "$WIRE" &&
	ip tuntap add dev "$TAP" mode tap && track_link "$TAP" &&
	ip link set "$TAP" up || { fail setup "netns, veth or tap"; finish; }
check attach vfwd attach "$UP"
check port_add vfwd port add vm1 --dev "$TAP"
check mac_add vfwd mac add "$M1" --port vm1
# Traffic of several reasons: to the port (fwd, though the tap has no
# reader and drops them: counted as sent), broadcasts (bcast), unknown.
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M1" --count "$N" >/dev/null
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst ff:ff:ff:ff:ff:ff --count 20 >/dev/null
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst 52:54:00:00:0e:99 --count 30 >/dev/null

# compare FILE: the metrics in FILE against `vfwd -j stats` (read just
# after; nothing is sent meanwhile).  Prints "ok" or what differs.
compare() {
	vfwd -j stats >"$TMPD/stats.json" || { echo "vfwd -j stats failed"; return; }
	"$PYD" - "$1" "$TMPD/stats.json" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
st = json.load(open(sys.argv[2]))
got = {}
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        got[(s.name, tuple(sorted(s.labels.items())))] = s.value
bad = []
def want(name, labels, v):
    k = (name, tuple(sorted(labels.items())))
    if k not in got:
        bad.append("missing %s%s" % (name, labels))
    elif got[k] != v:
        bad.append("%s%s: metrics %s, -j stats %s" % (name, labels, got[k], v))
ports = {p["name"]: p for p in st["ports"]}
nports = 0
for p in st["ports"]:
    up = p["name"] if p["kind"] == "uplink" else next(
        (q["name"] for q in st["ports"] if q["kind"] == "uplink"), "")
    labels = {"port": p["name"], "kind": p["kind"], "uplink": up}
    for f in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_dropped",
              "rx_passed", "spoof_dropped", "flood_packets"):
        want("vfwd_port_%s_total" % f, labels, p[f])
    if p["tx_dropped"] is not None:
        want("vfwd_port_tx_dropped_total", labels, p["tx_dropped"])
    nports += 1
for r, v in st["reasons"].items():
    labels = {"reason": r, "action": v["action"]}
    want("vfwd_reason_packets_total", labels, v["packets"])
    want("vfwd_reason_bytes_total", labels, v["bytes"])
# Nothing in the metrics that -j stats does not have (besides vfwd_up).
extra = [k for k in got if k[0].startswith("vfwd_port_")
         and dict(k[1])["port"] not in ports]
bad += ["extra %s%s" % (k[0], dict(k[1])) for k in extra]
print("ok" if not bad else "; ".join(bad[:5]))
PY
}

# ---- what arrived: tx_packets less what the device refused ----
# vm1's tap has no reader: the kernel refuses every frame redirected to
# it, and says so on xdp:xdp_devmap_xmit.  vm3's tap has one (vfwd-sink):
# all arrive.
M3=52:54:00:00:0e:03
TAP3=${PFX}t3
start_sink tap3 "$SINK" --tap "$TAP3" || { fail setup "tap sink"; finish; }
track_link "$TAP3"
check port_add_vm3 vfwd port add vm3 --dev "$TAP3"
check mac_add_m3 vfwd mac add "$M3" --port vm3
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M3" --count 100 >/dev/null
sleep 0.3
stop_sink tap3
expect_eq no_reader_all_refused "$N $N" "$(port_stat vm1 tx_packets) $(port_stat vm1 tx_dropped)"
expect_eq reader_none_refused "100 0 100" \
	"$(port_stat vm3 tx_packets) $(port_stat vm3 tx_dropped) $(sink_count tap3 "$M3/0")"
check port_del_vm3 vfwd port del vm3 --force

# ---- vfwd stats --prometheus ----
vfwd stats --prometheus >"$TMPD/cli.txt" 2>"$TMPD/cli.err" ||
	fail cli_prometheus "$(cat "$TMPD/cli.err")"
if "$PROMTOOL" check metrics <"$TMPD/cli.txt" >"$TMPD/promtool.out" 2>&1; then
	pass cli_promtool_accepts
else
	fail cli_promtool_accepts "$(head -5 "$TMPD/promtool.out" | tr '\n' '|')"
fi
expect_eq cli_same_numbers_as_json ok "$(compare "$TMPD/cli.txt")"
# metric FILE NAME PORT: a port counter's value in FILE, and its labels.
metric() {
	"$PYD" - "$@" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in f.samples:
        if s.name == sys.argv[2] and s.labels.get("port") == sys.argv[3]:
            print(int(s.value), s.labels["kind"], s.labels["uplink"])
PY
}
# Not all zero: the uplink's received frames are every frame sent.
expect_eq cli_uplink_rx "$((N + 20 + 30 + 100)) uplink $UP" "$(metric "$TMPD/cli.txt" vfwd_port_rx_packets_total "$UP")"
# One port asked for: the same series, its uplink named.
vfwd stats --port vm1 --prometheus >"$TMPD/one.txt"
expect_eq cli_one_port_same_series "$(metric "$TMPD/cli.txt" vfwd_port_tx_packets_total vm1)" \
	"$(metric "$TMPD/one.txt" vfwd_port_tx_packets_total vm1)"
expect_eq cli_one_port_only "1" "$(grep -c '^vfwd_port_tx_packets_total' "$TMPD/one.txt")"
# Two output formats at once: refused (with -j, the error is JSON).
if vfwd -j stats --prometheus >"$TMPD/pj.out" 2>"$TMPD/pj.err"; then
	fail cli_prometheus_and_json "-j stats --prometheus succeeded"
else
	expect_eq cli_prometheus_and_json True \
		"$(jget "'two output formats' in d['error']" <"$TMPD/pj.out")"
fi
refuse cli_prometheus_and_interval vfwd stats --prometheus --interval 1

# ---- vfwd-exporter ----
# A free port on loopback, asked of the kernel.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$EXPORTER" --listen "127.0.0.1:$PORT" --pin-path "$PIN" 2>"$TMPD/exporter.log" &
EXP_PID=$!
_pids+=("$EXP_PID")
# scrape PATH FILE: the HTTP status, the body into FILE.
scrape() {
	python3 - "http://127.0.0.1:$PORT$1" "$2" <<'PY'
import sys, time, urllib.request, urllib.error
for _ in range(50):
    try:
        r = urllib.request.urlopen(sys.argv[1], timeout=5)
        open(sys.argv[2], "wb").write(r.read())
        print(r.status, r.headers.get("Content-Type"))
        break
    except urllib.error.HTTPError as e:
        print(e.code)
        break
    except OSError:
        time.sleep(0.1)
else:
    print("unreachable")
PY
}
expect_eq exporter_ok "200 text/plain; version=0.0.4; charset=utf-8" "$(scrape /metrics "$TMPD/exp.txt")"
if "$PROMTOOL" check metrics <"$TMPD/exp.txt" >"$TMPD/promtool2.out" 2>&1; then
	pass exporter_promtool_accepts
else
	fail exporter_promtool_accepts "$(head -5 "$TMPD/promtool2.out" | tr '\n' '|')"
fi
expect_eq exporter_same_numbers_as_json ok "$(compare "$TMPD/exp.txt")"
check exporter_up grep -qx 'vfwd_up 1' "$TMPD/exp.txt"
# Each scrape reads the maps anew.
rx1=$(metric "$TMPD/exp.txt" vfwd_port_rx_packets_total "$UP" | cut -d' ' -f1)
ip netns exec "$WIRE" "$GEN" --dev "$W" --dst "$M1" --count "$N" >/dev/null
scrape /metrics "$TMPD/exp2.txt" >/dev/null
expect_eq exporter_reads_each_scrape ok "$(compare "$TMPD/exp2.txt")"
expect_eq exporter_sees_new_traffic "$((rx1 + N))" \
	"$(metric "$TMPD/exp2.txt" vfwd_port_rx_packets_total "$UP" | cut -d' ' -f1)"
# HEAD: the headers only; another method: 405, saying which are allowed.
expect_eq exporter_head "200 0" "$(python3 - "$PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("HEAD", "/metrics")
r = c.getresponse()
print(r.status, len(r.read()))
PY
)"
expect_eq exporter_post_405 "405 GET, HEAD" "$(python3 - "$PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("POST", "/metrics", body=b"x")
r = c.getresponse()
print(r.status, r.getheader("Allow"))
PY
)"
expect_eq exporter_not_found 404 "$(scrape /other "$TMPD/other.txt")"
# No installation: still a scrape, saying so.
check detach vfwd detach "$UP"
expect_eq exporter_gone_ok "200 text/plain; version=0.0.4; charset=utf-8" "$(scrape /metrics "$TMPD/gone.txt")"
check exporter_gone_up_0 grep -qx 'vfwd_up 0' "$TMPD/gone.txt"
check exporter_gone_promtool "$PROMTOOL" check metrics <"$TMPD/gone.txt"
check exporter_says_why grep -q "no vfwd installation there" "$TMPD/exporter.log"
kill -TERM "$EXP_PID"
wait "$EXP_PID"
expect_eq exporter_clean_exit 0 "$?"
refuse exporter_bad_listen "$EXPORTER" --listen 127.0.0.1 --pin-path "$PIN"
refuse exporter_bad_port "$EXPORTER" --listen 127.0.0.1:70000 --pin-path "$PIN"
refuse exporter_signed_port "$EXPORTER" --listen 127.0.0.1:+80 --pin-path "$PIN"
finish
