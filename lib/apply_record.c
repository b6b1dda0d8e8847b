// SPDX-License-Identifier: GPL-2.0
/*
 * The record of an apply in progress.  apply changes several maps and
 * devices one after the other, and the kernel has no transaction over
 * them; so before its first change it writes what it is making (the
 * whole target configuration) here, and removes it after its last.  A
 * command that finds a record finishes that apply first (cli/ctx.c), so
 * an apply killed at any moment leaves the old state (no record yet) or,
 * after the next command, the new one.
 *
 * It lives under /run, not in the pin directory: bpffs holds only BPF
 * objects.  Both are gone after a reboot, when nothing is left to finish.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "vfwd_loader.h"

#define RECORD_DIR "/run/vfwd"
/* The two comment lines a record starts with (read back by sscanf). */
#define RECORD_HDR_FLAGS "# vfwd apply in progress: flags %u\n"
#define RECORD_HDR_FILE "# from: %s\n"

int vfwd_apply_record_path(const char *pin_dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, RECORD_DIR "/apply-%08x.yaml",
			 vfwd_pin_dir_hash(pin_dir));

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vfwd_apply_record_write(const char *pin_dir, const struct vfwd_config *want,
			    const char *file, unsigned int flags)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int err;

	err = vfwd_apply_record_path(pin_dir, path, sizeof(path));
	if (err)
		return err;
	if (mkdir(RECORD_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, RECORD_HDR_FLAGS, flags);
	/* A name with a newline would break the header: it is only for
	 * messages, so such a name is not kept. */
	fprintf(f, RECORD_HDR_FILE, strchr(file, '\n') ? "?" : file);
	err = vfwd_config_write(want, f, false, false);
	/* On disk before the rename makes it the record. */
	if (!err && (fflush(f) || fsync(fileno(f))))
		err = -errno;
	if (fclose(f) && !err)
		err = -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int vfwd_apply_record_read(const char *pin_dir, struct vfwd_config *cfg,
			   char *file, size_t flen, unsigned int *flags,
			   char *err, size_t errlen)
{
	char path[PATH_MAX], line[PATH_MAX + 16];
	FILE *f;
	int ret;

	ret = vfwd_apply_record_path(pin_dir, path, sizeof(path));
	if (ret)
		return ret;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ret = -EINVAL;
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, RECORD_HDR_FLAGS, flags) == 1 &&
	    fgets(line, sizeof(line), f) && !strncmp(line, "# from: ", 8)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(file, flen, "%s", line + 8);
		ret = 0;
	}
	fclose(f);
	if (ret) {
		snprintf(err, errlen, "%s: not an apply record", path);
		return ret;
	}
	/* The rest is YAML; the header lines are comments to it. */
	return vfwd_config_read(path, cfg, err, errlen);
}

int vfwd_apply_record_clear(const char *pin_dir)
{
	char path[PATH_MAX];
	int err = vfwd_apply_record_path(pin_dir, path, sizeof(path));

	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	return err;
}
