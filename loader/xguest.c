// SPDX-License-Identifier: GPL-2.0
/* vfwd_xguest, loaded for vfwd-vhost and run on the frames the guests of
 * AF_XDP ports send (loader/xguest.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd_maps.h" /* the skeleton names its types */
#include "vfwd.skel.h"
#include "skel.h"
#include "vfwd_tables.h"
#include "xguest.h"

struct vfwd_xguest {
	struct vfwd_bpf *skel;
	int prog_fd;
	/* The program's .bss, mapped: entries in, answers out. */
	struct vfwd_xguest_batch *batch;
	unsigned int queued;
	bool ran; /* the last run was made: the next add starts afresh */
	bool answered; /* ... and it answered every entry */
	/* The test run's data: frame i's head at i * VFWD_XG_HEAD. */
	__u8 heads[VFWD_XG_BATCH * VFWD_XG_HEAD];
};

int vfwd_xguest_open(const char *pin_dir, struct vfwd_xguest **out, char *err,
		     size_t errlen)
{
	struct vfwd_tables t;
	struct vfwd_xguest *g;
	int ret;

	/* Never make an installation: loading the object against a pin
	 * directory creates the maps that are missing there. */
	ret = vfwd_tables_open(&t, pin_dir);
	if (ret) {
		snprintf(err, errlen, "tables in %s: %s", pin_dir,
			 ret == -ENOENT ? "none (no vfwd installation there)"
					: strerror(-ret));
		return ret;
	}
	vfwd_tables_close(&t);
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "vfwd_xguest: out of memory");
		return -ENOMEM;
	}
	g->skel = vfwd_skel_open_msg(pin_dir, &ret, err, errlen);
	if (!g->skel)
		goto fail;
	bpf_program__set_autoload(g->skel->progs.vfwd_xguest, true);
	ret = vfwd_skel_load_msg(g->skel, pin_dir, "vfwd_xguest", err, errlen);
	if (ret)
		goto fail;
	g->prog_fd = bpf_program__fd(g->skel->progs.vfwd_xguest);
	g->batch = &g->skel->bss->vfwd_xg_batch;
	*out = g;
	return 0;
fail:
	vfwd_xguest_close(g);
	return ret;
}

void vfwd_xguest_close(struct vfwd_xguest *g)
{
	if (!g)
		return;
	if (g->skel)
		vfwd_bpf__destroy(g->skel);
	free(g);
}

int vfwd_xguest_add(struct vfwd_xguest *g, __u32 port_id, const void *head,
		    __u32 len)
{
	struct vfwd_xguest_ent *e;
	__u8 *slot;
	__u32 n;

	if (g->ran) {
		g->queued = 0;
		g->ran = false;
		g->answered = false;
	}
	if (g->queued == VFWD_XG_BATCH)
		return -ENOSPC;
	e = &g->batch->e[g->queued];
	*e = (struct vfwd_xguest_ent){.port_id = port_id, .len = len};
	slot = g->heads + g->queued * VFWD_XG_HEAD;
	n = len < VFWD_XG_HEAD ? len : VFWD_XG_HEAD;
	memcpy(slot, head, n);
	/* A runt's padding: the program knows it by len. */
	memset(slot + n, 0, vfwd_xguest_slot(len) - n);
	return g->queued++;
}

unsigned int vfwd_xguest_queued(const struct vfwd_xguest *g)
{
	return g->ran ? 0 : g->queued;
}

int vfwd_xguest_run(struct vfwd_xguest *g)
{
	__u32 size;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->heads, .repeat = 1);

	if (g->ran || !g->queued)
		return -ENOENT;
	/* Every head but the last takes a whole VFWD_XG_HEAD: the program
	 * finds each at i * VFWD_XG_HEAD.  No data_out: the frames come
	 * back unchanged, only the answers matter. */
	size = (g->queued - 1) * VFWD_XG_HEAD +
	       vfwd_xguest_slot(g->batch->e[g->queued - 1].len);
	opts.data_size_in = size;
	g->batch->n = g->queued;
	g->ran = true;
	g->answered = false;
	if (bpf_prog_test_run_opts(g->prog_fd, &opts))
		return -errno;
	/* XDP_ABORTED: the layout was refused, nothing was counted. */
	if (opts.retval != XDP_PASS || g->batch->done != g->queued)
		return -EPROTO;
	g->answered = true;
	return 0;
}

const struct vfwd_xguest_ent *vfwd_xguest_answer(const struct vfwd_xguest *g,
						 unsigned int i)
{
	return g->answered && i < g->queued ? &g->batch->e[i] : NULL;
}
