// SPDX-License-Identifier: GPL-2.0
/* What kind of device an interface is, and whether it is up. */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include "vfwd_loader.h"

/*
 * tun and tap share the "tun" driver.  The driver reports which one a
 * device is in the ethtool bus_info field ("tun" or "tap").  This is used
 * rather than /sys/class/net/NAME/tun_flags because sysfs shows the
 * network namespace it was mounted in: under `nsenter --net` (how vfwd
 * serves devices in another namespace while still seeing the host's
 * bpffs) it would describe the wrong device, or none.
 */
static enum vfwd_dev_type tun_type(const struct ethtool_drvinfo *drv)
{
	return strcmp(drv->bus_info, "tap") == 0 ? VFWD_DEV_TAP : VFWD_DEV_TUN;
}

static int fill(struct vfwd_dev_info *d)
{
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		err = errno == ENODEV ? -ENODEV : -errno;
		goto out;
	}
	d->up = ifr.ifr_flags & IFF_UP;
	d->running = ifr.ifr_flags & IFF_RUNNING;
	d->loopback = ifr.ifr_flags & IFF_LOOPBACK;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		goto out;
	}
	/* The link type: ARPHRD_ETHER for every device that carries
	 * Ethernet frames (NICs, taps, veths, bridges, bonds, VLANs),
	 * another value for loopback, tun, tunnels, InfiniBand, ... */
	d->hw_type = ifr.ifr_hwaddr.sa_family;
	d->ether = d->hw_type == ARPHRD_ETHER;
	memcpy(d->mac, ifr.ifr_hwaddr.sa_data, VFWD_ETH_ALEN);
	ifr.ifr_data = (void *)&drv;
	d->driver[0] = '\0';
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(d->driver, sizeof(d->driver), "%s", drv.driver);
	if (strcmp(d->driver, "tun") == 0)
		d->type = tun_type(&drv);
	else if (strcmp(d->driver, "veth") == 0)
		d->type = VFWD_DEV_VETH;
	else
		d->type = VFWD_DEV_OTHER;
out:
	close(fd);
	return err;
}

int vfwd_dev_by_name(const char *name, struct vfwd_dev_info *d)
{
	memset(d, 0, sizeof(*d));
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	d->ifindex = if_nametoindex(name);
	if (!d->ifindex)
		return -ENODEV;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return fill(d);
}

int vfwd_dev_by_index(__u32 ifindex, struct vfwd_dev_info *d)
{
	memset(d, 0, sizeof(*d));
	if (!if_indextoname(ifindex, d->name))
		return -ENODEV;
	d->ifindex = ifindex;
	return fill(d);
}
