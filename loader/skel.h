/* SPDX-License-Identifier: GPL-2.0 */
/* Loader-internal: opening and loading the BPF object with pinned maps. */
#ifndef VFWD_SKEL_H
#define VFWD_SKEL_H

struct vfwd_bpf;

/* Open the object with every map pinned by name under pin_dir.  Programs
 * are not loaded; callers turn autoload back on for the one they need. */
struct vfwd_bpf *vfwd_skel_open(const char *pin_dir);
/* Load it: reuse the pinned maps, create and pin the missing ones. */
int vfwd_skel_load(struct vfwd_bpf *skel, const char *pin_dir);

#endif /* VFWD_SKEL_H */
