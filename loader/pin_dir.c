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

int vfwd_pin_dir_prepare(const char *pin_dir, bool create, bool *mounted)
{
	char parent[PATH_MAX];
	struct stat st;

	*mounted = false;
	if (strlen(pin_dir) >= sizeof(parent))
		return -ENAMETOOLONG;
	if (stat(pin_dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		return is_bpffs(pin_dir) ? 0 : -ENOTSUP;
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
