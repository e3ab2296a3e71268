// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump initramfs: build the capture initramfs (kdump/initramfs/). */
#include "conf/conf.h"
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <getopt.h>

static void help(void)
{
	printf("Usage: kdump initramfs --output FILE [--config FILE] [--root DIR] [OPTIONS]\n\n"
	       "Build the capture initramfs: this static binary as /init, the target's modules.\n\n"
	       "Options:\n"
	       "  -o, --output FILE         the initramfs to write\n"
	       "      --config FILE         take the settings from kdump.conf (under --root)\n"
	       "      --root DIR            read the config, /proc, /etc, /sys, lib/modules under DIR\n"
	       "      --device DEV          target block device (/dev/NAME, UUID=, LABEL=, ...)\n"
	       "      --target local|raw    a filesystem on DEV (default), or the raw device\n"
	       "      --fstype TYPE         filesystem of a local target (default ext4)\n"
	       "      --path DIR            directory for dumps on the target (default /)\n"
	       "      --ssh USER@HOST[:PORT] dump over ssh (HOST: an IPv4 address)\n"
	       "      --sshkey FILE         private key for --ssh (default %s)\n"
	       "      --known-hosts FILE    the host keys trusted (default %s)\n"
	       "      --nfs SERVER:/EXPORT  dump on NFS (SERVER: an IPv4 address)\n"
	       "      --nfs-vers V          4.2, 4.1, 4.0, 4 or 3 (default: the newest the server has)\n"
	       "      --net-addr ADDR/PREFIX|auto  the capture kernel's IPv4 address (ssh, nfs)\n"
	       "      --net-gateway ADDR    default route\n"
	       "      --net-iface NAME      interface (default: the first one other than lo)\n"
	       "      --hostname NAME       name in <host>-<date-time>\n"
	       "      --bin PATH            a program to add with its libraries; repeatable\n"
	       "      --module NAME         a module to add; repeatable\n"
	       "      --level N             dump level 0-31 (default 31)\n"
	       "      --compress NAME       compression passed to `kdump capture`\n"
	       "      --release REL         the capture kernel's release (default: uname -r)\n"
	       "      --kdump BIN           the static binary to use as /init (default: this one)\n"
	       "      --final-action ACTION poweroff (default), reboot or halt\n"
	       "      --wait SECONDS        how long /init waits for DEV (default 30)\n"
	       "      --save-raw            also save /proc/vmcore verbatim as vmcore.raw\n"
	       "      --no-compress         write a plain cpio archive\n"
	       "  -h, --help                this help\n\n"
	       "Exit status: 0 written, 1 failed (nothing usable left behind), 2 usage error.\n"
	       "See kdump(8).\n",
	       KD_INITRAMFS_SSHKEY, KD_INITRAMFS_KNOWN_HOSTS);
}

/* What the command line holds beyond the arguments: the parsed targets' strings. */
struct cmdline {
	struct kd_initramfs_args a;
	struct conf_target ssh, nfs, device;
	char device_spec[256];
};

static void cmdline_deinit(struct cmdline *c)
{
	conf_target_deinit(&c->ssh);
	conf_target_deinit(&c->nfs);
	conf_target_deinit(&c->device);
}

/* Values end up in key=value lines and in a remote shell's quotes: no control characters. */
static bool bad_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool fits(const char *s, size_t size)
{
	return strlen(s) < size && !strchr(s, '\n');
}

/* USER@HOST[:PORT] as kdump.conf's ssh takes it, HOST an IPv4 address. */
static int parse_ssh(struct cmdline *c, const char *arg)
{
	struct kd_err err = { 0 };
	struct in_addr ip;

	conf_target_deinit(&c->ssh);
	if (conf_target_parse("ssh", arg, &c->ssh, &err) < 0)
		return kd_usage_error("initramfs", "--ssh wants USER@HOST[:PORT]: %s", err.msg);
	if (inet_pton(AF_INET, c->ssh.host, &ip) != 1)
		return kd_usage_error("initramfs", "--ssh: %s is not an IPv4 address (the capture "
				      "kernel has no resolver)", c->ssh.host);
	c->a.ssh_user = c->ssh.user;
	c->a.ssh_host = c->ssh.host;
	c->a.ssh_port = c->ssh.port;
	c->a.target = CONF_TARGET_SSH;
	c->a.target_set = true;
	return 0;
}

/* SERVER:/EXPORT as kdump.conf's nfs takes it, SERVER an IPv4 address. */
static int parse_nfs(struct cmdline *c, const char *arg)
{
	struct kd_err err = { 0 };
	struct in_addr ip;

	conf_target_deinit(&c->nfs);
	if (conf_target_parse("nfs", arg, &c->nfs, &err) < 0)
		return kd_usage_error("initramfs", "--nfs wants SERVER:/EXPORT: %s", err.msg);
	if (strlen(c->nfs.export_path) >= 256)
		return kd_usage_error("initramfs", "--nfs wants SERVER:/EXPORT: the export is longer "
				      "than 255 bytes");
	if (inet_pton(AF_INET, c->nfs.host, &ip) != 1)
		return kd_usage_error("initramfs", "--nfs: the server must be an IPv4 address (the "
				      "capture kernel has no resolver)");
	c->a.nfs_server = c->nfs.host;
	c->a.nfs_export = c->nfs.export_path;
	c->a.target = CONF_TARGET_NFS;
	c->a.target_set = true;
	return 0;
}

/* --device as kdump.conf's target of that kind takes it, in the settings file's spelling. */
static int parse_device(struct cmdline *c)
{
	bool raw = c->a.target_set && c->a.target == CONF_TARGET_RAW;
	struct conf_target *t = &c->device;
	struct kd_err err = { 0 };

	if (conf_target_parse(raw ? "raw" : c->a.fstype ? c->a.fstype : "ext4", c->a.device, t,
			      &err) < 0)
		return kd_usage_error("initramfs", "--device wants /dev/NAME, UUID=, LABEL=, "
				      "PARTUUID= or PARTLABEL=: %s", err.msg);
	if (t->device_kind == CONF_DEVICE_PATH)
		snprintf(c->device_spec, sizeof(c->device_spec), "%s", t->device);
	else
		snprintf(c->device_spec, sizeof(c->device_spec), "%s=%s",
			 conf_device_kind_name(t->device_kind), t->device);
	c->a.device = c->device_spec;
	return 0;
}

/* The root directory under any of its three names; two different ones are an error. */
static int set_root(struct kd_initramfs_args *a, const char *dir)
{
	if (a->root && strcmp(a->root, dir) != 0)
		return kd_usage_error("initramfs", "--root given twice (%s, %s): --sysroot and "
				      "--kernel-root are its old names", a->root, dir);
	a->root = dir;
	return 0;
}

static int parse_argv(int argc, char **argv, struct cmdline *c)
{
	enum { OPT_DEVICE = 256, OPT_TARGET, OPT_FSTYPE, OPT_PATH, OPT_LEVEL, OPT_COMPRESS, OPT_MODULE,
	       OPT_RELEASE, OPT_ROOT, OPT_KDUMP, OPT_FINAL, OPT_WAIT, OPT_SAVE_RAW, OPT_NO_COMPRESS,
	       OPT_CONFIG, OPT_QUIET_CONFIG, OPT_SSH, OPT_SSHKEY, OPT_KNOWN_HOSTS, OPT_NFS,
	       OPT_NFS_VERS, OPT_NET_ADDR, OPT_NET_GW, OPT_NET_IFACE, OPT_HOSTNAME, OPT_BIN,
	       OPT_SSH_BIN };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "fstype", required_argument, NULL, OPT_FSTYPE },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "sysroot", required_argument, NULL, OPT_ROOT },	/* old names of --root */
		{ "kernel-root", required_argument, NULL, OPT_ROOT },
		{ "kdump", required_argument, NULL, OPT_KDUMP },
		{ "final-action", required_argument, NULL, OPT_FINAL },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "save-raw", no_argument, NULL, OPT_SAVE_RAW },
		{ "no-compress", no_argument, NULL, OPT_NO_COMPRESS },
		{ "config", required_argument, NULL, OPT_CONFIG },
		/* the config's warnings were printed already */
		{ "quiet-config", no_argument, NULL, OPT_QUIET_CONFIG },
		{ "ssh", required_argument, NULL, OPT_SSH },
		{ "sshkey", required_argument, NULL, OPT_SSHKEY },
		{ "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
		{ "ssh-bin", required_argument, NULL, OPT_SSH_BIN }, /* tests: another ssh client */
		{ "nfs", required_argument, NULL, OPT_NFS },
		{ "nfs-vers", required_argument, NULL, OPT_NFS_VERS },
		{ "net-addr", required_argument, NULL, OPT_NET_ADDR },
		{ "net-gateway", required_argument, NULL, OPT_NET_GW },
		{ "net-iface", required_argument, NULL, OPT_NET_IFACE },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "bin", required_argument, NULL, OPT_BIN },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct kd_initramfs_args *a = &c->a;
	struct in_addr ip;
	unsigned prefix;
	uint64_t u;
	int o, r;

	optind = 1;
	while ((o = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			a->output = optarg;
			break;
		case OPT_DEVICE:
			if (!fits(optarg, sizeof(c->device_spec)))
				return kd_usage_error("initramfs", "--device: too long");
			a->device = optarg;
			break;
		case OPT_TARGET:
			if (strcmp(optarg, "local") == 0)
				a->target = CONF_TARGET_FS;
			else if (strcmp(optarg, "raw") == 0)
				a->target = CONF_TARGET_RAW;
			else
				return kd_usage_error("initramfs", "--target must be local or raw "
						      "(use --ssh or --nfs for the others)");
			a->target_set = true;
			break;
		case OPT_FSTYPE:
			if (!fits(optarg, 32))
				return kd_usage_error("initramfs", "bad --fstype");
			a->fstype = optarg;
			break;
		case OPT_PATH:
			if (!fits(optarg, 256))
				return kd_usage_error("initramfs", "bad --path");
			a->path = optarg;
			break;
		case OPT_LEVEL:
			if (conf_dump_level_parse(optarg, &a->level) < 0)
				return kd_usage_error("initramfs", "--level must be 0-31");
			a->level_set = true;
			break;
		case OPT_COMPRESS:
			if (conf_compress_parse(optarg, &a->compress) < 0)
				return kd_usage_error("initramfs", "--compress must be lzo, zlib, "
						      "zstd or none");
			a->compress_set = true;
			break;
		case OPT_MODULE:
			if (a->n_modules >= KD_INITRAMFS_MAX_MODULES)
				return kd_usage_error("initramfs", "at most %d --module",
						      KD_INITRAMFS_MAX_MODULES);
			a->modules[a->n_modules++] = optarg;
			break;
		case OPT_RELEASE:
			a->release = optarg;
			break;
		case OPT_ROOT:
			r = set_root(a, optarg);
			if (r)
				return r;
			break;
		case OPT_KDUMP:
			a->kdump = optarg;
			break;
		case OPT_FINAL:
			if (strcmp(optarg, "poweroff") == 0)
				a->final_action = CONF_ACTION_POWEROFF;
			else if (strcmp(optarg, "reboot") == 0)
				a->final_action = CONF_ACTION_REBOOT;
			else if (strcmp(optarg, "halt") == 0)
				a->final_action = CONF_ACTION_HALT;
			else
				return kd_usage_error("initramfs", "--final-action must be poweroff, "
						      "reboot or halt");
			a->final_action_set = true;
			break;
		case OPT_WAIT:
			if (kd_parse_u64(optarg, 10, &u) < 0 || u > 3600)
				return kd_usage_error("initramfs", "--wait must be 0-3600");
			a->wait_secs = (unsigned)u;
			a->wait_set = true;
			break;
		case OPT_SAVE_RAW:
			a->save_raw = true;
			break;
		case OPT_NO_COMPRESS:
			a->no_compress = true;
			break;
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_QUIET_CONFIG:
			a->quiet_config = true;
			break;
		case OPT_SSH:
			r = parse_ssh(c, optarg);
			if (r)
				return r;
			break;
		case OPT_SSHKEY:
			a->sshkey = optarg;
			break;
		case OPT_KNOWN_HOSTS:
			a->known_hosts = optarg;
			break;
		case OPT_SSH_BIN:
			a->ssh_bin = optarg;
			break;
		case OPT_NFS:
			r = parse_nfs(c, optarg);
			if (r)
				return r;
			break;
		case OPT_NFS_VERS:
			if (!conf_nfs_vers_valid(optarg))
				return kd_usage_error("initramfs", "--nfs-vers must be 3, 4, 4.0, 4.1 "
						      "or 4.2");
			a->nfs_vers = optarg;
			break;
		case OPT_NET_ADDR:
			if (strcmp(optarg, "auto") != 0 &&
			    kd_net_parse_cidr(optarg, &ip, &prefix) < 0)
				return kd_usage_error("initramfs", "--net-addr wants IPv4 ADDR/PREFIX, "
						      "e.g. 192.168.1.50/24");
			a->net_addr = optarg;
			break;
		case OPT_NET_GW:
			if (inet_pton(AF_INET, optarg, &ip) != 1)
				return kd_usage_error("initramfs", "--net-gateway wants an IPv4 "
						      "address");
			a->net_gateway = optarg;
			break;
		case OPT_NET_IFACE:
			if (strlen(optarg) >= 16 || bad_value(optarg) || strchr(optarg, '/'))
				return kd_usage_error("initramfs", "bad --net-iface");
			a->net_iface = optarg;
			break;
		case OPT_HOSTNAME:
			if (strlen(optarg) >= 65 || bad_value(optarg) || strchr(optarg, '/'))
				return kd_usage_error("initramfs", "bad --hostname");
			a->hostname = optarg;
			break;
		case OPT_BIN:
			if (a->n_bins >= KD_INITRAMFS_MAX_BINS || optarg[0] != '/')
				return kd_usage_error("initramfs", "--bin wants an absolute path (at "
						      "most %d)", KD_INITRAMFS_MAX_BINS);
			a->bins[a->n_bins++] = optarg;
			break;
		case 'h':
			help();
			return -1;
		default:
			return kd_usage_error("initramfs", "unknown option");
		}
	}
	if (optind < argc)
		return kd_usage_error("initramfs", "unexpected argument '%s'", argv[optind]);
	if (!a->output)
		return kd_usage_error("initramfs", "--output FILE is required");
	if (a->device) {
		r = parse_device(c);
		if (r)
			return r;
	}
	/* Without a config the options are the whole description. */
	if (!a->config && (a->target == CONF_TARGET_SSH || a->target == CONF_TARGET_NFS) &&
	    !a->net_addr)
		return kd_usage_error("initramfs", "--%s needs --net-addr ADDR/PREFIX",
				      conf_init_target_name(a->target));
	if (!a->config && a->target != CONF_TARGET_SSH && a->target != CONF_TARGET_NFS && !a->device)
		return kd_usage_error("initramfs", "--device DEV (or --config FILE) is required");
	return 0;
}

static int run_initramfs(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	struct cmdline c = { .a = { .report = &report } };
	struct kd_err err = { 0 };
	int r = parse_argv(argc, argv, &c);

	if (r == 0)
		r = kd_initramfs_build(&c.a, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
	else if (r < 0)
		r = KD_EXIT_OK;
	cmdline_deinit(&c);
	return r;
}

KD_COMMAND(initramfs, .name = "initramfs", .summary = "build the capture initramfs",
	   .order = 300, .run = run_initramfs);
