#!/usr/bin/env bash
# AF_XDP guest ports served by vfwd-vhost, with dpdk-testpmd's virtio_user
# as the guest: a vhost-user front end nobody here wrote.
#
#   wire netns --veth--> uplink (vfwd_uplink) --XSKMAP--> vfwd-vhost
#       --vhost-user--> dpdk-testpmd (virtio_user, server=1)
#
# rxonly: every frame sent on the wire to the guest's MAC arrives, none
# other, and so do the broadcasts of its VLAN; frames for a port whose
# guest is away count as port_down.
# txonly: the guest's frames reach the wire; with a spoofed source MAC
# none do, and they count as spoof.  vfwd-vhost killed with SIGKILL and
# started again takes the port back (client mode) without restarting the
# guest, whose traffic resumes; killed at random moments of its start, it
# leaves nothing behind, and a busy-polling one (--poll) takes over.  A
# stuck guest (SIGSTOP) does not stall another.  port del empties the
# port's XSKMAP slots; the last detach makes the daemon let go of
# everything.
source "$(dirname "$0")/../lib.sh"

VHOST=$B/vfwd-vhost
TESTPMD=$(command -v dpdk-testpmd)
[ -n "$TESTPMD" ] || { fail setup "dpdk-testpmd not found (make deps installs dpdk)"; finish; }

WIRE=$PFX-wire
UP=${PFX}u
W=${PFX}w
SOCK=$TMPD/vm1.sock

M1=52:54:00:00:0a:01     # vm1, the testpmd guest
M2=52:54:00:00:0a:02     # vm2: an xsk port whose guest never comes
UNK=52:54:00:00:0a:09    # bound to nobody
PEER=52:54:00:00:0b:01   # where the guest's frames go: unknown, so the wire
SPOOF=52:54:00:00:0a:66  # a source MAC vm1 does not own

# Frames on the wire, and how long a testpmd run may take at most.
N_RX=1000
N_OTHER=300
N_BUM=50
TXONLY_SECS=4
PMD_MAX_SECS=60
# A virtio-net queue as testpmd's virtio_user sets it up: 256 entries.
VRING_SIZE=256
# Kills of a starting daemon.
KILL_ROUNDS=${VHOST_KILL_ROUNDS:-8}

add_netns "$WIRE" || { fail setup "netns"; finish; }
add_veth "$UP" "$W" "$WIRE" || { fail setup "veth"; finish; }
gen() { ip netns exec "$WIRE" "$GEN" --dev "$W" "$@" >/dev/null; }
# Frames for a guest in bursts of BURST, one vfwd-gen run each: a burst
# fits the guest's 256-entry RX vring, so testpmd losing its CPU for a
# moment on this 2-CPU machine (it shares it with the daemon and the
# sender) cannot overflow it.  What an overloaded guest loses is counted
# as no_vring_buf, and measured by the benchmark, not here.
BURST=100
gen_paced() { # COUNT ARGS...: COUNT frames in bursts of BURST
	local n=$1
	shift
	for _ in $(seq $((n / BURST))); do gen --count "$BURST" "$@"; done
}

# vfwd-vhost in the background, its log in $TMPD/vhost.log.
VHOST_PID=
start_vhost() {
	"$VHOST" --pin-path "$PIN" >>"$TMPD/vhost.log" 2>&1 &
	VHOST_PID=$!
	_pids+=("$VHOST_PID")
}

# testpmd as the guest: its virtio_user serves SOCK (server=1, as QEMU
# does with server=on), so vfwd-vhost is the client.  It busy-polls on
# one lcore; `timeout` bounds every run, and SIGTERM makes it print its
# forward statistics.  Extra arguments go after "--".
PMD_PID=
# EAL arguments for the next start_pmd only (another --vdev, say).
PMD_EAL=()
start_pmd() { # NAME MAC MODE ARGS...
	local name=$1 mac=$2 mode=$3
	shift 3
	rm -f "$SOCK"
	timeout -s TERM "$PMD_MAX_SECS" "$TESTPMD" --no-huge -m 512 --no-pci \
		--no-shconf --no-telemetry --file-prefix="vfwd-$PFX-$name" \
		--lcores='(0,1)@1' --log-level=lib.eal:warning \
		--vdev="net_virtio_user0,path=$SOCK,queues=1,server=1,mac=$mac" \
		"${PMD_EAL[@]}" \
		-- --total-num-mbufs=16384 --nb-cores=1 --forward-mode="$mode" \
		--stats-period 1 "$@" >"$TMPD/pmd-$name.log" 2>&1 </dev/null &
	PMD_PID=$!
	PMD_EAL=()
	PMD_NAME=$name
	_pids+=("$PMD_PID")
}
stop_pmd() {
	kill -TERM "$PMD_PID" 2>/dev/null
	wait "$PMD_PID" 2>/dev/null
}
# The last RX-packets / TX-packets of the accumulated statistics testpmd
# prints when it stops.
pmd_stat() { # NAME FIELD
	sed -n "/Accumulated forward statistics/,\$p" "$TMPD/pmd-$1.log" |
		grep -o "$2: *[0-9]*" | head -1 | grep -o '[0-9]*$'
}
# Wait until vfwd says the port's guest is served (xsk state "up").
wait_state() { # PORT STATE
	for _ in $(seq 150); do
		[ "$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='$1'][0]")" = "$2" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
# The guest is there: vfwd says vm1 is served, and testpmd has started
# forwarding.  vhost-user's new_device comes when the driver is ready,
# before testpmd starts its port and posts its RX buffers: frames in
# between find no buffer (no_vring_buf).
wait_guest() {
	wait_state vm1 up || return 1
	for _ in $(seq 150); do
		grep -q "start packet forwarding" "$TMPD/pmd-$PMD_NAME.log" && return 0
		sleep 0.1
	done
	return 1
}
# guest_sends CHECK NAME MAC PEER SECS: testpmd txonly as vm1's guest
# (source MAC, to PEER) for SECS once it is served, then stopped, with
# time for its last frames to land.  CHECK fails if it is never served.
guest_sends() {
	start_pmd "$2" "$3" txonly --eth-peer="0,$4"
	wait_guest || fail "$1" "vm1 never came up"
	sleep "$5"
	stop_pmd
	sleep 0.5
}
slots() { vfwd -j port list | jget "[p['xsk_slots'] for p in d if p['name']=='$1'][0]"; }
xstat() { vfwd -j stats | jget "[p['xsk']['$2'] for p in d['ports'] if p['name']=='$1'][0]"; }

check attach vfwd attach "$UP"
check port_add_xsk vfwd port add vm1 --xsk --vhost-socket "$SOCK"
check port_add_xsk2 vfwd port add vm2 --xsk --vhost-socket "$TMPD/vm2.sock"
check mac_add_m1 vfwd mac add "$M1" --port vm1
check mac_add_m2 vfwd mac add "$M2" --port vm2
# No daemon yet: the port says so, and holds no sockets.
expect_eq state_no_daemon no-daemon \
	"$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"
expect_eq slots_no_daemon 0 "$(slots vm1)"

# ---- wire -> guest (rxonly) ----
start_vhost
start_pmd rx "$M1" rxonly
if wait_guest; then pass guest_connected; else
	fail guest_connected "vm1 never came up: $(tail -5 "$TMPD/vhost.log" | tr '\n' '|')"
fi
expect_eq slots_one_per_queue 1 "$(slots vm1)"
expect_eq vm2_waiting waiting \
	"$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm2'][0]")"
down0=$(reason_stat port_down)
gen_paced "$N_RX" --dst "$M1" --flows 8
gen --dst "$M2" --count "$N_OTHER"           # vm2's guest is away
gen --dst "$UNK" --count "$N_OTHER"          # nobody's: to the host
gen --dst "$M1" --vlan 100 --count "$N_OTHER" # M1 untagged only: host
# Broadcasts and multicasts of its VLAN reach the guest too (the uplink
# passes them to the kernel, where vfwd-vhost's packet socket takes a
# copy); those of another VLAN do not.
gen --dst ff:ff:ff:ff:ff:ff --count "$N_BUM"
gen --dst 01:00:5e:00:00:fb --count "$N_BUM"
gen --dst ff:ff:ff:ff:ff:ff --vlan 100 --count "$N_BUM"
sleep 1
stop_pmd
expect_eq rxonly_all_arrive $(( N_RX + 2 * N_BUM )) "$(pmd_stat rx RX-packets)"
expect_eq port_down_counted "$N_OTHER" $(( $(reason_stat port_down) - down0 ))
expect_eq xsk_to_guest $(( N_RX + 2 * N_BUM )) "$(xstat vm1 to_guest_packets)"
expect_eq vm1_tx_counted "$N_RX" "$(port_stat vm1 tx_packets)"
# The guest went away: slots empty again, frames for it are port_down.
if wait_state vm1 waiting; then pass guest_gone_waiting; else
	fail guest_gone_waiting "vm1 still $(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"
fi
expect_eq slots_released_guest_gone 0 "$(slots vm1)"

# ---- guest -> wire (txonly), then a spoofed source ----
start_sink wire ip netns exec "$WIRE" "$SINK" --packet "$W" ||
	{ fail setup "wire sink"; finish; }
guest_sends tx_guest_connected tx "$M1" "$PEER" "$TXONLY_SECS"
stop_sink wire
pmd_sent=$(pmd_stat tx TX-packets)
on_wire=$(sink_count wire "$PEER/0")
expect_ge txonly_reaches_wire 1 "${on_wire:-0}" "frames from the guest on the wire"
expect_le txonly_no_invention "${pmd_sent:-0}" "${on_wire:-0}" "frames on the wire vs testpmd's TX-packets"
expect_eq txonly_counted_sent "$on_wire" "$(xstat vm1 tx_sent)"

wait_state vm1 waiting
spoof0=$(reason_stat spoof)
start_sink wire2 ip netns exec "$WIRE" "$SINK" --packet "$W" ||
	{ fail setup "wire sink"; finish; }
guest_sends spoof_guest_connected spoof "$SPOOF" "$PEER" "$TXONLY_SECS"
stop_sink wire2
expect_eq spoof_reaches_nothing 0 "$(sink_count wire2 "$PEER/0")"
spoofed=$(( $(reason_stat spoof) - spoof0 ))
expect_ge spoof_counted 1 "$spoofed" "frames counted as spoof"

# ---- vfwd-vhost killed and restarted: the guest stays, traffic resumes ----
# Under the guest's own traffic (txonly): testpmd is never restarted, and
# its frames reach the wire again once the new daemon has the port.
start_pmd rs "$M1" txonly --eth-peer="0,$PEER"
wait_guest || fail restart_guest_connected "vm1 never came up"
sleep 1
kill -KILL "$VHOST_PID"
wait "$VHOST_PID" 2>/dev/null
# The killed daemon's sockets closed with it, which empties their slots.
expect_eq slots_gone_with_daemon 0 "$(slots vm1)"
expect_eq state_daemon_killed no-daemon \
	"$(vfwd -j port list | jget "[p['state'] for p in d if p['name']=='vm1'][0]")"
down0=$(reason_stat port_down)
gen --dst "$M1" --count "$N_OTHER"           # nobody serves vm1 now
expect_eq killed_port_down "$N_OTHER" $(( $(reason_stat port_down) - down0 ))
sent0=$(xstat vm1 tx_sent)
t0=$(date +%s%N)
start_vhost
if wait_state vm1 up; then pass restart_takes_port_back; else
	fail restart_takes_port_back "vm1 not served after restart: $(tail -5 "$TMPD/vhost.log" | tr '\n' '|')"
fi
# How long a daemon takes from its start to a served guest: the kills
# below land inside that.
start_ms=$((($(date +%s%N) - t0) / 1000000))
start_sink wire3 ip netns exec "$WIRE" "$SINK" --packet "$W" ||
	{ fail setup "wire sink"; finish; }
sleep 1
stop_sink wire3
expect_ge restart_guest_traffic_resumes 1 "$(sink_count wire3 "$PEER/0")" \
	"guest frames on the wire after the restart"
# The counters go on from where the killed daemon left them.
expect_ge restart_counters_monotonic "$sent0" "$(xstat vm1 tx_sent)" "tx_sent after the restart"
# Wire -> guest reaches the new daemon again: counted by it, not as
# port_down.  (testpmd's virtio_user resets its rings when the back end
# reconnects and refills its RX ring only when the port is restarted, so
# they count as no_vring_buf here; a QEMU guest keeps its ring.)
down0=$(reason_stat port_down)
nobuf0=$(xstat vm1 no_vring_buf)
got0=$(xstat vm1 to_guest_packets)
gen --dst "$M1" --count "$N_OTHER"
sleep 0.5
expect_eq restart_wire_not_port_down 0 $(( $(reason_stat port_down) - down0 ))
expect_eq restart_wire_reaches_daemon "$N_OTHER" \
	$(( $(xstat vm1 no_vring_buf) - nobuf0 + $(xstat vm1 to_guest_packets) - got0 ))
stop_pmd

# ---- vfwd-vhost killed at random moments of its start ----
# With a guest waiting the whole time: EAL setup, the relay, the scan,
# the vhost-user connection, the sockets, the slots.  After each kill the
# kernel has dropped the dead sockets from the XSKMAP, status finds
# nothing out of place, and the next daemon takes the port.
kill -KILL "$VHOST_PID"
wait "$VHOST_PID" 2>/dev/null
start_pmd kl "$M1" rxonly
echo "  a daemon served the guest $start_ms ms after its start: kills within that" >&2
bad=0
for i in $(seq "$KILL_ROUNDS"); do
	start_vhost
	d=$((RANDOM % (start_ms + start_ms / 4 + 2)))
	sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	kill -KILL "$VHOST_PID" 2>/dev/null
	wait "$VHOST_PID" 2>/dev/null
	s=$(slots vm1)
	[ "$s" = 0 ] || { bad=$((bad + 1)); echo "  round $i: $s slots held after the kill" >&2; }
	vfwd status >/dev/null 2>&1 ||
		{ bad=$((bad + 1)); echo "  round $i: status: $(vfwd status 2>&1 | grep -iE 'drift|pending' | tr '\n' ' ')" >&2; }
done
expect_eq killed_starting_leaves_nothing 0 "$bad"
stop_pmd
# ... and a daemon that busy-polls (--poll) takes the port and serves a
# fresh guest (testpmd refills its RX ring only when its port starts).
"$VHOST" --pin-path "$PIN" --poll 0 >>"$TMPD/vhost.log" 2>&1 &
VHOST_PID=$!
_pids+=("$VHOST_PID")
start_pmd pl "$M1" rxonly
if wait_guest; then pass poll_takes_port_after_kills; else
	fail poll_takes_port_after_kills "vm1 not served: $(tail -5 "$TMPD/vhost.log" | tr '\n' '|')"
fi
gen_paced "$N_RX" --dst "$M1" --flows 8
sleep 1
stop_pmd
expect_eq poll_rxonly_all_arrive "$N_RX" "$(pmd_stat pl RX-packets)"
check status_clean_after_kills vfwd status
kill -TERM "$VHOST_PID" 2>/dev/null
wait "$VHOST_PID" 2>/dev/null
expect_eq poll_daemon_clean_exit 0 "$?"
start_vhost

# ---- a stuck guest never stalls the others ----
# vm2's guest connects, then stops (SIGSTOP): its RX ring fills and is
# never emptied.  Frames for it are counted as no_vring_buf, and vm1's
# guest gets every frame meant for it, interleaved with them.
timeout -s TERM "$PMD_MAX_SECS" "$TESTPMD" --no-huge -m 512 --no-pci \
	--no-shconf --no-telemetry --file-prefix="vfwd-$PFX-stuck" \
	--lcores='(0,1)@1' --log-level=lib.eal:warning \
	--vdev="net_virtio_user0,path=$TMPD/vm2.sock,queues=1,server=1,mac=$M2" \
	-- --total-num-mbufs=16384 --nb-cores=1 --forward-mode=rxonly \
	--stats-period 1 >"$TMPD/pmd-stuck.log" 2>&1 </dev/null &
STUCK_TO=$!
_pids+=("$STUCK_TO")
stuck_up=0
if wait_state vm2 up; then
	for _ in $(seq 150); do
		grep -q "start packet forwarding" "$TMPD/pmd-stuck.log" && { stuck_up=1; break; }
		sleep 0.1
	done
fi
STUCK_PID=$(pgrep -P "$STUCK_TO" | head -1)
if [ "$stuck_up" = 1 ] && [ -n "$STUCK_PID" ] && kill -STOP "$STUCK_PID"; then
	pass stuck_guest_stopped
else
	fail stuck_guest_stopped "vm2's guest never came up: $(tail -5 "$TMPD/pmd-stuck.log" | tr '\n' '|')"
fi
start_pmd st "$M1" rxonly
wait_guest || fail stuck_other_guest_connected "vm1 never came up"
nobuf0=$(xstat vm2 no_vring_buf)
for _ in $(seq $((N_RX / BURST))); do
	gen --dst "$M2" --count "$BURST"
	gen --dst "$M1" --count "$BURST"
done
sleep 1
stop_pmd
expect_eq stuck_guest_others_flow "$N_RX" "$(pmd_stat st RX-packets)"
# Its 256-entry ring took what fits; the rest found no buffer.
expect_ge stuck_guest_no_vring_buf $((N_RX - VRING_SIZE)) \
	$(( $(xstat vm2 no_vring_buf) - nobuf0 )) "vm2's frames counted no_vring_buf"
kill -CONT "$STUCK_PID" 2>/dev/null
kill -TERM "$STUCK_TO" 2>/dev/null
wait "$STUCK_TO" 2>/dev/null
wait_state vm2 waiting || fail stuck_guest_gone "vm2 still served after its guest ended"

# ---- tap and veth guests <-> xsk guests, and the host: the relay ----
# vfwd-vhost's relay veth carries what neither the uplink nor an AF_XDP
# socket on it can: a veth port's frames for vm1, and vm1's frames for
# the veth port and for the host's own MAC.
relay_k=$(relay_name k)
check relay_exists ip link show "$relay_k"
CT=$PFX-ct
CTH=${PFX}c
CTG=${PFX}g
M3=52:54:00:00:0a:03   # ct1, a veth port
add_netns "$CT" && add_veth "$CTH" "$CTG" "$CT" || { fail setup "veth port"; finish; }
# vfwd-gen injects the veth guest's frames with XDP_TX on CTG where the
# kernel allows live-frame test runs, and a veth drops frames redirected
# into it unless its peer runs XDP or has GRO on (design §8).  The port's
# device carries only vfwd's tc filter, so GRO goes on, as in
# test_guest.sh: it does not merge these plain UDP frames.
ethtool -K "$CTH" gro on >/dev/null || { fail setup "gro on $CTH"; finish; }
check port_add_veth vfwd port add ct1 --dev "$CTH"
check mac_add_m3 vfwd mac add "$M3" --port ct1
start_pmd rl "$M1" rxonly
wait_guest || fail relay_guest_connected "vm1 never came up"
fwd0=$(reason_stat fwd)
for _ in $(seq $((N_OTHER / BURST))); do
	ip netns exec "$CT" "$GEN" --dev "$CTG" --src "$M3" --dst "$M1" \
		--count "$BURST" --flows 4 >/dev/null
done
# The host's own broadcasts (ARP requests, say) leave by the uplink; the
# guest gets them as it gets the wire's.  Sent as the host's stack sends
# them, through the qdisc (vfwd-gen bypasses it, and packet sockets with
# it, as AF_XDP does).
python3 - "$UP" "$N_BUM" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
arp = b"\xff" * 6 + bytes.fromhex("020000000099") + b"\x08\x06" + bytes(46)
for _ in range(int(sys.argv[2])):
    s.send(arp)
PY
sleep 1
stop_pmd
expect_eq veth_and_host_to_xsk_all_arrive $((N_OTHER + N_BUM)) "$(pmd_stat rl RX-packets)"
expect_eq veth_to_xsk_counted_fwd "$N_OTHER" $(( $(reason_stat fwd) - fwd0 ))

start_sink ct ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
guest_sends relay_tx_guest_connected tc "$M1" "$M3" 2
stop_sink ct
expect_ge xsk_to_veth_arrives 1 "$(sink_count ct "$M3/0")" "vm1's frames on the veth port"

UPMAC=$(cat "/sys/class/net/$UP/address")
start_sink host "$SINK" --packet "$UP" || { fail setup "host sink"; finish; }
host0=$(reason_stat host)
guest_sends relay_host_guest_connected th "$M1" "$UPMAC" 2
stop_sink host
expect_ge xsk_to_host_arrives 1 "$(sink_count host "$UPMAC/0")" "vm1's frames received on the uplink"
expect_ge xsk_to_host_counted 1 $(( $(reason_stat host) - host0 )) "frames counted as host"

# The guest's broadcasts reach the host (pass mode) and the wire, and
# the host's copy coming back in is not echoed to the guest.
start_sink hostb "$SINK" --packet "$UP" || { fail setup "host sink"; finish; }
start_sink wireb ip netns exec "$WIRE" "$SINK" --packet "$W" ||
	{ fail setup "wire sink"; finish; }
got0=$(xstat vm1 to_guest_packets)
guest_sends relay_bcast_guest_connected tb "$M1" "ff:ff:ff:ff:ff:ff" 2
stop_sink hostb
stop_sink wireb
expect_ge xsk_bcast_to_host 1 "$(sink_count hostb ff:ff:ff:ff:ff:ff/0)" "the guest's broadcasts received on the uplink"
expect_ge xsk_bcast_to_wire 1 "$(sink_count wireb ff:ff:ff:ff:ff:ff/0)" "the guest's broadcasts on the wire"
expect_eq xsk_bcast_not_echoed "$got0" "$(xstat vm1 to_guest_packets)"

# ---- pass mode on a bridged host: broadcasts cross between a veth
# guest and an xsk guest through the host's bridge, as between tap
# guests (vfwd passes BUM to the kernel; the bridge floods it) ----
BR=${PFX}br
# Without IPv6 on the bridge: its own router solicitations and MLD
# reports would reach the guest among the broadcasts counted below.
if ip link add "$BR" type bridge && track_link "$BR" &&
	sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1" && ip link set "$BR" up &&
	ip link set "$UP" master "$BR" && ip link set "$CTH" master "$BR" &&
	bridge link set dev "$CTH" learning off flood off; then
	pass bridge_setup
else
	fail bridge_setup "bridge $BR with $UP and $CTH"
fi
# Attached again: the bridge's MAC becomes one of the host's.
check attach_bridged vfwd attach "$UP"
start_pmd bb "$M1" rxonly
wait_guest || fail bridged_guest_connected "vm1 never came up"
# The veth guest's broadcast: tc passes it to the kernel on its port,
# the bridge floods it out of the uplink, where the daemon's packet
# socket sees it leave.
ip netns exec "$CT" "$GEN" --dev "$CTG" --src "$M3" \
	--dst ff:ff:ff:ff:ff:ff --count "$N_BUM" >/dev/null
sleep 1
stop_pmd
# At least: the bridge floods whatever broadcast the host's side has too
# (one more frame was seen once, of unknown origin).
expect_ge bridged_veth_bcast_reaches_xsk "$N_BUM" "$(pmd_stat bb RX-packets)" \
	"broadcasts the xsk guest got"
# The xsk guest's broadcast: the relay puts it into the uplink's receive
# path, and the bridge floods it to the veth port.
start_sink ctb ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
guest_sends bridged_tx_guest_connected bt "$M1" "ff:ff:ff:ff:ff:ff" 2
stop_sink ctb
expect_ge bridged_xsk_bcast_reaches_veth 1 "$(sink_count ctb ff:ff:ff:ff:ff:ff/0)" \
	"the xsk guest's broadcasts on the veth port"
ip link set "$CTH" nomaster && ip link set "$UP" nomaster && ip link del "$BR" ||
	fail bridge_teardown "$BR"

# ---- --bum flood: the kernel never sees the wire's broadcasts; the
# relay, a member of the uplink's flood, carries them to the daemon ----
check attach_flood vfwd attach "$UP" --bum flood
start_pmd fl "$M1" rxonly
wait_guest || fail flood_guest_connected "vm1 never came up"
gen --dst ff:ff:ff:ff:ff:ff --count "$N_BUM"
gen --dst 01:00:5e:00:00:fb --count "$N_BUM"
gen --dst ff:ff:ff:ff:ff:ff --vlan 100 --count "$N_BUM"   # not its VLAN
# A veth guest's flood reaches it too, through the relay.
ip netns exec "$CT" "$GEN" --dev "$CTG" --src "$M3" \
	--dst ff:ff:ff:ff:ff:ff --count "$N_BUM" >/dev/null
sleep 1
stop_pmd
expect_eq flood_bcast_reaches_guest $((3 * N_BUM)) "$(pmd_stat fl RX-packets)"
# ... and the guest's floods reach the veth port of its VLAN (through the
# relay) and the wire.
start_sink ctf ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
guest_sends flood_tx_guest_connected ft "$M1" "ff:ff:ff:ff:ff:ff" 2
stop_sink ctf
expect_ge flood_guest_bcast_to_veth 1 "$(sink_count ctf ff:ff:ff:ff:ff:ff/0)" "the guest's floods on the veth port"
# A trunk guest's broadcast tagged with VLAN 100 (its MAC bound there)
# stays in VLAN 100: on the wire tagged, and not on the untagged veth
# port.  The guest sends what a pcap file holds: testpmd forwards (io)
# from a net_pcap port into its virtio_user port.
check mac_add_m1_vlan vfwd mac add "$M1" --port vm1 --vlan 100
python3 - "$TMPD/tagged.pcap" "$M1" "$N_BUM" <<'PY'
import struct, sys
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
frame = (b"\xff" * 6 + mac + b"\x81\x00" + struct.pack("!H", 100) +
         b"\x08\x00" + bytes(46))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(int(sys.argv[3])):
        f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)) + frame)
PY
start_sink wiret ip netns exec "$WIRE" "$SINK" --packet "$W" ||
	{ fail setup "wire sink"; finish; }
start_sink ctt ip netns exec "$CT" "$SINK" --packet "$CTG" ||
	{ fail setup "veth sink"; finish; }
# infinite_rx: testpmd empties its rx queues when forwarding starts,
# which would throw a one-pass file away.
PMD_EAL=(--vdev="net_pcap0,rx_pcap=$TMPD/tagged.pcap,tx_pcap=$TMPD/out.pcap,infinite_rx=1")
start_pmd tv "$M1" io
wait_guest || fail flood_tagged_guest_connected "vm1 never came up"
sleep 2
stop_pmd
sleep 0.5
stop_sink wiret
stop_sink ctt
expect_ge flood_tagged_bcast_tagged_on_wire 1 "$(sink_count wiret ff:ff:ff:ff:ff:ff/100)" \
	"the guest's VLAN 100 broadcasts on the wire, tagged"
expect_eq flood_tagged_bcast_not_untagged_on_wire 0 "$(sink_count wiret ff:ff:ff:ff:ff:ff/0)"
expect_eq flood_tagged_bcast_not_on_vlan0_port 0 "$(sink_count ctt ff:ff:ff:ff:ff:ff/0)"
check mac_del_m1_vlan vfwd mac del "$M1" --vlan 100
check attach_pass vfwd attach "$UP" --bum pass

# ---- port del releases the slots, and the daemon lets go ----
start_pmd del "$M1" rxonly
wait_guest || fail del_guest_connected "vm1 never came up"
expect_eq slots_before_del 1 "$(slots vm1)"
check port_del_xsk vfwd port del vm1 --force
slot_left=$(bpftool map dump pinned "$PIN/vfwd_xsk_v4" 2>/dev/null | grep -c '"value"' || true)
stop_pmd
# A port del'd under a running daemon is no longer served within a scan.
for _ in $(seq 20); do
	grep -q "port vm1: no longer served" "$TMPD/vhost.log" && break
	sleep 0.1
done
check daemon_let_go grep -q "port vm1: no longer served" "$TMPD/vhost.log"
expect_eq del_slots_empty 0 "${slot_left:-0}"

# ---- the last detach tells the daemon to let go of everything ----
check detach vfwd detach "$UP"
if ip link show "$relay_k" >/dev/null 2>&1; then
	fail detach_removes_relay "$relay_k still there after the last detach"
else
	pass detach_removes_relay
fi
for _ in $(seq 20); do
	grep -q "are gone: letting go" "$TMPD/vhost.log" && break
	sleep 0.1
done
check detach_daemon_lets_go grep -q "are gone: letting go" "$TMPD/vhost.log"
kill -TERM "$VHOST_PID" 2>/dev/null
wait "$VHOST_PID" 2>/dev/null
expect_eq daemon_clean_exit 0 "$?"
if [ "$FAILED" != 0 ]; then
	echo "--- vfwd-vhost log:"
	cat "$TMPD/vhost.log"
	for f in "$TMPD"/pmd-*.log; do
		echo "--- $f (end):"
		grep -v '^ *$' "$f" | tail -40
	done
fi >&2
finish
