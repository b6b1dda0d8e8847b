// SPDX-License-Identifier: GPL-2.0
/* Opening and loading the BPF object against the pinned maps, and
 * creating those maps without attaching anything, so ports and MACs can be
 * provisioned before (or without) an uplink. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "vfwd_loader.h"
#include "skel.h"

struct vfwd_bpf *vfwd_skel_open(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct vfwd_bpf *skel = vfwd_bpf__open_opts(&opts);
	struct bpf_program *prog;
	int ncpus, err;

	if (!skel)
		return NULL;
	/* One CPUMAP slot per CPU the host can have (bpf/vfwd_maps.bpf.h);
	 * the pinned map's size is checked against this on reuse. */
	ncpus = libbpf_num_possible_cpus();
	err = ncpus < 0
		      ? ncpus
		      : bpf_map__set_max_entries(skel->maps.vfwd_cpu_v4, ncpus);
	if (err) {
		vfwd_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_autocreate(skel->maps.vfwd_mac_btf, false);
	return skel;
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates (and
 * refuses it at creation), while libbpf 1.1 compares flags when it reuses
 * a pin, so libbpf would refuse its own pinned devmap the second time.
 * The devmaps are therefore not marked for pinning in bpf/ and are pinned
 * and reused here; vfwd_tables_open checks their layout instead.
 */
static int devmap_reuse(struct bpf_map *m, const char *pin_dir, bool *reused)
{
	char path[PATH_MAX];
	int fd, err;

	*reused = false;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(m));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_map__reuse_fd(m, fd);
	close(fd);
	*reused = !err;
	return err;
}

static int devmap_pin(struct bpf_map *m, const char *pin_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(m));
	return bpf_map__pin(m, path);
}

/* The object's BTF ids of the MAC table's key and value. */
static void skel_mac_btf(const struct vfwd_bpf *skel, struct vfwd_mac_btf *b)
{
	const struct btf *btf = bpf_object__btf(skel->obj);
	int key, val;

	*b = (struct vfwd_mac_btf){.btf_fd = -1};
	if (!btf)
		return;
	key = btf__find_by_name_kind(btf, "vfwd_mac_key", BTF_KIND_STRUCT);
	val = btf__find_by_name_kind(btf, "vfwd_mac_val", BTF_KIND_STRUCT);
	if (key <= 0 || val <= 0)
		return;
	*b = (struct vfwd_mac_btf){.btf_fd = btf__fd(btf),
				   .key_type_id = key,
				   .value_type_id = val};
}

/* A fresh vfwd_macs_v4 has an empty slot: give it its first table, so
 * the programs and every command always find one. */
static int skel_mac_table(const struct vfwd_bpf *skel)
{
	struct vfwd_mac_btf b;

	skel_mac_btf(skel, &b);
	return vfwd_mac_table_ensure(bpf_map__fd(skel->maps.vfwd_macs_v4), &b);
}

int vfwd_skel_load(struct vfwd_bpf *skel, const char *pin_dir)
{
	struct bpf_map *devmaps[] = {skel->maps.vfwd_tx_v4,
				     skel->maps.vfwd_flood_v4};
	bool reused[sizeof(devmaps) / sizeof(devmaps[0])];
	size_t n = sizeof(devmaps) / sizeof(devmaps[0]);
	int err;

	for (size_t i = 0; i < n; i++) {
		err = devmap_reuse(devmaps[i], pin_dir, &reused[i]);
		if (err)
			return err;
	}
	err = vfwd_bpf__load(skel);
	if (!err) {
		int fd = skel_mac_table(skel);

		err = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < n && !err; i++)
		if (!reused[i])
			err = devmap_pin(devmaps[i], pin_dir);
	return err;
}

struct vfwd_bpf *vfwd_skel_open_msg(const char *pin_dir, int *err, char *errbuf,
				    size_t errlen)
{
	struct vfwd_bpf *skel = vfwd_skel_open(pin_dir);

	if (!skel) {
		*err = -errno;
		snprintf(errbuf, errlen, "cannot open the BPF object: %s",
			 strerror(-*err));
	}
	return skel;
}

int vfwd_skel_load_msg(struct vfwd_bpf *skel, const char *pin_dir,
		       const char *what, char *errbuf, size_t errlen)
{
	int err = vfwd_skel_load(skel, pin_dir);

	if (err)
		snprintf(
			errbuf, errlen,
			"cannot load %s with the maps in %s: %s (run with -v for the verifier log)",
			what, pin_dir, strerror(-err));
	return err;
}

void vfwd_skel_tables(const struct vfwd_bpf *skel, struct vfwd_tables *t)
{
	*t = (struct vfwd_tables){
		.macs_fd = bpf_map__fd(skel->maps.vfwd_macs_v4),
		/* A new fd, the caller's: the live table, made if need be
		 * (test and benchmark objects are loaded without pins). */
		.mac_fd = skel_mac_table(skel),
		.intent_fd = bpf_map__fd(skel->maps.vfwd_intent_v4),
		.port_fd = bpf_map__fd(skel->maps.vfwd_port_v4),
		.tx_fd = bpf_map__fd(skel->maps.vfwd_tx_v4),
		.stats_fd = bpf_map__fd(skel->maps.vfwd_stats_v4),
		.reason_fd = bpf_map__fd(skel->maps.vfwd_reason_v4),
		.flood_fd = bpf_map__fd(skel->maps.vfwd_flood_v4),
		.vlan_fd = bpf_map__fd(skel->maps.vfwd_vlan_v4),
		.cpu_fd = bpf_map__fd(skel->maps.vfwd_cpu_v4),
		.xsk_fd = bpf_map__fd(skel->maps.vfwd_xsk_v4),
		.xstat_fd = bpf_map__fd(skel->maps.vfwd_xstat_v4),
		.relay_fd = bpf_map__fd(skel->maps.vfwd_relay_v4),
		.xrelay_fd = bpf_map__fd(skel->maps.vfwd_xrelay_v4),
	};
}

/*
 * The intent journal is pinned before any other map, already saying
 * VFWD_OP_CREATE (or VFWD_OP_UPGRADE, for tables an upgrade fills): from the first pin on, a kill leaves either too few
 * pins (partial state) or a journal that says the tables were made by a
 * command that never finished.  The next command finishes or removes
 * them either way (cli/ctx.c).  libbpf then reuses this pin as it is.
 */
static int intent_precreate(const char *pin_dir, __u32 op, bool *fresh)
{
	struct vfwd_intent in = {.op = op, .pid = getpid()};
	char path[PATH_MAX];
	__u32 slot = 0;
	int fd, err = 0;

	*fresh = false;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, VFWD_MAP_INTENT);
	if (access(path, F_OK) == 0)
		return 0;
	/* libbpf makes the directory for the pins it makes; this pin
	 * comes first.  Private, as loader/pin_dir.c explains. */
	if (mkdir(pin_dir, PIN_DIR_MODE) && errno != EEXIST)
		return -errno;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, VFWD_MAP_INTENT, sizeof(slot),
			    sizeof(in), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &slot, &in, BPF_ANY) ||
	    bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	*fresh = !err;
	return err;
}

int vfwd_maps_create_op(const char *pin_dir, __u32 op, bool *fresh)
{
	struct vfwd_bpf *skel;
	bool made;
	int err;

	err = intent_precreate(pin_dir, op, &made);
	if (fresh)
		*fresh = made;
	if (err)
		return err;
	skel = vfwd_skel_open(pin_dir);
	if (!skel)
		return -errno ? -errno : -EINVAL;
	err = vfwd_skel_load(skel, pin_dir);
	vfwd_bpf__destroy(skel);
	return err;
}

int vfwd_maps_create(const char *pin_dir, bool *fresh)
{
	return vfwd_maps_create_op(pin_dir, VFWD_OP_CREATE, fresh);
}
