// SPDX-License-Identifier: GPL-2.0
/* One scrape's body (exporter/exporter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exporter.h"
#include "snapshot.h"

/* Whether the tables were read: the gauge a scrape always has, so that an
 * installation that went away (detached, or not yet attached) shows as 0
 * rather than as a failed scrape. */
static void up_gauge(FILE *f, int up)
{
	fprintf(f,
		"# HELP vfwd_up Whether vfwd-exporter could read the installation's pinned tables.\n"
		"# TYPE vfwd_up gauge\nvfwd_up %d\n",
		up);
}

int exp_render(const char *pin_dir, char **body, size_t *len, char *err,
	       size_t errlen)
{
	struct vfwd_snapshot *s = NULL;
	struct vfwd_tables t;
	int ret, up = 0;
	FILE *f;

	*body = NULL;
	f = open_memstream(body, len);
	if (!f)
		return -errno;
	err[0] = '\0';
	ret = vfwd_tables_open(&t, pin_dir);
	if (ret) {
		snprintf(err, errlen, "tables in %s: %s", pin_dir,
			 ret == -ENOENT ? "none (no vfwd installation there)"
					: strerror(-ret));
	} else {
		s = calloc(1, sizeof(*s));
		ret = s ? vfwd_snapshot_take(&t, pin_dir, -1, s) : -ENOMEM;
		vfwd_tables_close(&t);
		if (ret)
			snprintf(err, errlen, "reading the counters in %s: %s",
				 pin_dir, strerror(-ret));
		else
			up = 1;
	}
	up_gauge(f, up);
	ret = up ? vfwd_prom_write(f, s) : 0;
	free(s);
	if (fclose(f) || ret) {
		free(*body);
		*body = NULL;
		return ret ? ret : -EIO;
	}
	return 0;
}
