// SPDX-License-Identifier: GPL-2.0
/* bpffs checks, the pin directory and the lock that serialises commands. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "vfwd_loader.h"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/*
 * The pin path is checked as text (its parent against the default mount
 * point, and whether it is that mount point) and removed with rmdir by
 * detach, so it must name its directory one way: absolute, so it does not
 * depend on the working directory, and without "." or "..", which would
 * make a mount root ("/sys/fs/bpf/.") look like a directory below it.
 */
const char *vfwd_pin_path_fault(const char *pin_dir)
{
	const char *p = pin_dir, *name;
	size_t len;

	if (pin_dir[0] != '/')
		return "it is not an absolute path";
	while (*p) {
		while (*p == '/')
			p++;
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		if (len == strlen(".") && !strncmp(name, ".", len))
			return "it has a '.' component";
		if (len == strlen("..") && !strncmp(name, "..", len))
			return "it has a '..' component";
	}
	return NULL;
}

/* pin_dir is the standard mount point itself, with any trailing '/'. */
static bool is_pin_root(const char *pin_dir)
{
	size_t len = strlen(VFWD_PIN_ROOT);

	if (strncmp(pin_dir, VFWD_PIN_ROOT, len))
		return false;
	while (pin_dir[len] == '/')
		len++;
	return pin_dir[len] == '\0';
}

/* 1 if path is the root of a mounted filesystem, 0 if not, or -errno.
 * statx() says so directly (STATX_ATTR_MOUNT_ROOT, Linux 5.8); without
 * that, a mount root's parent is on another device (or is itself, at /). */
static int is_mount_root(const char *path)
{
	char parent[PATH_MAX];
	struct statx stx;
	struct stat self, up;
	int w;

	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	w = snprintf(parent, sizeof(parent), "%s/..", path);
	if (w < 0 || (size_t)w >= sizeof(parent))
		return -ENAMETOOLONG;
	if (stat(path, &self) || stat(parent, &up))
		return -errno;
	return self.st_dev != up.st_dev || self.st_ino == up.st_ino;
}

int vfwd_pin_dir_prepare(const char *pin_dir, bool create, bool *mounted)
{
	char parent[PATH_MAX];
	struct stat st;
	int root;

	*mounted = false;
	if (vfwd_pin_path_fault(pin_dir))
		return -EINVAL;
	if (strlen(pin_dir) >= sizeof(parent))
		return -ENAMETOOLONG;
	/* vfwd's state is a directory of its own below a bpffs mount: detach
	 * removes it, and a mount root cannot be removed.  The standard
	 * mount point is refused even before anything is mounted on it. */
	if (is_pin_root(pin_dir))
		return -EBUSY;
	if (stat(pin_dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (!is_bpffs(pin_dir))
			return -ENOTSUP;
		root = is_mount_root(pin_dir);
		if (root < 0)
			return root;
		return root ? -EBUSY : 0;
	}
	if (errno != ENOENT)
		return -errno;

	strcpy(parent, pin_dir);
	dirname(parent);
	if (!is_bpffs(parent)) {
		/* Distributions differ in whether they mount bpffs at boot;
		 * vfwd mounts it only at its standard place, never elsewhere. */
		if (strcmp(parent, VFWD_PIN_ROOT) != 0)
			return -ENOTSUP;
		if (!create)
			return -ENOENT;
		if (mount("bpf", VFWD_PIN_ROOT, "bpf", 0, "mode=0700"))
			return -errno;
		*mounted = true;
	}
	if (!create)
		return -ENOENT;
	if (mkdir(pin_dir, PIN_DIR_MODE) && errno != EEXIST)
		return -errno;
	return 0;
}

int vfwd_lock(const char *pin_dir)
{
	/* The directory itself is the lock: it exists exactly as long as the
	 * state does.  A `detach` that removes it may run while we wait, so
	 * after taking the lock check that the path still names the inode
	 * we locked, and report -ENOENT if it does not. */
	struct stat locked, now;
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (fstat(fd, &locked) || stat(pin_dir, &now) ||
	    locked.st_ino != now.st_ino || locked.st_dev != now.st_dev) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* FNV-1a, 32 bits: small, stable across releases, and well spread over
 * paths that differ in one character. */
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

__u32 vfwd_pin_dir_hash(const char *pin_dir)
{
	__u32 h = FNV_OFFSET;

	for (const char *c = pin_dir; *c; c++)
		h = (h ^ (unsigned char)*c) * FNV_PRIME;
	return h;
}
