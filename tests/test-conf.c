// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the kdump.conf parser: every directive, every message's exact text, file checks. */
#include "testutil.h"
#include "conf/conf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define F "t.conf"

static struct conf *parse_len(const char *text, size_t len, struct conf_diags *d)
{
	struct kd_err err = { 0 };
	struct conf *c = NULL;
	int r = conf_parse(text, len, F, &c, d, &err);

	if (r < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(c);
	return c;
}

/* Parses text that must be valid and give no warning. */
static struct conf *ok(const char *text)
{
	struct conf_diags d = { 0 };
	struct conf *c = parse_len(text, strlen(text), &d);

	if (d.n)
		fail_msg("unexpected warning: %s", d.v[0].msg);
	conf_diags_deinit(&d);
	return c;
}

/* Valid, with exactly one warning whose text is msg. */
static struct conf *warns(const char *text, const char *msg)
{
	struct conf_diags d = { 0 };
	struct conf *c = parse_len(text, strlen(text), &d);

	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n_warnings, 1);
	assert_string_equal(d.v[0].msg, msg);
	assert_false(d.v[0].error);
	conf_diags_deinit(&d);
	return c;
}

/* Invalid, with msg as the first (and, when only is set, the only) error. */
static void fails_len(const char *text, size_t len, const char *msg, bool only)
{
	struct conf_diags d = { 0 };
	struct kd_err err = { 0 };
	struct conf *c = NULL;

	assert_int_equal(conf_parse(text, len, F, &c, &d, &err), -EINVAL);
	assert_null(c);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.code, -EINVAL);
	if (only)
		assert_int_equal(d.n_errors, 1);
	conf_diags_deinit(&d);
	/* The same without a diagnostics list. */
	kd_err_clear(&err);
	assert_int_equal(conf_parse(text, len, F, &c, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void fails(const char *text, const char *msg)
{
	fails_len(text, strlen(text), msg, true);
}

static void test_defaults(void **state)
{
	struct conf *c = ok("");
	char *args;

	assert_string_equal(c->file, F);
	assert_int_equal(c->target.kind, CONF_TARGET_ROOTFS);
	assert_null(c->target.spec);
	assert_string_equal(c->path, "/var/crash");
	assert_string_equal(c->sshkey, "/root/.ssh/kdump_id_rsa");
	assert_int_equal(c->collector.dump_level, 31);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_LZO);
	assert_int_equal(c->collector.format, CONF_FORMAT_KDUMP);
	assert_false(c->collector.flattened);
	assert_int_equal(c->failure_action, CONF_ACTION_REBOOT);
	assert_int_equal(c->final_action, CONF_ACTION_REBOOT);
	assert_int_equal(c->keep, 0);
	assert_int_equal(c->verify, CONF_VERIFY_AUTO);
	assert_null(c->extra_bins[0]);
	assert_null(c->extra_modules[0]);
	assert_null(c->notify);
	assert_null(c->kdump_pre);
	assert_false(c->force_rebuild || c->force_no_rebuild || c->auto_reset_crashkernel);
	assert_false(conf_target_is_remote(c));
	args = conf_collector_args(&c->collector);
	assert_string_equal(args, "-d 31 -l");
	free(args);
	conf_destroy(c);
	conf_destroy(NULL);
}

static void test_every_directive(void **state)
{
	struct conf *c = ok("# a full configuration\n"
			    "ext4 UUID=03138356-5e61-4ab3-b58e-27507ac41937\n"
			    "path /var//crash/\n"
			    "core_collector kdump capture -d 17 -z\n"
			    "kdump_pre /usr/lib/kdump/pre.sh\n"
			    "kdump_post /usr/lib/kdump/post.sh\n"
			    "kdump_emergency /usr/lib/kdump/sos\n"
			    "extra_bins /usr/bin/lftp /usr/bin/curl\n"
			    "extra_modules gfs2 dm-mod nvme_tcp\n"
			    "failure_action dump_to_rootfs\n"
			    "final_action poweroff\n"
			    "force_rebuild 1\n"
			    "force_no_rebuild 0\n"
			    "auto_reset_crashkernel no\n"
			    "keep 5\n"
			    "verify yes\n"
			    "notify /usr/local/bin/page-oncall --team kernel\n"
			    "capture_cmdline_append nr_cpus=1 foo=\"a b\"\n"
			    "crashkernel 1G-4G:256M,4G-:512M\n");

	assert_int_equal(c->target.kind, CONF_TARGET_FS);
	assert_int_equal(c->target.line, 2);
	assert_string_equal(c->target.fstype, "ext4");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_UUID);
	assert_string_equal(c->target.device, "03138356-5e61-4ab3-b58e-27507ac41937");
	assert_string_equal(c->target.spec, "UUID=03138356-5e61-4ab3-b58e-27507ac41937");
	assert_string_equal(c->path, "/var/crash");
	assert_int_equal(c->collector.dump_level, 17);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_ZSTD);
	assert_false(c->collector.from_makedumpfile);
	assert_string_equal(c->kdump_pre, "/usr/lib/kdump/pre.sh");
	assert_string_equal(c->kdump_post, "/usr/lib/kdump/post.sh");
	assert_string_equal(c->kdump_emergency, "/usr/lib/kdump/sos");
	assert_string_equal(c->extra_bins[0], "/usr/bin/lftp");
	assert_string_equal(c->extra_bins[1], "/usr/bin/curl");
	assert_null(c->extra_bins[2]);
	assert_string_equal(c->extra_modules[2], "nvme_tcp");
	assert_null(c->extra_modules[3]);
	assert_int_equal(c->failure_action, CONF_ACTION_DUMP_TO_ROOTFS);
	assert_int_equal(c->final_action, CONF_ACTION_POWEROFF);
	assert_true(c->force_rebuild);
	assert_false(c->force_no_rebuild);
	assert_false(c->auto_reset_crashkernel);
	assert_int_equal(c->keep, 5);
	assert_int_equal(c->verify, CONF_VERIFY_YES);
	assert_string_equal(c->notify[0], "/usr/local/bin/page-oncall");
	assert_string_equal(c->notify[2], "kernel");
	assert_null(c->notify[3]);
	assert_string_equal(c->capture_cmdline_append, "nr_cpus=1 foo=\"a b\"");
	assert_string_equal(c->crashkernel, "1G-4G:256M,4G-:512M");
	conf_destroy(c);
}

static void test_targets(void **state)
{
	struct conf *c;

	c = ok("xfs /dev/disk/by-id/nvme-X-part3\n");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_PATH);
	assert_string_equal(c->target.device, "/dev/disk/by-id/nvme-X-part3");
	assert_string_equal(c->target.fstype, "xfs");
	conf_destroy(c);
	c = ok("btrfs LABEL=/boot\n");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_LABEL);
	assert_string_equal(c->target.device, "/boot");
	conf_destroy(c);
	c = ok("ext3 partuuid=0a1b2c3d-02\n");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_PARTUUID);
	assert_string_equal(c->target.device, "0a1b2c3d-02");
	conf_destroy(c);
	c = ok("ext2 PARTLABEL=crash\n");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_PARTLABEL);
	conf_destroy(c);
	c = ok("minix /dev/sdb1\n");
	assert_string_equal(c->target.fstype, "minix");
	conf_destroy(c);
	c = ok("virtiofs myfs\n");
	assert_int_equal(c->target.kind, CONF_TARGET_FS);
	assert_int_equal(c->target.device_kind, CONF_DEVICE_TAG);
	assert_string_equal(c->target.device, "myfs");
	conf_destroy(c);

	c = ok("raw /dev/vg/lv_kdump\n");
	assert_int_equal(c->target.kind, CONF_TARGET_RAW);
	assert_true(c->collector.flattened);
	assert_true(c->collector.flattened_implied);
	assert_string_equal(c->path, "/var/crash"); /* where savecore puts the dump */
	conf_destroy(c);
	c = ok("raw PARTUUID=4f2c-01\n");
	assert_int_equal(c->target.device_kind, CONF_DEVICE_PARTUUID);
	conf_destroy(c);

	c = ok("ssh kdump@dumps.example.com\nsshkey /root/.ssh/kdump_ed25519\n");
	assert_int_equal(c->target.kind, CONF_TARGET_SSH);
	assert_string_equal(c->target.user, "kdump");
	assert_string_equal(c->target.host, "dumps.example.com");
	assert_int_equal(c->target.port, 0);
	assert_string_equal(c->sshkey, "/root/.ssh/kdump_ed25519");
	assert_true(c->collector.flattened);
	assert_true(conf_target_is_remote(c));
	conf_destroy(c);
	c = ok("ssh root@10.0.0.2:2222\n");
	assert_string_equal(c->target.host, "10.0.0.2");
	assert_int_equal(c->target.port, 2222);
	conf_destroy(c);
	c = ok("ssh user@2001:db8::1:2:3:4\n");
	assert_string_equal(c->target.host, "2001:db8::1:2:3:4");
	assert_int_equal(c->target.port, 0);
	conf_destroy(c);
	c = ok("ssh user@[fe80::1%eth0]:22\n");
	assert_string_equal(c->target.host, "fe80::1%eth0");
	assert_int_equal(c->target.port, 22);
	conf_destroy(c);

	c = ok("nfs my.server.com:/export/tmp\n");
	assert_int_equal(c->target.kind, CONF_TARGET_NFS);
	assert_string_equal(c->target.host, "my.server.com");
	assert_string_equal(c->target.export_path, "/export/tmp");
	assert_string_equal(c->target.fstype, "nfs");
	assert_false(c->collector.flattened);
	conf_destroy(c);
	c = ok("nfs [2001:db8::1:2:3:4]:/export/tmp\n");
	assert_string_equal(c->target.host, "2001:db8::1:2:3:4");
	assert_string_equal(c->target.export_path, "/export/tmp");
	conf_destroy(c);
}

static void test_syntax(void **state)
{
	struct conf *c;
	struct conf_diags d = { 0 };
	static const char crlf[] = "path /srv/crash\r\nkeep 2\r\n";

	/* Comments, blanks, indentation, trailing blanks, quotes, trailing comments. */
	c = ok("\n   \n# comment\n\t# indented comment\n  path \"/srv/dumps\"   # where\n"
	       "keep\t3\t\t\nverify no");
	assert_string_equal(c->path, "/srv/dumps");
	assert_int_equal(c->keep, 3);
	assert_int_equal(c->verify, CONF_VERIFY_NO);
	conf_destroy(c);
	/* kdump-utils quotes the whole collector. */
	c = ok("core_collector \"kdump capture -d 1 -c\"\n");
	assert_int_equal(c->collector.dump_level, 1);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_ZLIB);
	conf_destroy(c);
	/* CRLF line ends are accepted. */
	c = parse_len(crlf, sizeof(crlf) - 1, &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(c->path, "/srv/crash");
	assert_int_equal(c->keep, 2);
	conf_destroy(c);
	/* A line of exactly the maximum length is fine. */
	char *big = malloc(CONF_MAX_LINE + 2);
	memset(big, 'x', CONF_MAX_LINE + 1);
	big[0] = '#';
	c = parse_len(big, CONF_MAX_LINE, NULL);
	conf_destroy(c);
	fails_len(big, CONF_MAX_LINE + 1, F ":1:4097: line is longer than 4096 bytes", true);
	free(big);
	/* keep all; kdump capture with no compression option means none. */
	c = ok("keep all\ncore_collector kdump capture -d 0\n");
	assert_int_equal(c->keep, 0);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_NONE);
	assert_int_equal(c->collector.dump_level, 0);
	conf_destroy(c);
}

static void test_bytes(void **state)
{
	static const char nul[] = "path /var\0/crash\n";
	static const char ctl[] = "keep 1\npath /var/\001crash\n";
	static const char cr[] = "path /var\r/crash\n";
	char *huge;

	fails_len(nul, sizeof(nul) - 1, F ":1:10: NUL byte at offset 9", true);
	fails_len(ctl, sizeof(ctl) - 1, F ":2:11: control character 0x01 at offset 17", true);
	fails_len(cr, sizeof(cr) - 1, F ":1:10: control character 0x0d at offset 9", true);
	fails("path /x\x7f\n", F ":1:8: control character 0x7f at offset 7");

	huge = malloc(CONF_MAX_FILE_SIZE + 1);
	memset(huge, '\n', CONF_MAX_FILE_SIZE + 1);
	fails_len(huge, CONF_MAX_FILE_SIZE + 1,
		  F ": file is larger than 65536 bytes (65537); is it the right file?", true);
	fails_len(huge, CONF_MAX_LINES + 1, F ": more than 4096 lines", true);
	free(huge);
}

static void test_unknown_and_suggestions(void **state)
{
	fails("pth /var/crash\n", F ":1:1: unknown directive \"pth\" (did you mean \"path\"?)");
	fails("keep 1\n  core_colector makedumpfile -d 31\n",
	      F ":2:3: unknown directive \"core_colector\" (did you mean \"core_collector\"?)");
	fails("extra_module gfs2\n",
	      F ":1:1: unknown directive \"extra_module\" (did you mean \"extra_modules\"?)");
	fails("PATH /var/crash\n", F ":1:1: unknown directive \"PATH\" (did you mean \"path\"?)");
	fails("path=/var/crash\n",
	      F ":1:1: unknown directive \"path=/var/crash\" (did you mean \"path\"?)");
	fails("failure-action reboot\n",
	      F ":1:1: unknown directive \"failure-action\" (did you mean \"failure_action\"?)");
	fails("ext5 /dev/sda1\n", F ":1:1: unknown directive \"ext5\" (did you mean \"ext4\"?)");
	fails("frobnicate 1\n", F ":1:1: unknown directive \"frobnicate\"");
	fails("zz 1\n", F ":1:1: unknown directive \"zz\"");

	assert_int_equal(conf_edit_distance("pth", "path", 3), 1);
	assert_int_equal(conf_edit_distance("path", "path", 3), 0);
	assert_int_equal(conf_edit_distance("PATH", "path", 3), 0);
	assert_int_equal(conf_edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(conf_edit_distance("a", "abcdefgh", 2), 3); /* capped */
	assert_int_equal(conf_edit_distance("", "abc", 5), 3);
	assert_int_equal(conf_edit_distance("ptah", "path", 3), 1); /* a transposition */
	assert_int_equal(conf_edit_distance("ca", "abc", 3), 3);
}

static void test_refused(void **state)
{
	fails("dracut_args --omit-drivers \"cfg80211 snd\"\n",
	      F ":1:1: directive \"dracut_args\" is not supported: kdump builds its own initramfs "
		"without dracut; use extra_bins and extra_modules");
	fails("net user@host\n",
	      F ":1:1: directive \"net\" is not supported: it was replaced by \"nfs\" and \"ssh\"");
	fails("fence_kdump_nodes a b\n",
	      F ":1:1: directive \"fence_kdump_nodes\" is not supported: fence_kdump is not "
		"supported; use kdump_pre to notify a cluster");
	fails("blacklist nouveau\n", F ":1:1: directive \"blacklist\" is not supported: use "
				       "capture_cmdline_append with module_blacklist=NAME");
}

static void test_values(void **state)
{
	fails("path\n", F ":1:1: \"path\" needs a value: path <directory>");
	fails("path   # nothing\n", F ":1:1: \"path\" needs a value: path <directory>");
	fails("path \"\"\n", F ":1:7: \"path\" needs a value: path <directory>");
	fails("path \"/var/crash\n", F ":1:6: unterminated quote in the value of \"path\"");
	fails("path /var/\"x\"\n", F ":1:11: unexpected quote in the value of \"path\" (only a "
				   "pair around the whole value is removed)");
	fails("path var/crash\n", F ":1:6: path must be an absolute path, not \"var/crash\"");
	fails("path /var/../etc\n", F ":1:11: path must not contain \"..\": \"/var/../etc\"");
	fails("path /var/crash dir\n",
	      F ":1:16: path takes one value; unexpected blank in \"/var/crash dir\"");
	fails("path /var/cr$h\n", F ":1:13: path \"/var/cr$h\" has a character kdump does not "
				  "accept ('$'); use letters, digits and /._-+@:,=~");
	fails("sshkey key\n", F ":1:8: sshkey must be an absolute path, not \"key\"");
	fails("kdump_pre pre.sh\n", F ":1:11: kdump_pre must be an absolute path, not \"pre.sh\"");
	fails("kdump_post /bin/a b\n",
	      F ":1:18: kdump_post takes one value; unexpected blank in \"/bin/a b\"");
	fails("extra_bins /usr/bin/a lftp\n",
	      F ":1:23: extra_bins must be an absolute path, not \"lftp\"");
	fails("extra_modules gfs2 bad/name\n",
	      F ":1:20: bad module name \"bad/name\" in extra_modules");
	fails("failure_action rebot\n",
	      F ":1:16: bad failure_action \"rebot\" (did you mean \"reboot\"?); accepted: reboot, "
		"halt, poweroff, shell, dump_to_rootfs");
	fails("final_action shell\n",
	      F ":1:14: final_action cannot be \"shell\" (that is a failure_action); accepted: "
		"reboot, halt, poweroff");
	fails("final_action dump_to_rootfs\n",
	      F ":1:14: final_action cannot be \"dump_to_rootfs\" (that is a failure_action); "
		"accepted: reboot, halt, poweroff");
	fails("final_action pweroff\n", F ":1:14: bad final_action \"pweroff\" (did you mean "
					"\"poweroff\"?); accepted: reboot, halt, poweroff");
	fails("force_rebuild true\n",
	      F ":1:15: bad force_rebuild \"true\"; accepted: 0, 1, no, yes");
	fails("keep 0\n",
	      F ":1:6: keep 0 would delete every dump; give a count of 1 or more, or \"all\"");
	fails("keep -1\n", F ":1:6: bad keep \"-1\"; accepted: a count of dumps (1 to 100000) or "
			   "\"all\"");
	fails("keep 100001\n", F ":1:6: bad keep \"100001\"; accepted: a count of dumps (1 to "
			       "100000) or \"all\"");
	fails("verify sometimes\n", F ":1:8: bad verify \"sometimes\"; accepted: auto, yes, no");
	fails("nfs srv:/x\nnfs_vers 4.3\n",
	      F ":2:10: bad nfs_vers \"4.3\" (did you mean \"4.2\"?); accepted: 4.2, 4.1, 4.0, 4, 3");
	fails("verify yse\n",
	      F ":1:8: bad verify \"yse\" (did you mean \"yes\"?); accepted: auto, yes, no");
	fails("notify logger -t kdump\n",
	      F ":1:8: notify command must be an absolute path, not \"logger\"");
	fails("capture_cmdline_append quiet elfcorehdr=0x1000\n",
	      F ":1:30: capture_cmdline_append must not set elfcorehdr= (kdump sets it)");
	fails("crashkernel 256X\n",
		F ":1:13: bad crashkernel \"256X\"; write auto, SIZE[@OFFSET], SIZE,high, SIZE,low "
		"or START-[END]:SIZE[,...][@OFFSET] (sizes like 256M)");

	static const char *const good_ck[] = { "auto", "256M", "256M@16M", "512M,high", "128M,low",
					       "1G-4G:256M,4G-:512M", "0-:1G@64M", "1073741824" };
	static const char *const bad_ck[] = { "256M,middle", "1G-4G", "1G-4G:", "-4G:256M",
					      "256M@", "M", "1G-4G:256M,", "256M 128M" };
	for (size_t i = 0; i < KD_ARRAY_SIZE(good_ck); i++) {
		char text[64];
		snprintf(text, sizeof(text), "crashkernel %s\n", good_ck[i]);
		conf_destroy(ok(text));
	}
	for (size_t i = 0; i < KD_ARRAY_SIZE(bad_ck); i++) {
		char text[64];
		struct conf *c = NULL;
		snprintf(text, sizeof(text), "crashkernel %s\n", bad_ck[i]);
		assert_int_equal(conf_parse(text, strlen(text), F, &c, NULL, NULL), -EINVAL);
	}
}

static void test_target_errors(void **state)
{
	fails("ext4 sda1\n", F ":1:6: bad ext4 device \"sda1\"; write /dev/NAME, UUID=, LABEL=, "
			     "PARTUUID= or PARTLABEL=");
	fails("ext4 /mnt/disk\n", F ":1:6: ext4 device \"/mnt/disk\" is not under /dev");
	fails("raw /dev//\n", F ":1:5: raw device \"/dev//\" is not under /dev"); /* fuzz-conf */
	fails("ext4 UUID=xyz\n", F ":1:11: bad UUID \"xyz\" in ext4 device \"UUID=xyz\"");
	fails("xfs LABEL=\n", F ":1:11: bad LABEL \"\" in xfs device \"LABEL=\"");
	fails("raw UUID=1234\n", F ":1:5: raw device \"UUID=1234\": a raw device holds no "
				 "filesystem, so it has no UUID; name it by /dev/disk/by-id/..., "
				 "PARTUUID= or PARTLABEL=");
	fails("ssh dumps.example.com\n",
	      F ":1:5: ssh target \"dumps.example.com\" lacks a user: write ssh USER@HOST");
	fails("ssh -oProxyCommand=x@host\n",
	      F ":1:5: bad ssh user \"-oProxyCommand=x\" in \"-oProxyCommand=x@host\"");
	fails("ssh root@-oProxyCommand=x\n",
	      F ":1:10: bad ssh host \"-oProxyCommand=x\" in \"root@-oProxyCommand=x\"");
	fails("ssh root@host:0\n", F ":1:15: bad ssh port \"0\"; accepted: 1 to 65535");
	fails("ssh root@host:99999\n", F ":1:15: bad ssh port \"99999\"; accepted: 1 to 65535");
	fails("ssh root@[::1\n", F ":1:10: bad ssh host \"[::1\": write [ADDRESS] or "
				 "[ADDRESS]:PORT");
	/* Found by fuzz-conf: "2001:db" is no IPv6 address (and would render as host:port). */
	fails("ssh ump@[2001:db%po2]\n", F ":1:10: bad IPv6 address \"2001:db%po2\"");
	fails("ssh u@2001:db8\n", F ":1:12: bad ssh port \"db8\"; accepted: 1 to 65535");
	fails("nfs server\n", F ":1:5: bad nfs target \"server\": write nfs SERVER:/EXPORT");
	fails("nfs server:export\n",
	      F ":1:5: bad nfs target \"server:export\": write nfs SERVER:/EXPORT");
	fails("nfs 2001:db8::1:/export\n",
	      F ":1:5: bad nfs target \"2001:db8::1:/export\": IPv6 addresses go in brackets: "
		"write nfs [ADDRESS]:/EXPORT");
	fails("nfs -o:/export\n", F ":1:5: bad nfs server \"-o\" in \"-o:/export\"");
	fails("nfs [zz::1]:/export\n", F ":1:6: bad IPv6 address \"zz::1\" in nfs target");
	fails("nfs srv:/export/../x\n", F ":1:17: nfs export must not contain \"..\": "
					"\"/export/../x\"");
	fails("virtiofs a/b\n", F ":1:10: bad virtiofs tag \"a/b\"");
}

static void test_conflicts(void **state)
{
	struct conf *c;

	fails("ext4 UUID=1234\nnfs srv:/x\n",
	      F ":2:1: second dump target \"nfs\" (the target is already \"ext4\" on line 1); give "
		"one target");
	fails("raw /dev/sdb\n\nssh a@b\n", F ":3:1: second dump target \"ssh\" (the target is "
					   "already \"raw\" on line 1); give one target");
	fails("path /a\npath /b\n", F ":2:1: duplicate \"path\" (first given on line 1)");
	fails("failure_action shell\ndefault reboot\n",
	      F ":2:1: duplicate \"default\" (first given on line 1)");
	fails("force_rebuild 1\nforce_no_rebuild yes\n",
	      F ":2:1: force_rebuild and force_no_rebuild are both set (also on line 1); set at "
		"most one");
	fails("failure_action dump_to_rootfs\n",
	      F ":1:1: failure_action dump_to_rootfs needs a dump target other than the root "
		"filesystem (add a target such as \"nfs\", \"ssh\" or \"ext4\")");
	/* Both set to 0 is no conflict. */
	c = ok("force_rebuild 0\nforce_no_rebuild 1\n");
	assert_true(c->force_no_rebuild);
	conf_destroy(c);
	/* The old alias, with a note. */
	c = warns("nfs srv:/x\ndefault dump_to_rootfs\n",
		  F ":2:1: \"default\" is the old name of \"failure_action\"; write failure_action "
		    "dump_to_rootfs");
	assert_int_equal(c->failure_action, CONF_ACTION_DUMP_TO_ROOTFS);
	conf_destroy(c);
	c = warns("sshkey /root/.ssh/id\n", F ":1:1: sshkey has no effect without an ssh target");
	conf_destroy(c);
	c = warns("nfs_vers 4.1\n", F ":1:1: nfs_vers has no effect without an nfs target");
	assert_string_equal(c->nfs_vers, "4.1");
	conf_destroy(c);
	c = warns("core_collector kdump capture -d 31 -l\nraw /dev/sdb\n",
		  F ":1:1: core_collector: a raw target takes a flattened stream; -F is implied");
	assert_true(c->collector.flattened);
	conf_destroy(c);
	c = ok("ssh a@b\ncore_collector makedumpfile -F -l -d 31\n");
	assert_true(c->collector.flattened);
	assert_false(c->collector.flattened_implied);
	conf_destroy(c);
	c = warns("auto_reset_crashkernel yes\n",
		  F ":1:1: auto_reset_crashkernel is accepted for kdump-utils' sake and does "
		    "nothing; use \"crashkernel\" and \"kdump crashkernel --set\"");
	assert_true(c->auto_reset_crashkernel);
	conf_destroy(c);
}

static void test_makedumpfile(void **state)
{
	struct conf *c;

	/* kdump-utils' default line. */
	c = warns("core_collector makedumpfile -l --message-level 7 -d 31\n",
		  F ":1:32: core_collector: makedumpfile option --message-level is ignored (kdump "
		    "capture prints its own progress)");
	assert_true(c->collector.from_makedumpfile);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_LZO);
	assert_int_equal(c->collector.dump_level, 31);
	conf_destroy(c);
	c = ok("core_collector makedumpfile -c -d 1\n");
	assert_int_equal(c->collector.compress, CONF_COMPRESS_ZLIB);
	assert_int_equal(c->collector.dump_level, 1);
	conf_destroy(c);
	c = ok("core_collector /usr/sbin/makedumpfile -z -F -d31\n");
	assert_int_equal(c->collector.compress, CONF_COMPRESS_ZSTD);
	assert_true(c->collector.flattened);
	assert_int_equal(c->collector.dump_level, 31);
	conf_destroy(c);
	c = ok("core_collector makedumpfile -Fcd 17\n");
	assert_int_equal(c->collector.compress, CONF_COMPRESS_ZLIB);
	assert_true(c->collector.flattened);
	assert_int_equal(c->collector.dump_level, 17);
	conf_destroy(c);
	c = ok("core_collector makedumpfile -E -d 31\n");
	assert_int_equal(c->collector.format, CONF_FORMAT_ELF);
	assert_int_equal(c->collector.compress, CONF_COMPRESS_NONE);
	conf_destroy(c);
	c = ok("core_collector makedumpfile -d 0\n"); /* no compression option: none */
	assert_int_equal(c->collector.compress, CONF_COMPRESS_NONE);
	conf_destroy(c);
	c = warns("core_collector makedumpfile -l --num-threads=4 -d 31\n",
		  F ":1:32: core_collector: makedumpfile option --num-threads is ignored (kdump "
		    "capture chooses its own threads)");
	conf_destroy(c);
	c = warns("core_collector makedumpfile -D -l -d 31\n",
		  F ":1:29: core_collector: makedumpfile option -D is ignored (use kdump's own "
		    "debug output)");
	conf_destroy(c);

	c = warns("core_collector makedumpfile -lD -d 31\n",
		  F ":1:31: core_collector: makedumpfile option -D is ignored (use kdump's own "
		    "debug output)");
	assert_int_equal(c->collector.compress, CONF_COMPRESS_LZO);
	conf_destroy(c);
	fails("core_collector makedumpfile -p -d 31\n",
	      F ":1:30: core_collector: makedumpfile option -p is not supported (snappy "
		"compression is not supported; use -z (zstd) or -l (lzo))");
	fails("core_collector makedumpfile -E -l -d 31\n",
	      F ":1:30: core_collector: -E (ELF) cannot be compressed; drop -l");
	fails("core_collector makedumpfile -c -l\n",
	      F ":1:33: core_collector: -c and -l both choose a compression; give one");
	fails("core_collector makedumpfile -d 32\n",
	      F ":1:32: core_collector: bad dump level \"32\"; accepted: 0 to 31");
	fails("core_collector makedumpfile -d x\n",
	      F ":1:32: core_collector: bad dump level \"x\"; accepted: 0 to 31");
	fails("core_collector makedumpfile -l -d\n",
	      F ":1:33: core_collector: -d needs a dump level (0 to 31)");
	fails("core_collector makedumpfile -l -d 31 /proc/vmcore dump\n",
	      F ":1:38: core_collector: remove \"/proc/vmcore\"; kdump adds the vmcore and dump "
		"file names itself");
	fails("core_collector makedumpfile -x vmlinux -d 31\n",
	      F ":1:30: core_collector: makedumpfile option -x is not supported (the page filter "
		"works from VMCOREINFO alone; no vmlinux needed)");
	fails("core_collector makedumpfile --split -d 31\n",
	      F ":1:29: core_collector: makedumpfile option --split is not supported (split "
		"dumps are not supported)");
	fails("core_collector makedumpfile -q\n",
	      F ":1:30: core_collector: unknown option \"-q\" for makedumpfile");
	fails("core_collector makedumpfile --message-level\n",
	      F ":1:29: core_collector: --message-level needs a value");
	fails("core_collector kdump capture -l --message-level 7\n",
	      F ":1:33: core_collector: unknown option \"--message-level\" for kdump capture");
	fails("core_collector cp --sparse=always\n",
	      F ":1:16: core_collector \"cp\" is not supported: kdump writes the dump itself; write "
		"\"core_collector kdump capture [-d LEVEL] [-c|-l|-z] [-E] [-F]\" or makedumpfile's "
		"spelling of those options");
	fails("core_collector kdump\n",
	      F ":1:16: core_collector \"kdump\" is not supported: kdump writes the dump itself; "
		"write \"core_collector kdump capture [-d LEVEL] [-c|-l|-z] [-E] [-F]\" or "
		"makedumpfile's spelling of those options");
}

static void test_many_errors(void **state)
{
	struct conf_diags d = { 0 };
	struct conf *c = NULL;
	struct kd_err err = { 0 };
	char text[2000] = "";

	for (int i = 0; i < 100; i++)
		strcat(text, "bogus 1\n");
	assert_int_equal(conf_parse(text, strlen(text), F, &c, &d, &err), -EINVAL);
	assert_int_equal(d.n, CONF_MAX_DIAGS);
	assert_int_equal(d.n_errors, 100);
	assert_string_equal(d.v[63].msg, F ":64:1: unknown directive \"bogus\"");
	assert_int_equal(d.v[63].line, 64);
	assert_int_equal(d.v[63].column, 1);
	assert_string_equal(err.msg, F ":1:1: unknown directive \"bogus\"");
	conf_diags_deinit(&d);
}

static void test_capture_ip(void **state)
{
	struct conf *c;
	char *text;

	(void)state;
	c = ok("ssh kd@192.0.2.9\ncapture_ip 192.0.2.50/24 via 192.0.2.1 dev eth1\n");
	assert_string_equal(c->capture_ip, "192.0.2.50/24");
	assert_string_equal(c->capture_gateway, "192.0.2.1");
	assert_string_equal(c->capture_iface, "eth1");
	assert_int_equal(conf_render(c, &text), 0);
	assert_non_null(strstr(text, "\ncapture_ip 192.0.2.50/24 via 192.0.2.1 dev eth1\n"));
	free(text);
	conf_destroy(c);
	c = ok("capture_ip 10.1.2.3/8 dev eth0\nnfs 10.0.0.1:/e\n");
	assert_string_equal(c->capture_ip, "10.1.2.3/8");
	assert_null(c->capture_gateway);
	assert_string_equal(c->capture_iface, "eth0");
	conf_destroy(c);
	c = ok("nfs 10.0.0.1:/e\n");
	assert_null(c->capture_ip);
	conf_destroy(c);
	conf_destroy(warns("capture_ip 10.1.2.3/8\n",
			   F ":1:1: capture_ip has no effect without an ssh or nfs target"));

	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3\n",
	      F ":2:12: capture_ip wants ADDR/PREFIX (IPv4, e.g. 192.168.1.50/24), not "
		"\"10.1.2.3\"");
	fails("nfs 10.0.0.1:/e\ncapture_ip 2001:db8::1/64\n",
	      F ":2:12: capture_ip: \"2001:db8::1\" is not an IPv4 address (the capture init "
		"sets IPv4 only)");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/33\n",
	      F ":2:21: capture_ip: bad prefix length \"33\"; accepted: 1 to 32");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 via 10.1.3.1\n",
	      F ":2:28: capture_ip: gateway 10.1.3.1 is not on 10.1.2.3/24's link");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 via gw\n",
	      F ":2:28: capture_ip: gateway \"gw\" is not an IPv4 address");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 gw 10.1.2.1\n",
	      F ":2:24: capture_ip: unexpected \"gw\"; write capture_ip ADDR/PREFIX [via "
		"GATEWAY] [dev IFACE]");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 dev\n",
	      F ":2:24: capture_ip: \"dev\" needs a value");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 dev a dev b\n",
	      F ":2:30: capture_ip: unexpected \"dev\"; write capture_ip ADDR/PREFIX [via "
		"GATEWAY] [dev IFACE]");
	fails("nfs 10.0.0.1:/e\ncapture_ip 10.1.2.3/24 dev a_very_long_interface\n",
	      F ":2:28: capture_ip: bad interface name \"a_very_long_interface\" (at most 15 "
		"characters, no '/')");
}

static void test_render(void **state)
{
	static const char *const inputs[] = {
		"",
		"ssh kdump@[2001:db8::2]:2200\nsshkey /k\ncore_collector makedumpfile -c -d 3\n"
		"keep 4\nnotify /bin/n a b\ncapture_cmdline_append \"x\" y=\"z\"\n",
		"raw PARTLABEL=dump\n",
		"nfs [::1]:/e\nfailure_action dump_to_rootfs\nfinal_action halt\nextra_modules a b\n"
		"extra_bins /x\nkdump_pre /p\nkdump_post /q\nkdump_emergency /e\ncrashkernel auto\n"
		"auto_reset_crashkernel yes\nforce_no_rebuild 1\ncapture_ip 10.0.0.9/8 via 10.0.0.1\n",
		"virtiofs tag1\ncore_collector kdump capture -E -d 0\nverify no\n",
	};
	struct conf *c;
	char *text;

	c = ok("ext4 LABEL=crash\npath /dumps\ncore_collector makedumpfile -F -z -d 31\n"
	       "failure_action shell\nkeep 7\n");
	assert_int_equal(conf_render(c, &text), 0);
	assert_string_equal(text, "# effective configuration of t.conf\n"
				  "ext4 LABEL=crash\n"
				  "path /dumps\n"
				  "core_collector kdump capture -d 31 -z -F\n"
				  "failure_action shell\n"
				  "final_action reboot\n"
				  "force_rebuild 0\n"
				  "force_no_rebuild 0\n"
				  "keep 7\n"
				  "verify auto\n");
	free(text);
	conf_destroy(c);

	/* render(parse(render(parse(x)))) == render(parse(x)) */
	for (size_t i = 0; i < KD_ARRAY_SIZE(inputs); i++) {
		char *again;
		struct conf *c2 = NULL;

		assert_int_equal(conf_parse(inputs[i], strlen(inputs[i]), F, &c, NULL, NULL), 0);
		assert_int_equal(conf_render(c, &text), 0);
		assert_int_equal(conf_parse(text, strlen(text), F, &c2, NULL, NULL), 0);
		assert_int_equal(conf_render(c2, &again), 0);
		assert_string_equal(text, again);
		free(text);
		free(again);
		conf_destroy(c);
		conf_destroy(c2);
	}
}

static const char *write_conf(const char *name, const char *text, mode_t mode)
{
	const char *path = tu_tmp(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void load_fails(const char *root, const char *path, int code, const char *msg)
{
	struct conf_diags d = { 0 };
	struct kd_err err = { 0 };
	struct conf *c = NULL;

	assert_int_equal(conf_load(root, path, &c, &d, &err), code);
	assert_null(c);
	assert_string_equal(err.msg, msg);
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.v[0].msg, msg);
	conf_diags_deinit(&d);
}

static void test_load(void **state)
{
	struct kd_err err = { 0 };
	struct conf *c = NULL;
	const char *p;
	char want[1024], dir[512];

	p = write_conf("good.conf", "keep 2\n", 0644);
	assert_int_equal(conf_load(NULL, p, &c, NULL, &err), 0);
	assert_int_equal(c->keep, 2);
	assert_string_equal(c->file, p);
	conf_destroy(c);
	p = write_conf("private.conf", "keep 3\n", 0600);
	assert_int_equal(conf_load("/", p, &c, NULL, &err), 0);
	conf_destroy(c);

	/* The root is prepended, and named in messages. */
	p = write_conf("etc-kdump.conf", "pth /x\n", 0644);
	snprintf(want, sizeof(want), "%s/etc-kdump.conf:1:1: unknown directive \"pth\" (did you "
		 "mean \"path\"?)", tu_tmpdir());
	load_fails(tu_tmpdir(), "/etc-kdump.conf", -EINVAL, want);

	p = write_conf("world.conf", "keep 2\n", 0666);
	snprintf(want, sizeof(want), "config file %s is writable by every user (mode 0666); run "
		 "\"chmod o-w %s\"", p, p);
	load_fails(NULL, p, -EPERM, want);
	p = write_conf("group.conf", "keep 2\n", 0664);
	snprintf(want, sizeof(want), "config file %s is writable by its group (mode 0664); run "
		 "\"chmod g-w %s\"", p, p);
	load_fails(NULL, p, -EPERM, want);

	p = tu_tmp("missing.conf");
	snprintf(want, sizeof(want), "cannot open %s: No such file or directory", p);
	load_fails(NULL, p, -ENOENT, want);
	snprintf(want, sizeof(want), "%s is not a regular file", tu_tmpdir());
	load_fails(NULL, tu_tmpdir(), -EINVAL, want);

	/* A directory others may write into (without the sticky bit) is refused. */
	snprintf(dir, sizeof(dir), "%s/open", tu_tmpdir());
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	p = write_conf("open/kdump.conf", "keep 2\n", 0644);
	snprintf(want, sizeof(want), "the directory of the config file, %s is writable by every "
		 "user (mode 0777); run \"chmod o-w %s\"", dir, dir);
	load_fails(NULL, p, -EPERM, want);
	assert_int_equal(chmod(dir, 01777), 0); /* like /tmp */
	assert_int_equal(conf_load(NULL, p, &c, NULL, &err), 0);
	conf_destroy(c);

	/* Too big for a config. */
	{
		char *big = malloc(CONF_MAX_FILE_SIZE + 2);
		memset(big, '\n', CONF_MAX_FILE_SIZE + 1);
		big[CONF_MAX_FILE_SIZE + 1] = '\0';
		p = write_conf("big.conf", big, 0644);
		free(big);
		snprintf(want, sizeof(want), "%s: file is larger than 65536 bytes (65537); is it the "
			 "right file?", p);
		load_fails(NULL, p, -EFBIG, want);
	}
}

static void test_load_owner(void **state)
{
	const char *p;
	char want[1024];

	if (geteuid() != 0) {
		tu_skip_or_fail("checking a file owned by another user needs root (chown)");
		return;
	}
	p = write_conf("other.conf", "keep 2\n", 0644);
	assert_int_equal(chown(p, 4242, 4242), 0);
	snprintf(want, sizeof(want), "config file %s is owned by uid 4242, neither root nor you; "
		 "run \"chown root %s\"", p, p);
	load_fails(NULL, p, -EPERM, want);
}

/* Every key of the init's settings survives format -> parse, and the shared validators
 * accept exactly kdump.conf's names. */
static void test_init_settings_roundtrip(void **state)
{
	struct conf_init c, back;
	struct kd_err err = { 0 };
	enum conf_action a;
	enum conf_compress z;
	enum conf_verify v;
	char *text;

	conf_init_defaults(&c);
	c.target = CONF_TARGET_SSH;
	snprintf(c.device, sizeof(c.device), "UUID=1234");
	snprintf(c.fstype, sizeof(c.fstype), "xfs");
	snprintf(c.path, sizeof(c.path), "/var/crash");
	c.level = 1;
	c.compress = CONF_COMPRESS_NONE;
	c.final_action = CONF_ACTION_HALT;
	c.failure_action = CONF_ACTION_POWEROFF;
	c.save_raw = true;
	c.wait_secs = 3600;
	snprintf(c.hostname, sizeof(c.hostname), "web1");
	snprintf(c.rootfs_device, sizeof(c.rootfs_device), "/dev/sda2");
	snprintf(c.rootfs_fstype, sizeof(c.rootfs_fstype), "btrfs");
	snprintf(c.pre, sizeof(c.pre), "/kdump/pre");
	snprintf(c.post, sizeof(c.post), "/kdump/post");
	snprintf(c.emergency, sizeof(c.emergency), "/kdump/emergency");
	c.keep = 7;
	c.flat = true;
	c.check_space = false;
	c.verify = CONF_VERIFY_NO;
	snprintf(c.net_iface, sizeof(c.net_iface), "eth1");
	snprintf(c.net_mac, sizeof(c.net_mac), "52:54:00:12:34:56");
	snprintf(c.net_addr, sizeof(c.net_addr), "192.0.2.5/24");
	snprintf(c.net_gateway, sizeof(c.net_gateway), "192.0.2.1");
	snprintf(c.ssh_user, sizeof(c.ssh_user), "kd");
	snprintf(c.ssh_host, sizeof(c.ssh_host), "192.0.2.9");
	c.ssh_port = 2222;
	snprintf(c.nfs_server, sizeof(c.nfs_server), "192.0.2.10");
	snprintf(c.nfs_export, sizeof(c.nfs_export), "/srv");
	snprintf(c.nfs_vers, sizeof(c.nfs_vers), "4.1");
	c.n_modules = 1;
	snprintf(c.modules[0], sizeof(c.modules[0]), "virtio_net.ko");
	text = conf_init_format(&c);
	assert_non_null(text);
	assert_int_equal(conf_init_parse(text, "init.conf", &back, &err), 0);
	free(text);
	assert_memory_equal(&back, &c, sizeof(c));

	/* One name table: what kdump.conf accepts, the init accepts. */
	assert_int_equal(conf_action_parse("dump_to_rootfs", &a), 0);
	assert_int_equal(a, CONF_ACTION_DUMP_TO_ROOTFS);
	assert_int_equal(conf_action_parse("Reboot", &a), -EINVAL);
	assert_int_equal(conf_compress_parse("zstd", &z), 0);
	assert_int_equal(z, CONF_COMPRESS_ZSTD);
	assert_int_equal(conf_compress_parse("gzip", &z), -EINVAL);
	assert_int_equal(conf_verify_parse("no", &v), 0);
	assert_int_equal(v, CONF_VERIFY_NO);
	assert_true(conf_nfs_vers_valid("4.0"));
	assert_false(conf_nfs_vers_valid("4.3"));
	assert_false(conf_nfs_vers_valid(""));
	/* final_action takes only the actions that end the capture kernel. */
	assert_int_equal(conf_init_parse("device=/dev/vda\nfinal_action=dump_to_rootfs\n", "f",
					 &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f:2: final_action must be reboot, halt or poweroff, not "
				     "\"dump_to_rootfs\"");
	assert_int_equal(conf_init_parse("device=/dev/vda\ncompress=gzip\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: compress must be none, zlib, lzo or zstd, not \"gzip\"");
	assert_int_equal(conf_init_parse("device=/dev/vda\nflat=maybe\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: flat must be 0, 1, no or yes, not \"maybe\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_directive),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_unknown_and_suggestions),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_makedumpfile),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_capture_ip),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_owner),
		cmocka_unit_test(test_init_settings_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
