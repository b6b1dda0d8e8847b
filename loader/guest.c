// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-port programs: vfwd_guest on the device's clsact ingress hook, and
 * vfwd_egress on the port's flood devmap entry.  Each port gets its own
 * instance of the object with cfg_port_id set, so neither program looks
 * its port up by device at run time.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "vfwd_loader.h"
#include "skel.h"

static void tc_opts_init(struct bpf_tc_hook *hook, struct bpf_tc_opts *opts,
			 __u32 ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = VFWD_TC_HANDLE;
	opts->priority = VFWD_TC_PRIO;
}

int vfwd_guest_attach(const char *pin_dir, const struct vfwd_tables *t,
		      __u32 port_id, __u32 ifindex, char *errbuf, size_t errlen)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	struct vfwd_bpf *skel;
	int err;

	skel = vfwd_skel_open_msg(pin_dir, &err, errbuf, errlen);
	if (!skel)
		return err;
	skel->rodata->cfg_port_id = port_id;
	bpf_program__set_autoload(skel->progs.vfwd_guest, true);
	bpf_program__set_autoload(skel->progs.vfwd_egress, true);
	err = vfwd_skel_load_msg(skel, pin_dir, "vfwd_guest/vfwd_egress",
				 errbuf, errlen);
	if (err)
		goto out;

	/* The flood entry first: its new egress program is harmless if the
	 * filter below cannot be attached, while the other order could fail
	 * after the old filter was replaced.  Undoing is the caller's job:
	 * on an upgrade, the guest keeps its working filter. */
	err = vfwd_flood_set(t, port_id, ifindex,
			     bpf_program__fd(skel->progs.vfwd_egress));
	if (err) {
		snprintf(errbuf, errlen,
			 "cannot add the port to the flood devmap: %s",
			 strerror(-err));
		goto out;
	}
	tc_opts_init(&hook, &opts, ifindex);
	/* The clsact qdisc may be there already (another filter, or an
	 * earlier vfwd): that is fine, it is shared. */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		snprintf(errbuf, errlen, "cannot add a clsact qdisc: %s",
			 strerror(-err));
		goto out;
	}
	opts.prog_fd = bpf_program__fd(skel->progs.vfwd_guest);
	/* REPLACE: re-adding a port (or moving it) swaps the program in
	 * one step, so the guest is never without its source check. */
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		snprintf(errbuf, errlen,
			 "cannot attach vfwd_guest to tc ingress: %s",
			 strerror(-err));
out:
	/* The tc filter and the devmap entry hold the programs; the maps
	 * are pinned.  Nothing else needs to outlive this process. */
	vfwd_bpf__destroy(skel);
	return err;
}

int vfwd_guest_detach(__u32 ifindex)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	__u32 prog_id;
	int err;

	/* Nothing there (device gone, no clsact, no filter of ours): done.
	 * Any failure to remove a filter that is there is reported. */
	err = vfwd_guest_query(ifindex, &prog_id);
	if (err == -ENODEV || (!err && !prog_id))
		return 0;
	if (err)
		return err;
	tc_opts_init(&hook, &opts, ifindex);
	/* The clsact qdisc stays; other filters may use it. */
	return bpf_tc_detach(&hook, &opts);
}

int vfwd_guest_query(__u32 ifindex, __u32 *prog_id)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	*prog_id = 0;
	tc_opts_init(&hook, &opts, ifindex);
	err = bpf_tc_query(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL)
		return 0;
	if (!err)
		*prog_id = opts.prog_id;
	return err;
}
