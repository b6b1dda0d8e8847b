#!/usr/bin/python3
"""Table churn for tests/integration/test_churn.sh: the driver that moves
MACs between ports with the vfwd CLI, and the checker that holds every
frame the sinks received against who owned its MAC while it was on its
way.

  churn.py bind  COMMON          bind MAC i to port i % P (before traffic)
  churn.py churn COMMON --updates U --seed S
                                 move MACs until U moves are done
  churn.py check COMMON --stamps PORT=FILE... --final MACLIST.json
                                 check the received frames; JSON on stdout

  COMMON: --vfwd BIN --pin DIR --base MAC --macs N --ports P0,P1,... --log FILE

MAC i (base + i) only ever moves between ports i % P and (i + 1) % P, so
every other port must never receive a frame for it.  A move is one of:

  - a batch: `vfwd -j mac load FILE --replace` of some MACs, each to its
    other port (the command must report every one of them as moved);
  - a single move: `vfwd -j mac add MAC --port P --replace`.

The log has one JSON line per command: {"b": ns, "a": ns, "cmd": "load"
or "add", "moves": [[i, port], ...]}.  b is CLOCK_MONOTONIC read before
the command started, a after it exited, so the table changed at some
instant in [b, a].  The commands run one after another.

The check.  A frame for MAC i received at port p carries its send time s
(read before it was handed to the kernel) and the sink's receive time r
(read after the read returned it), so vfwd looked MAC i up at some
instant in [s, r].  Owner j of MAC i (after its j-th command; j = 0 is
the bind) held it from no earlier than b_j to no later than a_{j+1}.  The
frame is legal if and only if p is an owner j with b_j <= r and
a_{j+1} >= s: p may have owned MAC i at some instant of [s, r].  That is
sound: a correct forwarder passes, whatever the timing.  It is strict:
a port that never owned the MAC always fails, and so does the old owner
for a frame sent after the move's command had exited.  A frame whose
window falls between two commands has exactly one legal port; such
frames are counted as "decisive".
"""
import argparse
import bisect
import json
import os
import random
import struct
import subprocess
import sys
import time

# tests/tools/stamp.h, struct vfwd_stamp_rec.
REC = struct.Struct("=6sHQQQ")
# Every ADD_EVERY-th command is a single `mac add --replace`, the others
# are loads: the in-place update and the table swap both run under
# traffic.
ADD_EVERY = 4


def mac_int(s):
    return int(s.replace("-", ":").replace(":", ""), 16)


def mac_str(v):
    return ":".join("%02x" % (v >> (8 * k) & 0xFF) for k in range(5, -1, -1))


def replay(log):
    """Owner of each MAC index after the log's commands."""
    owner = {}
    if os.path.exists(log):
        with open(log) as f:
            for line in f:
                for i, p in json.loads(line)["moves"]:
                    owner[i] = p
    return owner


class Driver:
    def __init__(self, a):
        self.a = a
        self.ports = a.ports.split(",")
        self.base = mac_int(a.base)
        self.owner = replay(a.log)
        self.logf = open(a.log, "a")
        self.file = os.path.join(os.path.dirname(a.log), "churn.macs")

    def vfwd(self, *args):
        b = time.monotonic_ns()
        r = subprocess.run(
            [self.a.vfwd, "--pin-path", self.a.pin, "-j"] + list(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        a = time.monotonic_ns()
        if r.returncode:
            sys.exit("vfwd %s failed (%d): %s %s"
                     % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return b, a, json.loads(r.stdout)

    def record(self, b, a, cmd, moves):
        for i, p in moves:
            self.owner[i] = p
        self.logf.write(json.dumps({"b": b, "a": a, "cmd": cmd,
                                    "moves": moves}) + "\n")
        self.logf.flush()

    def load(self, moves, bind=False):
        with open(self.file, "w") as f:
            for i, p in moves:
                f.write("%s %s\n" % (mac_str(self.base + i), self.ports[p]))
        args = ["mac", "load", self.file] + ([] if bind else ["--replace"])
        b, a, out = self.vfwd(*args)
        # Logged first: the command succeeded, so it may have moved them.
        self.record(b, a, "load", moves)
        want = "added" if bind else "moved"
        if out.get(want) != len(moves) or out.get("entries") != len(moves):
            sys.exit("mac load of %d %s MACs said %s" % (len(moves), want, out))

    def add(self, i, p):
        mac = mac_str(self.base + i)
        b, a, out = self.vfwd("mac", "add", mac, "--port", self.ports[p],
                              "--replace")
        self.record(b, a, "add", [[i, p]])
        if out.get("mac") != mac or out.get("port") != self.ports[p]:
            sys.exit("mac add %s --port %s said %s" % (mac, self.ports[p], out))

    def other(self, i):
        """The port MAC i moves to: the one of its pair it is not on."""
        n = len(self.ports)
        return (i + 1) % n if self.owner[i] == i % n else i % n


def cmd_bind(a):
    d = Driver(a)
    d.load([[i, i % len(d.ports)] for i in range(a.macs)], bind=True)


def cmd_churn(a):
    d = Driver(a)
    rnd = random.Random(a.seed)
    done = loads = adds = 0
    start = time.monotonic_ns()
    step = 0
    while done < a.updates:
        step += 1
        if step % ADD_EVERY == 0:
            i = rnd.randrange(a.macs)
            d.add(i, d.other(i))
            adds += 1
            done += 1
            continue
        # Batches of every size, from one MAC to all of them.
        k = min(rnd.randint(1, a.macs), a.updates - done)
        pick = sorted(rnd.sample(range(a.macs), k))
        d.load([[i, d.other(i)] for i in pick])
        loads += 1
        done += k
    end = time.monotonic_ns()
    json.dump({"updates": done, "loads": loads, "adds": adds,
               "load_moves": done - adds, "seconds": (end - start) / 1e9,
               "seed": a.seed}, sys.stdout)
    print()


class Frame:
    """A received frame, described only when it is reported."""

    def __init__(self, seq, dst, port, sent, rcv):
        self.v = (seq, dst, port, sent, rcv)

    def __str__(self):
        seq, dst, port, sent, rcv = self.v
        return "frame %d for %s at %s (sent %d, received %d ns)" % (
            seq, dst.hex(":"), port, sent, rcv)


def cmd_check(a):
    ports = a.ports.split(",")
    base = mac_int(a.base)
    # Per MAC: command windows and owners, in order.
    bs = [[] for _ in range(a.macs)]
    as_ = [[] for _ in range(a.macs)]
    own = [[] for _ in range(a.macs)]
    churn_b = churn_a = None
    with open(a.log) as f:
        for n, line in enumerate(f):
            e = json.loads(line)
            if n == 1:
                churn_b = e["b"]
            if n >= 1:
                churn_a = e["a"]
            for i, p in e["moves"]:
                bs[i].append(e["b"])
                as_[i].append(e["a"])
                own[i].append(p)
    # ends[i][j]: a_{j+1}, the latest instant owner j may still hold it.
    inf = float("inf")
    ends = [x[1:] + [inf] for x in as_]

    bad = []
    seen = {}
    r = {"frames": 0, "decisive": 0, "during_churn": 0,
         "decisive_during_churn": 0, "duplicates": 0, "violations": 0,
         "per_port": {}, "per_port_during_churn": {}, "max_window_us": 0}
    windows = []
    # Moves (j >= 1) whose new owner got a decisive frame in its epoch.
    hit = set()

    def violation(why):
        r["violations"] += 1
        if len(bad) < 20:
            bad.append(why)

    for spec in a.stamps:
        pname, path = spec.split("=", 1)
        p = ports.index(pname)
        cnt = cnt_churn = 0
        with open(path, "rb") as f:
            data = f.read()
        for dst, vid, seq, s, rcv in REC.iter_unpack(data):
            r["frames"] += 1
            cnt += 1
            i = int.from_bytes(dst, "big") - base
            what = Frame(seq, dst, pname, s, rcv)
            if seq in seen:
                r["duplicates"] += 1
                violation("%s: also received at port %s" % (what, seen[seq]))
            seen[seq] = pname
            if seq >= a.sent:
                violation("%s: the generator sent only %d" % (what, a.sent))
            if vid:
                violation("%s: tagged %d, sent untagged" % (what, vid))
            if not 0 <= i < a.macs:
                violation("%s: a MAC nobody ever owned" % what)
                continue
            if rcv < s:
                violation("%s: received before it was sent" % what)
                continue
            windows.append(rcv - s)
            jhi = bisect.bisect_right(bs[i], rcv) - 1
            jlo = bisect.bisect_left(ends[i], s)
            legal = set(own[i][jlo:jhi + 1]) if jhi >= 0 else set()
            if p not in legal:
                violation("%s: owners meanwhile %s" % (
                    what, sorted(ports[q] for q in legal) or "none"))
                continue
            churn = churn_b is not None and s >= churn_b and rcv <= churn_a
            if churn:
                r["during_churn"] += 1
                cnt_churn += 1
            if len(legal) == 1:
                r["decisive"] += 1
                if churn:
                    r["decisive_during_churn"] += 1
                if jhi >= 1:
                    hit.add((i, jhi))
        r["per_port"][pname] = cnt
        r["per_port_during_churn"][pname] = cnt_churn

    # The table the driver left, against `vfwd -j mac list`.
    want = {(mac_str(base + i), 0): ports[o[-1]] for i, o in enumerate(own) if o}
    with open(a.final) as f:
        got = {(m["mac"], m["vlan"]): m["port"] for m in json.load(f)}
    diff = sorted(set(want.items()) ^ set(got.items()))
    r["final_table_entries"] = len(got)
    r["final_table_ok"] = not diff
    r["final_table_diff"] = ["%s/%d %s" % (k[0], k[1], v) for k, v in diff[:10]]

    moves = sum(len(o) - 1 for o in own if o)
    r["moves"] = moves
    r["moves_seen_at_new_owner"] = len(hit)
    windows.sort()
    if windows:
        r["median_window_us"] = windows[len(windows) // 2] // 1000
        r["max_window_us"] = windows[-1] // 1000
    r["churn_seconds"] = (churn_a - churn_b) / 1e9 if churn_b else 0
    r["summary"] = (
        "received %(frames)d %(per_port)s, during the churn %(during_churn)d "
        "%(per_port_during_churn)s, decisive %(decisive)d, moves seen at "
        "the new owner %(moves_seen_at_new_owner)d of %(moves)d, send to "
        "receive median %(median_window_us)d us, max %(max_window_us)d us"
        % dict(r, median_window_us=r.get("median_window_us", 0)))
    r["examples"] = bad
    json.dump(r, sys.stdout)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["bind", "churn", "check"])
    ap.add_argument("--vfwd")
    ap.add_argument("--pin")
    ap.add_argument("--base", required=True)
    ap.add_argument("--macs", type=int, required=True)
    ap.add_argument("--ports", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--updates", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--stamps", action="append", default=[])
    ap.add_argument("--final")
    ap.add_argument("--sent", type=int)
    a = ap.parse_args()
    {"bind": cmd_bind, "churn": cmd_churn, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    main()
