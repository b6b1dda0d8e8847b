// SPDX-License-Identifier: GPL-2.0
/*
 * The installation as a configuration: what the tables hold, in the form
 * apply takes (lib/config.h).  dump-config prints it, and apply compares
 * a file against it (lib/plan.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "vfwd_cpus.h"
#include "vfwd_loader.h"
#include "vfwd_ops.h"

/* The device a port's ifindex names now; "" when it is gone (apply then
 * moves the port back onto the file's device, as port set --dev does). */
static void dev_name(__u32 ifindex, char *buf, size_t len)
{
	struct vfwd_dev_info d;

	if (ifindex && !vfwd_dev_by_index(ifindex, &d))
		snprintf(buf, len, "%s", d.name);
	else
		buf[0] = '\0';
}

static void port_cfg(const struct vfwd_tables *t, const struct vfwd_port *p,
		     struct vfwd_cfg_port *c)
{
	struct vfwd_port up;

	snprintf(c->name, sizeof(c->name), "%s", p->name);
	c->xsk = vfwd_port_is_xsk(p);
	if (c->xsk) {
		snprintf(c->vhost_socket, sizeof(c->vhost_socket), "%s",
			 p->vhost_path);
		c->vhost_server = p->flags & VFWD_PORT_F_VHOST_SERVER;
	} else {
		dev_name(p->ifindex, c->dev, sizeof(c->dev));
	}
	c->vid = p->vid;
	if ((p->flags & VFWD_PORT_F_UPLINK_SET) &&
	    !vfwd_port_get(t, p->uplink_id, &up) && up.kind == VFWD_PORT_UPLINK)
		snprintf(c->uplink, sizeof(c->uplink), "%s", up.name);
	c->spoofchk = p->flags & VFWD_PORT_F_SPOOFCHK;
	if (p->cpu_source == VFWD_CPUSRC_CPUS)
		vfwd_cpulist_format(p->vcpu_cpus, p->ncpus, c->cpus,
				    sizeof(c->cpus));
	else if (p->cpu_source == VFWD_CPUSRC_VM_PID)
		c->vm_pid = p->vm_pid;
	c->placement = p->ncpus ? p->placement : VFWD_PLACE_SAME_CPU;
	c->placement_set = p->ncpus;
	c->rps = p->flags & VFWD_PORT_F_RPS;
}

static int read_macs(const struct vfwd_tables *t, const struct vfwd_port *ports,
		     struct vfwd_config *cfg)
{
	struct vfwd_mac_entry *e;
	size_t n;
	int err = vfwd_mac_dump(t, &e, &n);

	if (err)
		return err;
	cfg->macs = calloc(n ? n : 1, sizeof(*cfg->macs));
	if (!cfg->macs) {
		free(e);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct vfwd_cfg_mac *m = &cfg->macs[cfg->n_macs];
		__u32 id = e[i].val.port_id;

		/* An entry of no port is not state a file can say. */
		if (id >= VFWD_MAX_PORTS || !ports[id].name[0])
			continue;
		memcpy(m->mac, e[i].key.mac, VFWD_ETH_ALEN);
		m->vid = e[i].key.vid;
		m->vid_set = true;
		snprintf(m->port, sizeof(m->port), "%s", ports[id].name);
		cfg->n_macs++;
	}
	free(e);
	return 0;
}

int vfwd_config_from_tables(const struct vfwd_tables *t,
			    struct vfwd_config *cfg)
{
	/* The port table, by id: too large for a thread's stack. */
	struct vfwd_port *ports = calloc(VFWD_MAX_PORTS, sizeof(*ports));
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->uplinks = calloc(VFWD_MAX_PORTS, sizeof(*cfg->uplinks));
	cfg->ports = calloc(VFWD_MAX_PORTS, sizeof(*cfg->ports));
	if (!ports || !cfg->uplinks || !cfg->ports) {
		err = -ENOMEM;
		goto fail;
	}
	for (__u32 id = VFWD_PORT_ID_MIN; id < VFWD_MAX_PORTS; id++) {
		struct vfwd_port *p = &ports[id];

		err = vfwd_port_get(t, id, p);
		if (err)
			goto fail;
		if (p->kind == VFWD_PORT_UPLINK) {
			struct vfwd_cfg_uplink *u =
				&cfg->uplinks[cfg->n_uplinks++];

			/* The uplink's name is its device's at attach. */
			snprintf(u->dev, sizeof(u->dev), "%s", p->name);
			u->xdp_mode = p->xdp_mode;
			u->bum_flood = p->flags & VFWD_PORT_F_BUM_FLOOD;
		} else if (vfwd_port_is_vm(p)) {
			port_cfg(t, p, &cfg->ports[cfg->n_ports++]);
		} else {
			p->name[0] = '\0';
		}
	}
	err = read_macs(t, ports, cfg);
fail:
	if (err)
		vfwd_config_free(cfg);
	free(ports);
	return err;
}
