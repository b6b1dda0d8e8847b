// SPDX-License-Identifier: GPL-2.0
/* vfwd: entry point, global options and the top-level command table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int cmd_help(struct vfwd_ctx *c, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{"attach", cmd_attach,
	 "attach IFNAME [--mode native|skb] [--bum pass|flood]"},
	{"detach", cmd_detach, "detach IFNAME [--keep-maps] | detach --all"},
	{"port", cmd_port, "port { add | set | del | list } ..."},
	{"mac", cmd_mac, "mac { add | del | list | load } ..."},
	{"stats", cmd_stats,
	 "stats [--port NAME] [--interval SEC] [--count N] | stats [--port NAME] --per-cpu"},
	{"status", cmd_status, "status"},
	{"apply", cmd_apply, "apply -f FILE|- [--dry-run] [--merge]"},
	{"dump-config", cmd_dump_config, "dump-config"},
	{"libvirt-hook", cmd_libvirt_hook,
	 "libvirt-hook [--config FILE] [--run-dir DIR] DOMAIN OP SUBOP [EXTRA]"},
	{"help", cmd_help, "help"},
	{NULL},
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vfwd [-j|--json] [-p|--pretty] [-v] [--pin-path DIR] COMMAND\n"
		"Commands:\n");
	cli_usage(f, commands);
	fprintf(f, "See docs/vfwd.md for the manual.\n");
}

static int cmd_help(struct vfwd_ctx *c, int argc, char **argv)
{
	usage(stdout);
	return 0;
}

/* Whether vfwd runs as libvirt's qemu hook: a file (make install's
 * symlink) in a directory whose path ends in hooks/qemu.d.  libvirt then
 * passes "DOMAIN OP SUBOP EXTRA" and no options of vfwd's. */
static bool run_as_hook(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	size_t dlen, slen = strlen(CLI_HOOK_DIR_SUFFIX);

	if (!slash)
		return false;
	dlen = (size_t)(slash - argv0);
	return dlen >= slen &&
	       !strncmp(slash - slen, CLI_HOOK_DIR_SUFFIX, slen) &&
	       (dlen == slen || slash[-(long)slen - 1] == '/');
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"pretty", no_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'},
		{"pin-path", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL},
	};
	struct vfwd_ctx c = {.pin_dir = VFWD_PIN_DIR,
			     .lock_fd = -1,
			     .exit_code = CLI_EXIT_OK};
	bool pin_given = false;
	int opt, err;

	if (run_as_hook(argv[0])) {
		json_init(&c.j, stdout, false);
		err = cli_libvirt_hook(&c, argc, argv, false);
		ctx_close(&c, err != 0);
		return err ? CLI_EXIT_FAILED : c.exit_code;
	}
	opterr = 0;
	/* '+': stop at the command; its options are parsed by the command. */
	while ((opt = getopt_long(argc, argv, "+jpvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.json = true;
			c.pretty = true;
			break;
		case 'v':
			c.verbose = true;
			break;
		case 'P':
			/* Two pin paths are two installations: never pick
			 * one silently.  The flags may repeat harmlessly. */
			if (pin_given) {
				fprintf(stderr,
					"vfwd: option --pin-path given twice; give it once\n");
				return CLI_EXIT_USAGE;
			}
			c.pin_dir = optarg;
			pin_given = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr,
				"vfwd: invalid option '%s'; see 'vfwd help'\n",
				argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	json_init(&c.j, stdout, c.pretty);
	vfwd_set_verbose(c.verbose);
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	err = cli_dispatch(&c, commands, "command", argc - optind,
			   argv + optind);
	ctx_close(&c, err != 0);
	return err ? CLI_EXIT_FAILED : c.exit_code;
}
