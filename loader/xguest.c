// SPDX-License-Identifier: GPL-2.0
/* vfwd_xguest, loaded for vfwd-vhost and run on each frame a guest of an
 * AF_XDP port sends (loader/xguest.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vfwd.skel.h"
#include "skel.h"
#include "vfwd_tables.h"
#include "xguest.h"

/* The largest frame a guest may send: a 9000-byte jumbo frame with its
 * Ethernet header and one tag, the most a virtio-net device negotiates
 * with vfwd-vhost. */
#define XGUEST_MAX_FRAME 9022

struct vfwd_xguest {
	struct vfwd_bpf *skel;
	int prog_fd;
	/* The program's input: metadata, then the frame.  One buffer per
	 * instance; vfwd-vhost runs it from one thread. */
	__u8 in[sizeof(struct vfwd_xguest_meta) + XGUEST_MAX_FRAME];
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

int vfwd_xguest_run(struct vfwd_xguest *g, __u32 port_id, const void *frame,
		    __u32 len, void *out, __u32 cap,
		    struct vfwd_xguest_verdict *v)
{
	const __u32 metalen = sizeof(struct vfwd_xguest_meta);
	struct vfwd_xguest_meta m = {.port_id = port_id};
	/* data: where the frame starts after the metadata; data_end: the
	 * whole input.  The kernel takes the metadata from the front of
	 * data_in and hands both back in data_out. */
	struct xdp_md ctx = {.data = metalen, .data_end = metalen + len};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->in,
		    .data_size_in = metalen + len, .data_out = out,
		    .data_size_out = cap, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = &ctx,
		    .ctx_size_out = sizeof(ctx), .repeat = 1);

	if (len > XGUEST_MAX_FRAME)
		return -EMSGSIZE;
	if (cap < len + VFWD_XGUEST_GROW)
		return -ENOSPC;
	memcpy(g->in, &m, metalen);
	memcpy(g->in + metalen, frame, len);
	if (bpf_prog_test_run_opts(g->prog_fd, &opts))
		return -errno;
	/* XDP_ABORTED: the metadata did not arrive, nothing was counted. */
	if (opts.retval != XDP_PASS && opts.retval != XDP_DROP)
		return -EPROTO;
	if (ctx.data < metalen || ctx.data_end > opts.data_size_out ||
	    ctx.data > ctx.data_end)
		return -EPROTO;
	/* The metadata sits right in front of the frame, at the start of
	 * out: the program may have moved the frame's head (a tag pushed or
	 * popped), and the metadata with it. */
	memcpy(&m, (__u8 *)out + ctx.data - metalen, metalen);
	*v = (struct vfwd_xguest_verdict){.action = m.action,
					  .port_id = m.to,
					  .reason = m.reason,
					  .off = ctx.data,
					  .len = ctx.data_end - ctx.data};
	return 0;
}
