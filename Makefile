# vfwd top-level Makefile.
#
#   make deps     install every Debian package the build, tests and demo need
#   make          build the BPF object, its skeleton and the vfwd binary
#   make test     run all test tiers (what .ci/run calls)
#   make demo     namespace demo: attach, forward into a tap, show stats
#   make vm-image build the tier-3 test guest (kernel + busybox initramfs)
#   make bench    run every benchmark: bench/results/<date>.json, docs/benchmarks.md
#   make bench-quick  the same, short (< 2 min), results under build/bench/
#   make install  the binaries, systemd units and docs under DESTDIR/PREFIX
#   make fuzz     run every fuzzer for FUZZ_SECS seconds each (make test runs them briefly)
#   make format   clang-format every C file in place

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
BUILD   ?= build

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	   -D_GNU_SOURCE -Imaps -Iloader -Ilib -I$(BUILD)
# libxml2: the libvirt hook reads domain XML with it (lib/libvirt_xml.c).
CFLAGS  += $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
LIBS    := $(shell pkg-config --libs libxdp libbpf libfyaml libxml-2.0 2>/dev/null || echo -lxdp -lbpf -lfyaml -lxml2) -lelf -lz

# -mcpu=v3: clang-14 needs it for atomics whose result is used, and it
# gives the JIT 32-bit jumps.  asm/types.h lives under the multiarch dir.
BPF_CFLAGS := -O2 -g -Wall -target bpf -mcpu=v3 \
	      -I/usr/include/$(MULTIARCH) -Imaps -Ibpf

DEB_PKGS := build-essential clang llvm libbpf-dev libxdp-dev bpftool libelf-dev \
	    zlib1g-dev pkg-config iproute2 ethtool xdp-tools python3 util-linux \
	    qemu-system-x86 busybox-static iperf3 python3-matplotlib \
	    dpdk-dev dpdk openvswitch-switch-dpdk \
	    libmicrohttpd-dev prometheus python3-prometheus-client libclang-rt-14-dev \
	    libfyaml-dev libxml2-dev libvirt-daemon-system libvirt-clients

BPF_SRCS    := $(wildcard bpf/*.bpf.c) $(wildcard bpf/*.bpf.h) maps/vfwd_maps.h maps/vfwd_xsk_maps.h
CORE_SRCS   := $(wildcard maps/*.c) $(wildcard loader/*.c) $(wildcard lib/*.c)
CLI_SRCS    := $(wildcard cli/*.c)
HDRS        := $(wildcard maps/*.h loader/*.h lib/*.h cli/*.h)

TOOLS       := $(BUILD)/vfwd-gen $(BUILD)/vfwd-sink
FUZZERS     := $(BUILD)/fuzz_mac_line $(BUILD)/fuzz_config
FUZZ_PROGS  := $(BUILD)/fuzz_progs
PROG_TESTS  := $(BUILD)/test_uplink $(BUILD)/test_guest $(BUILD)/test_cpus \
	       $(BUILD)/test_cpu $(BUILD)/test_xsk $(BUILD)/test_xguest \
	       $(BUILD)/test_json

.PHONY: all deps test demo clean format check-format tools vm-image bench bench-quick fuzz install

BENCH_TOOLS := $(BUILD)/vlan_pop $(BUILD)/cpumap_hop $(BUILD)/bench_prog_cost \
	       $(BUILD)/bench_control $(BUILD)/bench_paths

all: $(BUILD)/vfwd $(BUILD)/vfwd-vhost $(BUILD)/vfwd-exporter tools $(PROG_TESTS) $(BENCH_TOOLS) $(FUZZERS) $(FUZZ_PROGS)

tools: $(TOOLS)

$(BUILD):
	mkdir -p $@

$(BUILD)/vfwd.bpf.o: $(BPF_SRCS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c bpf/vfwd.bpf.c -o $@

$(BUILD)/vfwd.skel.h: $(BUILD)/vfwd.bpf.o
	$(BPFTOOL) gen skeleton $< name vfwd_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/vfwd: $(CLI_SRCS) $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(CLI_SRCS) $(CORE_SRCS) $(LIBS)

# vfwd-vhost: the vhost-user backend of AF_XDP ports.  Only its own files
# get DPDK's cflags (they force -march=corei7 and -include rte_config.h);
# the maps/loader/lib code it links is built as for vfwd.  DPDK's --libs
# start with -Wl,--as-needed, so only the libraries used are linked.
DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell pkg-config --libs libdpdk 2>/dev/null)
VHOST_SRCS  := $(wildcard vhost/*.c)
VHOST_OBJS  := $(patsubst vhost/%.c,$(BUILD)/vhost/%.o,$(VHOST_SRCS))

$(BUILD)/vhost/%.o: vhost/%.c vhost/vhost.h $(HDRS) $(BUILD)/vfwd.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DPDK_CFLAGS) -c $< -o $@

# Fuzzers: libFuzzer targets (clang's -fsanitize=fuzzer,address, whose
# runtime is libclang-rt-14-dev).  make test runs each for a few seconds
# (tests/run.sh), make fuzz for FUZZ_SECS.
FUZZ_SECS ?= 300
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address -D_GNU_SOURCE -Imaps -Ilib -Iloader -I$(BUILD)
MAC_LINE_SRCS := lib/mac_file.c maps/mac.c maps/num.c
$(BUILD)/fuzz_mac_line: tests/fuzz/fuzz_mac_line.c $(MAC_LINE_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(MAC_LINE_SRCS) $(LIBS)

CONFIG_SRCS := lib/config.c lib/config_value.c lib/config_write.c lib/json.c maps/mac.c maps/num.c maps/port.c maps/stats.c \
	       loader/cpuset.c
$(BUILD)/fuzz_config: tests/fuzz/fuzz_config.c $(CONFIG_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(CONFIG_SRCS) $(LIBS)

# The program fuzzer: BPF_PROG_TEST_RUN with invariants checked per frame;
# make fuzz sends FUZZ_FRAMES frames through each program.
FUZZ_FRAMES ?= 1000000
FUZZ_PROGS_SRCS := tests/fuzz/fuzz_progs.c tests/fuzz/fuzz_topo.c tests/fuzz/fuzz_frames.c tests/fuzz/fuzz_hops.c
$(BUILD)/fuzz_progs: $(FUZZ_PROGS_SRCS) tests/fuzz/fuzz_progs.h $(wildcard tests/prog/*.h) maps/vfwd_maps.h maps/stats.c maps/mac_table.c loader/skel.c loader/skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ $(FUZZ_PROGS_SRCS) maps/stats.c maps/mac_table.c loader/skel.c $(LIBS)

fuzz: $(FUZZERS) $(FUZZ_PROGS)
	for f in $(patsubst $(BUILD)/fuzz_%,%,$(FUZZERS)); do \
		bash tests/fuzz/run.sh $$f $(FUZZ_SECS) || exit 1; done
	$(BUILD)/fuzz_progs --frames $(FUZZ_FRAMES)

# vfwd-exporter: /metrics for Prometheus, over libmicrohttpd.
EXPORTER_SRCS := $(wildcard exporter/*.c)
$(BUILD)/vfwd-exporter: $(EXPORTER_SRCS) exporter/exporter.h $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(EXPORTER_SRCS) $(CORE_SRCS) -lmicrohttpd $(LIBS) -lpthread

$(BUILD)/vfwd-vhost: $(VHOST_OBJS) $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(VHOST_OBJS) $(CORE_SRCS) $(DPDK_LIBS) \
		$(LIBS) -lpthread

# Test helpers: a live-frame generator (its own tiny XDP_TX program) and a
# tap/AF_PACKET sink.  They are test glue, not part of the product.
$(BUILD)/gen_tx.bpf.o: tests/tools/gen_tx.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/gen_tx.skel.h: $(BUILD)/gen_tx.bpf.o
	$(BPFTOOL) gen skeleton $< name gen_tx_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/vfwd-gen: tests/tools/vfwd-gen.c tests/tools/gen_send.c maps/mac.c maps/num.c $(wildcard tests/tools/*.h) $(BUILD)/gen_tx.skel.h
	$(CC) $(CFLAGS) -Itests/tools -o $@ tests/tools/vfwd-gen.c tests/tools/gen_send.c maps/mac.c maps/num.c $(LIBS)

$(BUILD)/vfwd-sink: tests/tools/vfwd-sink.c $(wildcard tests/tools/*.h)
	$(CC) $(CFLAGS) -Itests/tools -o $@ tests/tools/vfwd-sink.c $(LIBS)

# Tier 1: BPF_PROG_TEST_RUN table tests, linked with the typed accessors.
$(BUILD)/test_uplink: tests/prog/test_uplink.c $(wildcard tests/prog/*.h) $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ tests/prog/test_uplink.c $(CORE_SRCS) $(LIBS)

# AF_XDP ports: vfwd_uplink's XSKMAP redirect with real sockets (libxdp),
# and vfwd_xguest (with the daemon's writer of its answers).
XSK_TEST_SRCS := maps/stats.c maps/mac_table.c loader/skel.c
$(BUILD)/test_xsk: tests/prog/test_xsk.c $(wildcard tests/prog/*.h) maps/vfwd_maps.h $(XSK_TEST_SRCS) loader/skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ tests/prog/test_xsk.c $(XSK_TEST_SRCS) $(LIBS)
$(BUILD)/test_xguest: tests/prog/test_xguest.c $(wildcard tests/prog/*.h) maps/vfwd_maps.h $(XSK_TEST_SRCS) loader/xguest_emit.c loader/skel.h loader/xguest.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ tests/prog/test_xguest.c $(XSK_TEST_SRCS) loader/xguest_emit.c $(LIBS)

# CPU steering: vfwd_uplink through the CPUMAP, and vfwd_cpu.
$(BUILD)/test_cpu: tests/prog/test_cpu.c $(wildcard tests/prog/*.h) $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ tests/prog/test_cpu.c $(CORE_SRCS) $(LIBS)

# It needs the skeleton (and its map fds), the schema and the reason
# names only.
$(BUILD)/test_guest: tests/prog/test_guest.c $(wildcard tests/prog/*.h) maps/vfwd_maps.h maps/stats.c maps/mac_table.c loader/skel.c loader/skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -Itests/prog -o $@ tests/prog/test_guest.c maps/stats.c maps/mac_table.c loader/skel.c $(LIBS)

# Unit test of the host CPU code against fake sysfs/proc trees; needs
# neither the skeleton nor root.
CPU_SRCS := loader/cpuset.c loader/topology.c loader/vcpu.c maps/num.c
$(BUILD)/test_cpus: tests/unit/test_cpus.c $(CPU_SRCS) loader/vfwd_cpus.h maps/vfwd_maps.h maps/vfwd_tables.h | $(BUILD)
	$(CC) $(CFLAGS) -Iloader -Imaps -o $@ tests/unit/test_cpus.c $(CPU_SRCS)

# Unit test of the JSON writer (lib/json.c): libfyaml only.
$(BUILD)/test_json: tests/unit/test_json.c lib/json.c lib/json.h | $(BUILD)
	$(CC) $(CFLAGS) -o $@ tests/unit/test_json.c lib/json.c $(LIBS)

test: all
	tests/run.sh

# Benchmarks: side-by-side measurements, never pass/fail tests.  All
# link the shared bench_lib.c (with maps/mac_table.c); those that write JSON also bench_json.c and
# the JSON writer (lib/json.c).  The XDP sinks share sink_count.bpf.h, and with
# their benchmarks sink_stat.h.
BENCH_LIB := bench/bench_lib.c bench/bench_lib.h
HOP_SRCS  := bench/cpumap_hop.c bench/hop_setup.c bench/hop_run.c \
	     bench/hop_report.c bench/task_stat.c bench/bench_lib.c \
	     bench/bench_json.c lib/json.c maps/mac_table.c
HOP_HDRS  := bench/cpumap_hop.h bench/hop_sink.h bench/sink_stat.h \
	     bench/task_stat.h bench/bench_lib.h bench/bench_json.h lib/json.h

$(BUILD)/vlan_pop.bpf.o: bench/vlan_pop.bpf.c maps/vfwd_maps.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/vlan_pop.skel.h: $(BUILD)/vlan_pop.bpf.o
	$(BPFTOOL) gen skeleton $< name vlan_pop_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/vlan_pop: bench/vlan_pop.c $(BENCH_LIB) maps/vfwd_maps.h $(BUILD)/vlan_pop.skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ bench/vlan_pop.c bench/bench_lib.c maps/mac_table.c $(LIBS)

$(BUILD)/cpumap_hop.bpf.o: bench/cpumap_hop.bpf.c bench/hop_sink.h bench/sink_stat.h bench/sink_count.bpf.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/cpumap_hop.skel.h: $(BUILD)/cpumap_hop.bpf.o
	$(BPFTOOL) gen skeleton $< name cpumap_hop_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/cpumap_hop: $(HOP_SRCS) $(HOP_HDRS) maps/vfwd_maps.h $(BUILD)/cpumap_hop.skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(HOP_SRCS) $(LIBS)

# guest_tcp.sh finds the binaries and its guest image through VFWD_BUILD.
$(BUILD)/stub.bpf.o: bench/stub.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/stub.skel.h: $(BUILD)/stub.bpf.o
	$(BPFTOOL) gen skeleton $< name stub_bpf > $@.tmp && mv $@.tmp $@

PC_SRCS := bench/prog_cost.c bench/prog_cost_env.c bench/prog_cost_json.c \
	   bench/bench_lib.c bench/bench_json.c lib/json.c
PC_HDRS := bench/prog_cost.h bench/prog_cost_json.h bench/bench_lib.h \
	   bench/bench_json.h lib/json.h

$(BUILD)/bench_prog_cost: $(PC_SRCS) $(PC_HDRS) $(wildcard maps/*.c) loader/skel.c $(HDRS) $(BUILD)/stub.skel.h $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(PC_SRCS) $(wildcard maps/*.c) loader/skel.c $(LIBS)

# lib/json.c comes with $(CORE_SRCS).
CTL_SRCS := bench/control.c bench/prog_cost_json.c bench/bench_lib.c \
	    bench/bench_json.c

$(BUILD)/bench_control: $(CTL_SRCS) bench/prog_cost_json.h bench/bench_lib.h bench/bench_json.h $(CORE_SRCS) $(HDRS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(CTL_SRCS) $(CORE_SRCS) $(LIBS)

# bench_paths: the forwarding rate of vfwd's paths against XDP_DROP, a
# minimal redirect, a Linux bridge and macvtap, interleaved (issue 6).
# It runs the vfwd CLI found next to itself.
PATHS_SRCS  := bench/paths.c bench/paths_setup.c bench/paths_run.c \
	       bench/paths_report.c bench/bench_lib.c bench/bench_json.c \
	       lib/json.c maps/mac_table.c
PATHS_HDRS  := bench/paths.h bench/paths_sink.h bench/sink_stat.h \
	       bench/bench_lib.h bench/bench_json.h lib/json.h
PATHS_SKELS := $(BUILD)/gen_flows.skel.h $(BUILD)/paths_sink.skel.h \
	       $(BUILD)/paths_floor.skel.h

$(BUILD)/gen_flows.bpf.o $(BUILD)/paths_sink.bpf.o: bench/paths_sink.h bench/sink_stat.h
$(BUILD)/paths_sink.bpf.o: bench/sink_count.bpf.h
$(BUILD)/gen_flows.bpf.o $(BUILD)/paths_sink.bpf.o $(BUILD)/paths_floor.bpf.o: $(BUILD)/%.bpf.o: bench/%.bpf.c | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(PATHS_SKELS): $(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/bench_paths: $(PATHS_SRCS) $(PATHS_HDRS) maps/vfwd_maps.h $(PATHS_SKELS) $(BUILD)/vfwd.skel.h
	$(CC) $(CFLAGS) -o $@ $(PATHS_SRCS) $(LIBS)

# bench/run.sh runs every benchmark in one go and writes
# bench/results/<date>.json; docs/benchmarks.md and docs/bench-paths.png
# are regenerated from it (bench/report.py).
bench: all
	VFWD_BUILD=$(abspath $(BUILD)) bench/run.sh

# Under 2 minutes, for development: results under build/bench/, docs
# untouched.
bench-quick: all
	VFWD_BUILD=$(abspath $(BUILD)) bench/run.sh --quick

# The VM tier builds this itself when it starts; the target is for
# working on the guest.  Inputs are checked by the script (it rebuilds
# only when the kernel package, busybox or guest-init.sh changed).
vm-image:
	tests/vm/build-guest.sh $(BUILD)/vm

demo: $(BUILD)/vfwd $(BUILD)/vfwd-gen $(BUILD)/vfwd-sink
	scripts/demo.sh

# make install: binaries to $(PREFIX)/sbin, systemd units (dist/*.in with
# the paths filled in) to $(UNITDIR), the docs to $(DOCDIR), the libvirt
# hook (a symlink to vfwd) to $(HOOKDIR).  DESTDIR
# stages it elsewhere (tests/integration/test_install.sh does).
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DOCDIR  ?= $(PREFIX)/share/doc/vfwd
UNITDIR ?= /etc/systemd/system
PINDIR  ?= /sys/fs/bpf/vfwd
CONFDIR ?= /etc/vfwd
# libvirt 9 runs every executable here as its qemu hook; vfwd is one when
# run by that name (docs/integration.md, "libvirt").
HOOKDIR ?= /etc/libvirt/hooks/qemu.d
INSTALL_BINS := $(BUILD)/vfwd $(BUILD)/vfwd-vhost $(BUILD)/vfwd-exporter
UNITS := $(patsubst dist/%.in,%,$(wildcard dist/*.service.in dist/*.timer.in))

install: $(INSTALL_BINS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(HOOKDIR)
	install -m 0755 $(INSTALL_BINS) $(DESTDIR)$(SBINDIR)/
	ln -sf $(SBINDIR)/vfwd $(DESTDIR)$(HOOKDIR)/vfwd
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		    -e 's|@PINDIR@|$(PINDIR)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' \
		    dist/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PKGS)
	tests/vm/fetch-kernel.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
