#!/usr/bin/python3
"""vfwd benchmark results: merge a run, and generate docs/benchmarks.md.

Two modes (test glue, never part of the product; Debian's python3 and
python3-matplotlib only):

  report.py --collect RUNDIR -o RESULTS.json [--tail N]
      Merge what bench/run.sh left in RUNDIR (facts/, run/, tools/NAME/)
      into one results file: the machine, and per tool its status, command,
      exit code, duration, stderr tail and its data (raw samples included).
      The format is described in bench/results/README.md.  Exit status 4:
      written, but a tool failed, timed out, was missing or wrote bad data.

  report.py RESULTS.json [--docs docs/benchmarks.md] [--plot docs/bench-paths.png]
      Regenerate the benchmark page from one results file: header, ratios,
      goals, per-path tables, program cost, control plane, the older
      benchmarks, then bench/notes/*.md verbatim.  Without --docs, the
      markdown goes to stdout.

The goals of issue 6 are evaluated the same way for every run; a missed goal
is reported as missed, with the explanation from bench/notes/goals.md (a
"## <goal id>" section) when a human has written one.
"""
import argparse
import datetime
import json
import math
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Forwarding paths in the order of the page and the plot.
PATH_ORDER = [
    "xdp-drop", "floor", "vfwd-veth", "vfwd-tap", "vfwd-cpumap",
    "vfwd-guest-uplink", "vfwd-guest-guest", "bridge",
    "bridge-guest-uplink", "bridge-guest-guest", "macvtap",
]
PATH_WHAT = {
    "xdp-drop": "XDP_DROP on the uplink (the ceiling)",
    "floor": "minimal MAC hash + bpf_redirect_map (the floor of a redirect)",
    "vfwd-veth": "vfwd uplink -> veth port",
    "vfwd-tap": "vfwd uplink -> tap port",
    "vfwd-cpumap": "vfwd uplink -> CPUMAP -> port",
    "vfwd-guest-uplink": "vfwd guest (tap) -> uplink",
    "vfwd-guest-guest": "vfwd guest -> guest",
    "bridge": "Linux bridge, uplink -> port",
    "bridge-guest-uplink": "Linux bridge, guest -> uplink",
    "bridge-guest-guest": "Linux bridge, guest -> guest",
    "macvtap": "macvtap on the uplink",
}
# Ratio rows: (subject, baseline).
RATIOS = [
    ("vfwd-veth", "floor"), ("vfwd-veth", "bridge"),
    ("vfwd-tap", "floor"), ("vfwd-tap", "bridge"), ("vfwd-tap", "macvtap"),
    ("vfwd-cpumap", "vfwd-veth"), ("vfwd-cpumap", "bridge"),
    ("vfwd-guest-uplink", "bridge-guest-uplink"),
    ("vfwd-guest-guest", "bridge-guest-guest"),
    ("floor", "xdp-drop"),
]
METRIC_ORDER = ["mpps", "gbps", "ns_per_packet", "delivered_pct",
                "updates_per_sec", "seconds"]
METRIC_LABEL = {"mpps": "Mpps", "gbps": "Gbit/s", "ns_per_packet": "ns/packet",
                "delivered_pct": "delivered %", "updates_per_sec": "updates/s",
                "seconds": "s"}
NEW_TOOLS = ("paths", "prog_cost", "control")
# prog_cost's groups: many iterations per test run, and one.
PROG_GROUPS = ("prog_cost", "prog_cost_single")
GOALS_NOTE = "goals.md"
NOT_CARRIED = (GOALS_NOTE, "README.md")


# --------------------------------------------------------------------------
# Small helpers

def read(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def tail(text, n):
    lines = (text or "").rstrip("\n").split("\n")
    return "\n".join(lines[-n:]) if text else ""


def num(x, like=None):
    """A number for a table: about 3 significant digits (those of like, if
    given, so that a median and its min and max look alike), thousands
    apart."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    a = abs(x if like is None else like)
    if a >= 10000:
        return "{:,.0f}".format(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3f" % x


def spread(r):
    """'median (min–max)' of a result."""
    if r is None:
        return "-"
    m = r["median"]
    like = m if abs(m) >= 0.1 else 1.0  # a median near 0 must not make 13.993 of a max
    return "%s (%s–%s)" % (num(m), num(r["min"], like), num(r["max"], like))


def rel(path, start):
    return os.path.relpath(os.path.abspath(path), os.path.abspath(start))


def shown(path):
    """A path as a reader of the repository would type it."""
    p = os.path.abspath(path)
    return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else p


def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --------------------------------------------------------------------------
# --collect: merge a run directory into a results file

def parse_vlan_pop(text):
    """vlan_pop prints a table; turn it into data (it has no --json)."""
    d = {"tool": "vlan_pop", "variants": {}}
    for line in text.splitlines():
        m = re.match(r"kernel (\S+), (\d+) CPUs \((.*)\)$", line)
        if m:
            d.update(kernel=m.group(1), ncpus=int(m.group(2)), cpu=m.group(3))
        m = re.search(r"\((\d+) rounds of (\d+) frames of (\d+) bytes\)", line)
        if m:
            d.update(rounds=int(m.group(1)), frames=int(m.group(2)),
                     frame_size=int(m.group(3)))
        m = re.match(r"(\w+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)%$", line)
        if m:
            d["variants"][m.group(1)] = {
                "median_ns": float(m.group(2)), "min_ns": float(m.group(3)),
                "max_ns": float(m.group(4)), "mpps": float(m.group(5)),
                "delivered_pct": float(m.group(6))}
        m = re.match(r"pop cost over tagged: inline ([-+\d.]+) ns, egress ([-+\d.]+) ns", line)
        if m:
            d["pop_cost_ns"] = {"inline": float(m.group(1)), "egress": float(m.group(2))}
    if not d["variants"]:
        raise ValueError("no variant lines in vlan_pop's output")
    d["stdout"] = text
    return d


def check_schema(doc, name):
    """The three new tools' common schema; fill in what can be derived."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError("not a {\"tool\": ..., \"results\": [...]} document")
    if doc.get("tool") not in (None, name):
        raise ValueError("says it is tool %r, expected %r" % (doc.get("tool"), name))
    for i, r in enumerate(doc["results"]):
        for k in ("name", "metric"):
            if k not in r:
                raise ValueError("result %d has no %r" % (i, k))
        s = [x for x in r.get("samples") or [] if isinstance(x, (int, float))]
        if s:
            r.setdefault("median", statistics.median(s))
            r.setdefault("min", min(s))
            r.setdefault("max", max(s))
        if r.get("median") is None:
            raise ValueError("result %d (%s) has neither samples nor a median" % (i, r["name"]))
        r.setdefault("min", r["median"])
        r.setdefault("max", r["median"])
    return doc


def collect(rundir, out, ntail):
    facts_dir = os.path.join(rundir, "facts")
    fact = lambda n: read(os.path.join(facts_dir, n))
    vuln_dir = os.path.join(facts_dir, "vulnerabilities")
    vulns = {}
    if os.path.isdir(vuln_dir):
        for n in sorted(os.listdir(vuln_dir)):
            vulns[n] = read(os.path.join(vuln_dir, n), "")
    pkgs = {}
    for line in (fact("packages") or "").splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            pkgs[k] = v
    intfact = lambda n: int(fact(n)) if (fact(n) or "").strip().isdigit() else None
    machine = {
        "kernel": fact("kernel"), "arch": fact("machine"),
        "cpu_model": fact("cpu_model") or "unknown", "nproc": intfact("nproc"),
        "virtualization": fact("virt"), "cpufreq_governor": fact("governor"),
        "bpf_jit_enable": intfact("bpf_jit_enable"),
        "bpf_jit_harden": intfact("bpf_jit_harden"),
        "bpf_jit_kallsyms": intfact("bpf_jit_kallsyms"),
        "bpf_stats_enabled": intfact("bpf_stats_enabled"),
        "vulnerabilities": vulns, "packages": pkgs,
        "loadavg_start": fact("loadavg_start"), "loadavg_end": fact("loadavg_end"),
        "qemu_running_at_start": intfact("qemu_running_start"),
    }
    run = lambda n: read(os.path.join(rundir, "run", n))
    doc = {
        "schema": 1,
        "date": (run("started") or "")[:10],
        "started_utc": run("started"), "finished_utc": run("finished"),
        "quick": run("quick") == "1", "command": run("command"),
        "source": {"commit": fact("commit"),
                   "local_changes": None if fact("dirty") is None else fact("dirty") == "1"},
        "machine": machine, "tools": {},
    }
    tools_dir = os.path.join(rundir, "tools")
    order = (read(os.path.join(tools_dir, "order"), "") or "").split()
    for name in order:
        d = os.path.join(tools_dir, name)
        t = {"status": read(os.path.join(d, "status"), "failed"),
             "why": read(os.path.join(d, "why")),
             "command": read(os.path.join(d, "cmd"))}
        rc = read(os.path.join(d, "rc"))
        t["exit_status"] = int(rc) if rc and rc.lstrip("-").isdigit() else None
        sec = read(os.path.join(d, "seconds"))
        t["seconds"] = float(sec) if sec else None
        stdout = read(os.path.join(d, "stdout"), "")
        stderr = read(os.path.join(d, "stderr"), "")
        t["stderr_tail"] = tail(stderr, ntail)
        if t["status"] == "ok":
            try:
                if name == "vlan_pop":
                    t["data"] = parse_vlan_pop(stdout)
                else:
                    p = os.path.join(d, "result.json")
                    if not os.path.exists(p):
                        raise ValueError("exited 0 but wrote no JSON file")
                    with open(p) as f:
                        data = json.load(f)
                    t["data"] = check_schema(data, name) if name in NEW_TOOLS else data
            except (ValueError, OSError) as e:
                t["status"], t["why"] = "failed", "bad output: %s" % e
        if name != "vlan_pop" or t["status"] != "ok":
            t["stdout_tail"] = tail(stdout, ntail)
        doc["tools"][name] = t
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)
    bad = [n for n, t in doc["tools"].items() if t["status"] not in ("ok", "skipped")]
    print("merged %d tools into %s%s" % (len(order), out,
          "; not ok: " + ", ".join(bad) if bad else ""), file=sys.stderr)
    return bool(bad)


# --------------------------------------------------------------------------
# Reading a results file

class Results:
    def __init__(self, doc):
        self.doc = doc
        self.tools = doc.get("tools", {})

    def ok(self, name):
        t = self.tools.get(name)
        return t if t and t.get("status") == "ok" and "data" in t else None

    def results(self, name):
        t = self.ok(name)
        return t["data"].get("results", []) if t else []

    def path(self, name, size, flows, metric="mpps"):
        for r in self.results("paths"):
            if (r["name"] == name and r["metric"] == metric
                    and r.get("size") == size and r.get("flows") == flows
                    and r.get("vlan") in (None, "none")):
                return r
        return None

    def path_names(self):
        names = {r["name"] for r in self.results("paths")}
        return [p for p in PATH_ORDER if p in names] + sorted(names - set(PATH_ORDER))

    def conditions(self):
        """(size, flows) pairs measured, in order."""
        c = {(r.get("size"), r.get("flows")) for r in self.results("paths")
             if r["metric"] == "mpps"}
        return sorted(c, key=lambda x: (x[0] or 0, x[1] or 0))


def ratio(a, b):
    if a is None or b is None or not b["median"]:
        return None
    return a["median"] / b["median"]


def cond_label(c):
    size, flows = c
    return "%s B, %s flow%s" % (size, flows, "" if flows == 1 else "s")


# --------------------------------------------------------------------------
# Goals (issue 6).  Same evaluation for every run.

def goal_notes(notes_dir):
    """'## <goal id>' sections of bench/notes/goals.md."""
    text = read(os.path.join(notes_dir, GOALS_NOTE)) if notes_dir else None
    notes, cur = {}, None
    for line in (text or "").splitlines():
        m = re.match(r"##\s+(\S+)\s*$", line)
        if m:
            cur = m.group(1)
            notes[cur] = []
        elif cur:
            notes[cur].append(line)
    return {k: "\n".join(v).strip() for k, v in notes.items() if "\n".join(v).strip()}


def ratio_goal(R, gid, subject, base, target, text):
    got = []
    for c in R.conditions():
        q = ratio(R.path(subject, *c), R.path(base, *c))
        if q is not None:
            got.append((q, c))
    g = {"id": gid, "goal": text, "target": "≥ %.2f×" % target,
         "how": "%s / %s, median Mpps, every size × flows measured; the worst counts" % (subject, base)}
    if not got:
        g.update(status="not measured", measured="-")
        return g
    worst = min(got)
    missed = [c for q, c in got if q < target]
    g["value"] = worst[0]
    g["status"] = "missed" if missed else "met"
    g["measured"] = "%.3f× at %s (%.3f-%.3f× over %d conditions)" % (
        worst[0], cond_label(worst[1]), min(q for q, _ in got),
        max(q for q, _ in got), len(got))
    if len(missed) == len(got):
        g["measured"] += "; below target in all %d" % len(got)
    elif missed:
        g["measured"] += "; below target at " + "; ".join(cond_label(c) for c in missed)
    return g


def evaluate_goals(R):
    goals = [
        ratio_goal(R, "uplink-vs-floor", "vfwd-veth", "floor", 0.95,
                   "vfwd uplink → port at ≥ 0.95 × the floor program's rate"),
        ratio_goal(R, "uplink-vs-bridge", "vfwd-veth", "bridge", 3.0,
                   "vfwd uplink → port at ≥ 3 × the Linux bridge's rate"),
    ]
    # Program cost: the forwarding case of vfwd_uplink at 65,536 MACs.
    g = {"id": "uplink-prog-cost", "goal": "The uplink program costs ≤ 15 ns over the stub at 65,536 MACs",
         "target": "≤ 15 ns"}
    # As bench_prog_cost judges it: vfwd_uplink/hit, untagged, many
    # iterations per run, net of the redirect stub; tagged frames shown.
    hit = [r for r in R.results("prog_cost")
           if r["name"] == "vfwd_uplink/hit" and r.get("macs") == 65536
           and r["metric"] == "ns_per_packet" and r.get("group", PROG_GROUPS[0]) == PROG_GROUPS[0]]
    g["how"] = ("prog_cost: vfwd_uplink/hit (MAC found, redirected to a port), untagged, "
                "net of a stub doing one bpf_redirect_map()")
    plain = [r for r in hit if r.get("vlan", "none") == "none"]
    if plain:
        g["value"] = plain[0]["median"]
        g["status"] = "met" if g["value"] <= 15 else "missed"
        g["measured"] = "%s ns (%s-%s)" % (num(g["value"]), num(plain[0]["min"], g["value"]),
                                           num(plain[0]["max"], g["value"]))
        tagged = ["%s %s ns" % (r["vlan"], num(r["median"])) for r in hit if r.get("vlan", "none") != "none"]
        if tagged:
            g["measured"] += "; tagged: " + ", ".join(tagged)
    else:
        g.update(status="not measured", measured="-")
    goals.append(g)
    # The CPUMAP hop: cpumap_hop's end-to-end CPU per frame over direct;
    # without it, the difference in ns/packet of the paths benchmark.
    g = {"id": "cpumap-hop", "goal": "The CPUMAP hop costs ≤ 35 ns", "target": "≤ 35 ns"}
    hop = R.ok("cpumap_hop")
    v = hop and hop["data"].get("variants", {}).get("steer-other-cpu", {})
    if v and v.get("hop_cpu_cost_ns") is not None:
        g["value"] = v["hop_cpu_cost_ns"]
        g["how"] = ("cpumap_hop: steer-other-cpu minus direct, median CPU ns per frame "
                    "summed over both CPUs (path_cpu)")
        g["measured"] = "%+.1f ns CPU per frame (wall time on the sending CPU: %+.1f ns; rate ×%.2f)" % (
            v["hop_cpu_cost_ns"], v.get("hop_cost_ns", float("nan")), v.get("mpps_ratio", float("nan")))
    else:
        a, b = R.path("vfwd-cpumap", 64, 1), R.path("vfwd-veth", 64, 1)
        if a and b and a["median"] and b["median"]:
            g["value"] = 1000 / a["median"] - 1000 / b["median"]
            g["how"] = "paths: 1000/Mpps of vfwd-cpumap minus vfwd-veth, 64 B, 1 flow (cpumap_hop did not run)"
            g["measured"] = "%+.1f ns per packet" % g["value"]
    if "value" in g:
        g["status"] = "met" if g["value"] <= 35 else "missed"
    else:
        g.update(status="not measured", measured="-",
                 how="cpumap_hop, or the paths benchmark's vfwd-cpumap")
    goals.append(g)
    return goals


# --------------------------------------------------------------------------
# The plot

def plot(R, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in R.path_names() if R.path(n, 64, 1) or R.path(n, 64, 64)]
    if not names:
        return False
    fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(names) + 2), 4.8), dpi=110)
    width = 0.38
    for i, flows in enumerate((1, 64)):
        xs, med, lo, hi = [], [], [], []
        for j, n in enumerate(names):
            r = R.path(n, 64, flows)
            if r:
                xs.append(j + (i - 0.5) * width)
                med.append(r["median"])
                lo.append(r["median"] - r["min"])
                hi.append(r["max"] - r["median"])
        if xs:
            bars = ax.bar(xs, med, width, yerr=[lo, hi], capsize=3,
                          label="%d flow%s" % (flows, "" if flows == 1 else "s"),
                          color=("#4c72b0", "#dd8452")[i])
            for b, m, h in zip(bars, med, hi):
                ax.annotate(num(m), (b.get_x() + b.get_width() / 2, m + h), ha="center",
                            va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("Mpps, 64-byte frames (median; bars: min-max)")
    ax.set_title(title, fontsize=9)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    sk = [s.get("name") for s in (R.ok("paths")["data"].get("skipped") or [])]
    if sk:
        fig.text(0.01, 0.01, "not measured: " + ", ".join(map(str, sk)), fontsize=7, color="#555555")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


# --------------------------------------------------------------------------
# The page

def mitigation_summary(vulns):
    groups = {"vulnerable": [], "mitigated": [], "other": []}
    for n, v in sorted(vulns.items()):
        if v.startswith("Not affected"):
            continue
        key = ("vulnerable" if v.startswith("Vulnerable") else
               "mitigated" if v.startswith("Mitigation") else "other")
        groups[key].append(n)
    unaffected = sum(1 for v in vulns.values() if v.startswith("Not affected"))
    parts = []
    for k in ("mitigated", "vulnerable", "other"):
        if groups[k]:
            parts.append("%s: %s" % (k, ", ".join(groups[k])))
    parts.append("not affected: %d more" % unaffected)
    return "; ".join(parts) if vulns else "unknown (no /sys/devices/system/cpu/vulnerabilities)"


def jit_text(m):
    e, h = m.get("bpf_jit_enable"), m.get("bpf_jit_harden")
    je = {0: "off (interpreter)", 1: "on", 2: "on, with debug output"}.get(e, "unknown")
    jh = {0: "no hardening", 1: "hardened for unprivileged programs",
          2: "hardened for all programs"}.get(h, "hardening unknown")
    return "%s, %s (bpf_jit_enable=%s, bpf_jit_harden=%s)" % (je, jh, e, h)


def duration(doc):
    try:
        a = datetime.datetime.strptime(doc["started_utc"], "%Y-%m-%dT%H:%M:%SZ")
        b = datetime.datetime.strptime(doc["finished_utc"], "%Y-%m-%dT%H:%M:%SZ")
        s = (b - a).total_seconds()
        return "%d min %02d s" % (s // 60, s % 60)
    except (KeyError, TypeError, ValueError):
        return "?"


def header(R, results_path, docs_path, plot_path, report_cmd):
    doc, m = R.doc, R.doc.get("machine", {})
    src = doc.get("source", {})
    commit = (src.get("commit") or "unknown")[:12]
    if src.get("local_changes"):
        commit += " with local changes"
    tools = []
    for n, t in R.tools.items():
        s = t.get("status")
        tools.append("%s %s%s" % (n, s, " (%.0f s)" % t["seconds"] if t.get("seconds") is not None and s == "ok" else ""))
    pk = m.get("packages", {})
    out = [
        "<!-- GENERATED FILE: do not edit.  Source: %s.  Command: %s.  "
        "Hand-written text goes in bench/notes/*.md. -->" % (shown(results_path), report_cmd),
        "# vfwd benchmarks",
        "",
        "> **This page is generated** by `%s` from [`%s`](%s), the results of "
        "`%s` (what `make %s` runs) on %s. Do not edit it by hand: edit "
        "`bench/notes/*.md` (carried over verbatim at the end) or `bench/report.py`, "
        "and regenerate." % (report_cmd, shown(results_path),
                             rel(results_path, os.path.dirname(docs_path)),
                             doc.get("command") or "bench/run.sh",
                             "bench-quick" if doc.get("quick") else "bench", doc.get("date") or "?"),
        "",
    ]
    if doc.get("quick"):
        out += ["> **Quick run** (`bench/run.sh --quick`): short rounds for development. "
                "Do not quote these numbers.", ""]
    bad = [n for n, t in R.tools.items() if t.get("status") not in ("ok", "skipped")]
    if bad:
        out += ["> **Not every benchmark ran:** %s. See [Run problems](#run-problems)." %
                ", ".join("%s (%s)" % (n, R.tools[n]["status"]) for n in bad), ""]
    out += [table(["", ""], [
        ["date", "%s to %s UTC (%s)" % (doc.get("started_utc"), doc.get("finished_utc"), duration(doc))],
        ["kernel", m.get("kernel")],
        ["CPU", "%s, %s CPUs%s" % (m.get("cpu_model"), m.get("nproc"),
                                   ", virtualization: " + m["virtualization"].replace("\n", ", ") if m.get("virtualization") else "")],
        ["BPF JIT", jit_text(m)],
        ["mitigations", mitigation_summary(m.get("vulnerabilities", {}))],
        ["packages", ", ".join("%s %s" % kv for kv in sorted(pk.items())) or "unknown"],
        ["source", "commit %s" % commit],
        ["load", "load average %s at the start, %s at the end; %s qemu-system processes at the start" % (
            (m.get("loadavg_start") or "?").split(" ")[0], (m.get("loadavg_end") or "?").split(" ")[0],
            m.get("qemu_running_at_start", "?"))],
        ["benchmarks", ", ".join(tools)],
    ]), ""]
    out += ["Every benchmark measures its variants side by side, interleaved round by "
            "round, and reports the median and min-max over the rounds. Read the spread "
            "before the medians. All raw samples are in the results file.", ""]
    return out


def ratios_section(R):
    out = ["## Ratios", ""]
    conds = R.conditions()
    if not R.ok("paths"):
        return out + ["No forwarding-path results in this run (`bench_paths`: %s)." %
                      (R.tools.get("paths", {}).get("status", "not run")), ""]
    rows = []
    for a, b in RATIOS:
        vals = [ratio(R.path(a, *c), R.path(b, *c)) for c in conds]
        if any(v is not None for v in vals):
            rows.append(["%s / %s" % (a, b)] + ["-" if v is None else "%.2f" % v for v in vals])
    out += ["Median Mpps of one path over another's, per frame size and number of flows "
            "(the paths benchmark; sizes in bytes).", ""]
    out += [table(["ratio"] + ["%s B, %s fl" % c for c in conds], rows) if rows else
            "No pair of paths measured under the same conditions.", ""]
    return out


def goals_section(R, notes):
    goals = evaluate_goals(R)
    out = ["## Goals (issue 6)", "",
           "Targets for the code, reached by optimizing it, never by special-casing "
           "the benchmark. They are not test assertions.", ""]
    rows = []
    for g in goals:
        st = {"met": "met", "missed": "**MISSED**"}.get(g["status"], g["status"])
        rows.append([g["goal"], g["target"], g["measured"], st, g.get("how", "")])
    out += [table(["goal", "target", "measured", "status", "how it is measured"], rows), ""]
    for g in goals:
        note = notes.get(g["id"])
        if g["status"] == "missed":
            out += ["**Missed: %s.** Measured: %s. Target: %s." % (g["goal"], g["measured"], g["target"]), ""]
            out += [("Why: " + note) if note else
                    "Why: *not explained yet.* Add a `## %s` section to `bench/notes/goals.md` "
                    "(profile with `perf` or `bpftool prog profile`)." % g["id"], ""]
        elif g["status"] == "not measured":
            out += ["Not measured in this run: %s." % g["goal"], ""]
        elif note:
            out += ["Note on *%s*: %s" % (g["goal"], note), ""]
    return out


def tool_section(R, title, name, body, *args):
    """Section title on tool name's results: body(R, t, *args) with t the
    tool's entry, or a line saying it was not measured."""
    t = R.ok(name)
    return ["## " + title, ""] + (body(R, t, *args) if t else ["Not measured in this run.", ""])


def config_lines(t):
    """The configuration a tool reported, if any."""
    cfg = t["data"].get("config", {})
    if not cfg:
        return []
    return ["Configuration: " + ", ".join("%s %s" % (k, json.dumps(v)) for k, v in sorted(cfg.items())), ""]


def paths_section(R, t, docs_path, plot_path, have_plot):
    out = config_lines(t)
    if have_plot:
        out += ["![Mpps per path, 64-byte frames](%s)" % rel(plot_path, os.path.dirname(docs_path)), ""]
    conds = R.conditions()
    head = ["%s B, %s fl" % c for c in conds]
    # What each path is: the benchmark's own note, else ours.
    what = dict(PATH_WHAT)
    for r in R.results("paths"):
        if r.get("note"):
            what[r["name"]] = r["note"]
    rows = [[n, what.get(n, "")] + [spread(R.path(n, *c)) for c in conds] for n in R.path_names()]
    out += ["Mpps, median (min–max):", "", table(["path", "what"] + head, rows), ""]
    metrics = []
    for r in R.results("paths"):
        if r["metric"] != "mpps" and r["metric"] not in metrics:
            metrics.append(r["metric"])
    for m in metrics:
        rows = [[n] + [spread(R.path(n, *c, metric=m)) for c in conds] for n in R.path_names()]
        out += ["%s, median (min–max):" % METRIC_LABEL.get(m, m), "", table(["path"] + head, rows), ""]
    tagged = [r for r in R.results("paths") if r.get("vlan") not in (None, "none")]
    if tagged:
        out += ["Tagged frames:", "", table(["path", "size", "flows", "vlan", "metric", "median (min–max)"],
                [[r["name"], r.get("size", "-"), r.get("flows", "-"), r["vlan"],
                  METRIC_LABEL.get(r["metric"], r["metric"]), spread(r)] for r in tagged]), ""]
    sk = t["data"].get("skipped") or []
    if sk:
        out += ["Skipped paths:", ""] + ["- `%s`: %s" % (s.get("name"), s.get("why")) for s in sk] + [""]
    return out


def prog_cost_section(R, t):
    rs = [r for r in R.results("prog_cost") if r["metric"] == "ns_per_packet"]
    macs = sorted({r.get("macs") for r in rs if r.get("macs") is not None})
    keys = []
    for r in rs:
        k = (r.get("group", "-"), r["name"], r.get("vlan", "-"))
        if k not in keys:
            keys.append(k)
    find = lambda k, m: next((r for r in rs if (r.get("group", "-"), r["name"], r.get("vlan", "-")) == k
                              and r.get("macs") == m), None)
    out = ["Non-live `BPF_PROG_TEST_RUN`: ns per frame net of a stub program of the same "
            "type measured the same way, in the same round; median (min-max) over the rounds, "
            "per MAC table size. Group `%s` runs many iterations per test run, `%s` one "
            "per test run." % (PROG_GROUPS[0], PROG_GROUPS[1]), ""]
    out += [table(["group", "program/case", "vlan"] +
                  ["%s MAC%s" % (format(m, ","), "" if m == 1 else "s") for m in macs],
                  [list(k) + [spread(find(k, m)) for m in macs] for k in keys]), ""]
    stub = {}
    for r in rs:
        if r.get("stub_median") is not None and r.get("raw_median") is not None:
            stub.setdefault(r.get("group", "-"), []).append(r["stub_median"])
    if stub:
        out += ["Stubs, raw ns per frame (medians; each result's raw and stub medians are in the "
                "results file): " + "; ".join("%s %s-%s" % (g, num(min(v)), num(max(v)))
                                              for g, v in stub.items()) + ".", ""]
    out += config_lines(t)
    other = [r for r in R.results("prog_cost") if r["metric"] != "ns_per_packet"]
    notes = [r for r in R.results("prog_cost") if r.get("note")]
    if other:
        out += [table(["name", "metric", "median (min–max)"],
                      [[r["name"], r.get("unit") or r["metric"], spread(r)] for r in other]), ""]
    if notes:
        out += ["Notes from the benchmark:", ""] + [
            "- %s, %s MACs, vlan %s: %s" % (r["name"], r.get("macs", "-"), r.get("vlan", "-"), r["note"])
            for r in notes] + [""]
    return out


def control_section(R, t):
    rows = []
    for r in R.results("control"):
        extra = ""
        if r.get("updates_per_sec") is not None:
            extra = "%s MACs/s" % num(r["updates_per_sec"])
        elif r["metric"] == "seconds" and r.get("macs") and r["median"]:
            extra = "%s MACs/s" % num(r["macs"] / r["median"])
        rows.append([r["name"], format(r["macs"], ",") if r.get("macs") else "-",
                     METRIC_LABEL.get(r["metric"], r.get("unit") or r["metric"]),
                     spread(r), extra, r.get("note", "")])
    head = ["name", "MACs", "unit", "median (min–max)", "rate", "note"]
    if not any(r[-1] for r in rows):
        head, rows = head[:-1], [r[:-1] for r in rows]
    return [table(head, rows), ""]


def older_sections(R):
    out = []
    t = R.ok("vlan_pop")
    if t:
        d = t["data"]
        out += ["## VLAN tag removal (`vlan_pop`, this run)", "",
                "%s rounds of %s frames of %s bytes; see the notes section below for the method." % (
                    d.get("rounds"), format(d.get("frames", 0), ","), d.get("frame_size")), "",
                table(["variant", "median ns/frame", "min", "max", "Mpps", "delivered %"],
                      [[v, num(x["median_ns"]), num(x["min_ns"]), num(x["max_ns"]), num(x["mpps"]),
                        "%.3f" % x["delivered_pct"]] for v, x in d["variants"].items()]), ""]
        if "pop_cost_ns" in d:
            out += ["Pop cost over `tagged`: inline %+.1f ns, egress %+.1f ns." % (
                d["pop_cost_ns"]["inline"], d["pop_cost_ns"]["egress"]), ""]
    t = R.ok("cpumap_hop")
    if t:
        d = t["data"]
        cols = [("ns_per_frame", "ns/frame"), ("path_cpu_ns_per_frame", "CPU ns/frame"),
                ("mpps", "Mpps"), ("delivered_pct", "delivered %")]
        rows = []
        for v, x in d.get("variants", {}).items():
            rows.append([v] + [spread(x.get(k)) if isinstance(x.get(k), dict) else "-" for k, _ in cols]
                        + [num(x["gen_cpu_other_pct"]["median"]) if isinstance(x.get("gen_cpu_other_pct"), dict) else "-"])
        out += ["## CPUMAP hop (`cpumap_hop`, this run)", "",
                "%s rounds of %s frames of %s bytes, batch %s; fixed cost of a test-run call %.1f ms. "
                "Median (min-max); see the notes section below for what each column means." % (
                    d.get("rounds"), format(d.get("frames", 0), ","), d.get("frame_size"),
                    d.get("batch"), d.get("call_overhead_ms") or 0), "",
                table(["variant"] + [c for _, c in cols] + ["other%"], rows), ""]
        for v, x in d.get("variants", {}).items():
            if "hop_cost_ns" in x:
                out += ["- over direct, `%s`: %+.1f ns/frame wall, %s ns/frame CPU, Mpps ×%.2f" % (
                    v, x["hop_cost_ns"], "%+.1f" % x["hop_cpu_cost_ns"] if x.get("hop_cpu_cost_ns") is not None else "-",
                    x.get("mpps_ratio", float("nan")))]
        out += [""]
    t = R.ok("guest_tcp")
    if t:
        d = t["data"]
        s = d.get("samples", {})
        rows, rat = [], []
        for path in ("wire", "guest"):
            for cfg in ("vfwd", "bridge"):
                x = s.get("%s.%s" % (cfg, path))
                if x:
                    rows.append(["guest->" + path, cfg, num(statistics.median(x)), num(min(x)), num(max(x))])
            if s.get("vfwd." + path) and s.get("bridge." + path):
                rat.append("%.2f guest->%s" % (statistics.median(s["vfwd." + path]) /
                                               statistics.median(s["bridge." + path]), path))
        out += ["## Guest TCP (`guest_tcp.sh`, this run)", "",
                "%s rounds of %s s, QEMU under TCG; see the notes section below for the method." % (
                    d.get("rounds"), d.get("seconds")), "",
                table(["path", "config", "median Mbit/s", "min", "max"], rows), ""]
        if rat:
            out += ["Ratios vfwd/bridge: " + ", ".join(rat) + ".", ""]
    out += xsk_path_section(R)
    return out


XSK_PATHS = ("vfwd", "tap", "dpdk", "ovs")
XSK_PATH_LABEL = {"vfwd": "vfwd", "tap": "vfwd tap path", "dpdk": "DPDK testpmd", "ovs": "Open vSwitch"}
XSK_OTHER_SUSPECT_PCT = 10


def xsk_path_section(R):
    """bench/xsk_path.sh: the AF_XDP guest path of vfwd, DPDK and OVS."""
    t = R.ok("xsk_path")
    if not t:
        return []
    d = t["data"]

    def st(xs):
        xs = [x for x in xs if x is not None]
        return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)} if xs else None

    def per_frame(r, role):
        return r.get("cpu_ns_per_frame", {}).get(role)

    paths = [p for p in XSK_PATHS if p in d.get("paths", {})]
    sizes = d.get("sizes", [])
    samples = d.get("samples", [])
    pick = lambda p, k, s: [r for r in samples if r["path"] == p and r["kind"] == k and r["size"] == s]
    out = ["## AF_XDP guest path: vfwd, DPDK and Open vSwitch (`xsk_path.sh`, this run)", "",
           "A guest port behind an AF_XDP socket on the uplink (a veth), served to `dpdk-testpmd`'s "
           "virtio_user (the guest, `server=1`) by three switches in turn, and beside them vfwd's tap "
           "path with testpmd's `net_tap` as the guest (no switch process there: the kernel switches, "
           "its CPU time is in the guest's syscalls and softirq, so compare *all*), interleaved round by round: "
           "%s rounds; rx: %s frames per size from `vfwd-gen` in the wire namespace; tx: the guest's "
           "`txonly` for %s s. CPU %s is the host (generator or sink, and the switch), CPU %s the guest's. "
           "Median (min–max) over the rounds." % (
               d.get("rounds"), format(d.get("frames", 0), ","), num(d.get("tx_seconds")),
               d.get("placement", {}).get("host_cpu", "?"), d.get("placement", {}).get("guest_cpu", "?")), ""]
    out += ["- `%s`: %s" % (p, d["paths"][p].get("what", "")) for p in paths] + [""]
    out += ["CPU ns/frame: utime+stime (`/proc/PID/stat`) spent during the measurement, per frame "
            "delivered. *switch*: vfwd-vhost, the switching testpmd or ovs-vswitchd alone; *all*: "
            "switch, guest, generator or sink, and ksoftirqd (the uplink's XDP program and the copy "
            "into the socket run in softirq, charged to whichever of these it interrupts). *other CPU %*: "
            "what the rest of the machine spent meanwhile (`/proc/stat`, in % of one CPU); "
            "far above 0, something else competed for the CPUs and the sample is suspect. "
            "The busy-polling switches and the guest spend CPU whether frames come or not, so their "
            "ns/frame falls as the rate rises.", ""]
    def rows_of(kind, cols):
        """A row per size and path: each column's median (min-max) over the rounds."""
        rows = []
        for s in sizes:
            for p in paths:
                rs = pick(p, kind, s)
                if rs:
                    rows.append(["%d B" % s, XSK_PATH_LABEL.get(p, p)] +
                                [spread(st([col(r) for r in rs])) for col in cols])
        return rows

    field = lambda k: (lambda r: r.get(k))
    cpu_cols = [lambda r: per_frame(r, "switch"), lambda r: per_frame(r, "total"),
                field("other_cpu_pct")]
    rows = rows_of("rx", [field("offered_mpps"), field("delivered_pct"), field("mpps")] + cpu_cols)
    if rows:
        out += ["Wire → guest (rx): offered Mpps is what the generator sent per second of its run "
                "(it shares the host CPU with the switch), delivered what testpmd `rxonly` received.", "",
                table(["size", "switch", "offered Mpps", "delivered %", "Mpps", "CPU ns/frame switch",
                       "all", "other CPU %"], rows), ""]
    g = d.get("generator_alone", [])
    if g:
        out += ["The generator alone (no switch on the uplink; the kernel drops the frames), Mpps: " +
                ", ".join("%d B %s" % (s, spread(st([r.get("offered_mpps") for r in g if r["size"] == s])))
                          for s in sizes if any(r["size"] == s for r in g)) + ".", ""]
    rows = rows_of("tx", [field("mpps"), field("delivered_pct")] + cpu_cols)
    if rows:
        out += ["Guest → wire (tx): Mpps counted on the wire end (its rx_packets) in the window; "
                "delivered is what reached the wire end (`vfwd-sink`'s count and its socket's drops) "
                "over testpmd's TX-packets.", "",
                table(["size", "switch", "Mpps", "delivered %", "CPU ns/frame switch", "all", "other CPU %"], rows), ""]
    rows = []
    for p in paths:
        rs = [r for r in d.get("idle", []) if r["path"] == p]
        if rs:
            rows.append([XSK_PATH_LABEL.get(p, p),
                         spread(st([r.get("run_pct", {}).get("switch") for r in rs])),
                         spread(st([r.get("run_pct", {}).get("guest") for r in rs])),
                         spread(st([r.get("other_cpu_pct") for r in rs]))])
    if rows:
        out += ["Idle, the guest connected and no traffic, %s s: CPU %% of one CPU (scheduler run "
                "time of the live threads, `/proc/PID/task/*/schedstat`)." % num(d.get("idle_seconds")), "",
                table(["switch", "switch CPU %", "guest CPU %", "other CPU %"], rows), ""]
    rat = []
    for s in sizes:
        v = pick("vfwd", "rx", s)
        for p in paths[1:] if paths and paths[0] == "vfwd" else [q for q in paths if q != "vfwd"]:
            o = pick(p, "rx", s)
            a = st([per_frame(r, "switch") for r in v])
            b = st([per_frame(r, "switch") for r in o])
            if a and b and b["median"]:
                rat.append("%d B %.2f of %s" % (s, a["median"] / b["median"], XSK_PATH_LABEL.get(p, p)))
    if rat:
        out += ["Switch CPU per frame, vfwd over the others (rx, medians): " + ", ".join(rat) + ".", ""]
    # A tenth of a CPU: several times what the harness itself costs when
    # the machine is otherwise idle (1-2 %).
    busy = sorted({(r["round"], r["path"]) for r in samples + d.get("idle", [])
                   if (r.get("other_cpu_pct") or 0) > XSK_OTHER_SUSPECT_PCT})
    if busy:
        out += ["**Something else ran** (other CPU above %d %% of a CPU) during: %s. "
                "Those samples are in the medians and the min–max above." % (
                    XSK_OTHER_SUSPECT_PCT, ", ".join("round %s %s" % rp for rp in busy)), ""]
    errs = d.get("errors", [])
    if errs:
        out += ["Not measured or failed:", ""] + [
            "- `%s`%s: %s" % (e.get("path"), ", round %s" % e["round"] if e.get("round") else "",
                              e.get("error")) for e in errs] + [""]
    return out


def problems_section(R, ntail=15):
    bad = [(n, t) for n, t in R.tools.items() if t.get("status") not in ("ok",)]
    if not bad:
        return []
    out = ["## Run problems", ""]
    for n, t in bad:
        out += ["- **%s**: %s%s" % (n, t.get("status"), ": " + t["why"] if t.get("why") else "")]
        if t.get("command"):
            out[-1] += " (`%s`)" % t["command"]
        if t.get("status") != "skipped" and t.get("stderr_tail"):
            out += ["", "  ```", *["  " + l for l in tail(t["stderr_tail"], ntail).split("\n")], "  ```"]
    return out + [""]


def machine_section(R):
    v = R.doc.get("machine", {}).get("vulnerabilities", {})
    if not v:
        return []
    return ["## CPU vulnerability mitigations", "",
            "From `/sys/devices/system/cpu/vulnerabilities/` at the time of the run:", "",
            table(["vulnerability", "status"], [[k, x] for k, x in sorted(v.items())]), ""]


def notes_sections(notes_dir):
    out = []
    if not notes_dir or not os.path.isdir(notes_dir):
        return out
    for n in sorted(os.listdir(notes_dir)):
        if not n.endswith(".md") or n in NOT_CARRIED:
            continue
        text = read(os.path.join(notes_dir, n), "")
        out += ["<!-- carried over verbatim from bench/notes/%s -->" % n, "", text, ""]
    return out


def render(R, results_path, docs_path, plot_path, have_plot, notes_dir, report_cmd):
    notes = goal_notes(notes_dir)
    lines = header(R, results_path, docs_path, plot_path, report_cmd)
    lines += ratios_section(R)
    lines += goals_section(R, notes)
    lines += tool_section(R, "Forwarding paths", "paths", paths_section, docs_path, plot_path, have_plot)
    lines += tool_section(R, "Program cost", "prog_cost", prog_cost_section)
    lines += tool_section(R, "Control plane", "control", control_section)
    lines += older_sections(R)
    lines += problems_section(R)
    lines += machine_section(R)
    lines += notes_sections(notes_dir)
    return "\n".join(lines).rstrip("\n") + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="?", help="results file to render")
    ap.add_argument("--docs", help="markdown file to (re)write; stdout without it")
    ap.add_argument("--plot", help="PNG to write (default: none)")
    ap.add_argument("--notes", default=os.path.join(ROOT, "bench", "notes"),
                    help="directory of hand-written notes (default bench/notes)")
    ap.add_argument("--force", action="store_true",
                    help="write the docs even if no benchmark produced results")
    ap.add_argument("--collect", metavar="RUNDIR", help="merge bench/run.sh's RUNDIR")
    ap.add_argument("-o", "--out", help="with --collect: the results file")
    ap.add_argument("--tail", type=int, default=40, help="with --collect: lines of stderr kept")
    a = ap.parse_args()

    if a.collect:
        if not a.out:
            ap.error("--collect needs -o RESULTS.json")
        # 4: merged, but a tool did not succeed (bench/run.sh's exit 1).
        return 4 if collect(a.collect, a.out, a.tail) else 0
    if not a.results:
        ap.error("give a results file, or --collect RUNDIR -o FILE")
    with open(a.results) as f:
        R = Results(json.load(f))
    if a.docs and not any(R.ok(n) for n in R.tools) and not a.force:
        print("report.py: not regenerating %s: no benchmark in %s produced results (--force to anyway)"
              % (a.docs, a.results), file=sys.stderr)
        return 3
    cmd = "bench/report.py %s" % shown(a.results)
    if a.docs:
        cmd += " --docs %s" % shown(a.docs)
    if a.plot:
        cmd += " --plot %s" % shown(a.plot)
    docs_path = a.docs or os.path.join(ROOT, "docs", "benchmarks.md")
    have_plot = False
    if a.plot:
        m = R.doc.get("machine", {})
        have_plot = plot(R, a.plot, "vfwd forwarding paths, 64-byte frames: %s, kernel %s, %s%s" % (
            R.doc.get("date"), m.get("kernel"), m.get("cpu_model"), " (QUICK RUN)" if R.doc.get("quick") else ""))
        if not have_plot:
            print("report.py: no 64-byte Mpps results: no plot written", file=sys.stderr)
    md = render(R, a.results, docs_path, a.plot or "", have_plot, a.notes, cmd)
    if a.docs:
        tmp = a.docs + ".tmp"
        with open(tmp, "w") as f:
            f.write(md)
        os.replace(tmp, a.docs)
        print("wrote %s%s" % (a.docs, " and " + a.plot if have_plot else ""), file=sys.stderr)
    else:
        sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
