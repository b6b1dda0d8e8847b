// SPDX-License-Identifier: GPL-2.0
/* Capability check, so a non-root user gets one clear line instead of a
 * string of EPERMs from the first map that happens to be touched. */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "vfwd_loader.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int vfwd_check_privileges(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (!has_cap(d, CAP_NET_ADMIN))
		return -EPERM;
	if (!has_cap(d, CAP_BPF) && !has_cap(d, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}
