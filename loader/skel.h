/* SPDX-License-Identifier: GPL-2.0 */
/* Loader-internal: opening and loading the BPF object with pinned maps. */
#ifndef VFWD_SKEL_H
#define VFWD_SKEL_H

#include <stddef.h>

struct vfwd_bpf;
struct vfwd_tables;

/* Open the object with every map pinned by name under pin_dir.  Programs
 * are not loaded; callers turn autoload back on for the one they need. */
struct vfwd_bpf *vfwd_skel_open(const char *pin_dir);
/* Load it: reuse the pinned maps, create and pin the missing ones. */
int vfwd_skel_load(struct vfwd_bpf *skel, const char *pin_dir);

/* The same for the attach paths, which explain a failure in errbuf: what
 * names the programs being loaded.  open returns NULL and sets *err. */
struct vfwd_bpf *vfwd_skel_open_msg(const char *pin_dir, int *err, char *errbuf,
				    size_t errlen);
int vfwd_skel_load_msg(struct vfwd_bpf *skel, const char *pin_dir,
		       const char *what, char *errbuf, size_t errlen);

/* The map fds of a loaded skeleton, in the form the typed accessors in
 * maps/ take them.  The fds stay the skeleton's, except mac_fd: the live
 * MAC table, installed first if the object has none, is a new fd. */
void vfwd_skel_tables(const struct vfwd_bpf *skel, struct vfwd_tables *t);

#endif /* VFWD_SKEL_H */
