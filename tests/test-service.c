// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the service's pieces: superblock probing (UUID=/LABEL=), dump listing,
 * retention, info.json fields, space bounds, and the init settings the service writes. */
#include "conf/conf.h"
#include "kdump/dump/dump.h"
#include "kdump/sys/sys.h"
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

static const uint8_t uuid_bytes[16] = { 0x03, 0x13, 0x83, 0x56, 0x5e, 0x61, 0x4a, 0xb3,
					0xb5, 0x8e, 0x27, 0x50, 0x7a, 0xc4, 0x19, 0x37 };
#define UUID_STR "03138356-5e61-4ab3-b58e-27507ac41937"

static void write_image(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void make_ext4(const char *path, const char *label)
{
	uint8_t img[4096] = { 0 };

	kd_put_le16(img + 1024 + 0x38, 0xEF53);
	memcpy(img + 1024 + 0x68, uuid_bytes, 16);
	memcpy(img + 1024 + 0x78, label, strlen(label));
	write_image(path, img, sizeof(img));
}

static void make_xfs(const char *path, const char *label)
{
	uint8_t img[4096] = { 0 };

	memcpy(img, "XFSB", 4);
	for (int i = 0; i < 16; i++)
		img[32 + i] = (uint8_t)(0xa0 + i);
	memcpy(img + 108, label, strlen(label));
	write_image(path, img, sizeof(img));
}

static void test_probe(void **state)
{
	struct kd_fsinfo fi;
	int fd;

	make_ext4(tu_tmp("e.img"), "crash");
	fd = open(tu_tmp("e.img"), O_RDONLY);
	assert_int_equal(kd_fs_probe(fd, &fi), 0);
	close(fd);
	assert_string_equal(fi.type, "ext4");
	assert_string_equal(fi.uuid, UUID_STR);
	assert_string_equal(fi.label, "crash");

	make_xfs(tu_tmp("x.img"), "xfsdumps");
	fd = open(tu_tmp("x.img"), O_RDONLY);
	assert_int_equal(kd_fs_probe(fd, &fi), 0);
	close(fd);
	assert_string_equal(fi.type, "xfs");
	assert_string_equal(fi.uuid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	assert_string_equal(fi.label, "xfsdumps");

	/* Neither: -ENOENT; a short file too. */
	{
		uint8_t z[3000] = { 0 };
		write_image(tu_tmp("z.img"), z, sizeof(z));
		fd = open(tu_tmp("z.img"), O_RDONLY);
		assert_int_equal(kd_fs_probe(fd, &fi), -ENOENT);
		close(fd);
		write_image(tu_tmp("z.img"), z, 10);
		fd = open(tu_tmp("z.img"), O_RDONLY);
		assert_int_equal(kd_fs_probe(fd, &fi), -ENOENT);
		close(fd);
	}
}

static void test_find(void **state)
{
	char dir[512], path[512];
	struct kd_fsinfo fi;
	struct kd_err err = { 0 };

	snprintf(dir, sizeof(dir), "%s", tu_tmp("dev"));
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/vda", dir);
	make_xfs(path, "other");
	snprintf(path, sizeof(path), "%s/vdb", dir);
	make_ext4(path, "crash");
	assert_int_equal(kd_fs_find(dir, "UUID", "03138356-5E61-4AB3-B58E-27507AC41937", path,
				    sizeof(path), &fi, &err), 0);
	assert_true(strstr(path, "/vdb") != NULL);
	assert_int_equal(kd_fs_find(dir, "LABEL", "other", path, sizeof(path), NULL, &err), 0);
	assert_true(strstr(path, "/vda") != NULL);
	/* Labels are case-sensitive; a miss says what was searched. */
	assert_int_equal(kd_fs_find(dir, "LABEL", "CRASH", path, sizeof(path), NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no ext2/3/4 or xfs filesystem with LABEL=CRASH among the 2 "
				      "devices in"));
	assert_int_equal(kd_fs_find(dir, "PARTUUID", "x", path, sizeof(path), NULL, &err), -EINVAL);
}

static void mkdump(const char *top, const char *name, bool complete, const char *json)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, name);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/%s/vmcore", top, name);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	if (!complete) {
		snprintf(p, sizeof(p), "%s/%s/.incomplete", top, name);
		close(open(p, O_WRONLY | O_CREAT, 0600));
	}
	if (json) {
		snprintf(p, sizeof(p), "%s/%s/info.json", top, name);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
		close(fd);
	}
}

static void test_list_prune(void **state)
{
	char top[512], p[1024];
	struct kd_dump_list l;
	struct kd_err err = { 0 };
	unsigned removed = 9;

	snprintf(top, sizeof(top), "%s", tu_tmp("crash"));
	mkdir(top, 0700);
	/* Created out of order: the list sorts by the date-time in the name. */
	mkdump(top, "h-2026-03-01-00:00:00", true, NULL);
	mkdump(top, "h-2026-01-01-00:00:00", true,
	       "{\n  \"osrelease\": \"6.1.0-56-amd64\",\n  \"crash_time_utc\": \"2026-01-01T00:00:00Z\",\n"
	       "  \"panic_message\": \"sysrq \\\"triggered\\\" crash\\u00e9\"\n}\n");
	mkdump(top, "h-2026-02-01-00:00:00", false, NULL);
	mkdump(top, "h-2026-04-01-00:00:00", true, NULL);
	snprintf(p, sizeof(p), "%s/not-a-dump", top);
	mkdir(p, 0700);
	assert_int_equal(kd_dumps_list(top, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].name, "h-2026-01-01-00:00:00");
	assert_string_equal(l.v[0].release, "6.1.0-56-amd64");
	assert_string_equal(l.v[0].crash_time, "2026-01-01T00:00:00Z");
	assert_string_equal(l.v[0].panic, "sysrq \"triggered\" crash?");
	assert_true(l.v[0].complete);
	assert_int_equal(l.v[0].bytes, 10);
	assert_false(l.v[1].complete);
	assert_string_equal(l.v[3].name, "h-2026-04-01-00:00:00");
	kd_dumps_free(&l);

	/* keep 2, protecting the newest: the oldest complete one goes, the incomplete stays. */
	assert_int_equal(kd_dumps_prune(top, 2, "h-2026-04-01-00:00:00", &removed, &err), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(kd_dumps_list(top, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "h-2026-02-01-00:00:00");
	assert_false(l.v[0].complete);
	kd_dumps_free(&l);
	/* keep 0 keeps all; a protected dump is never removed even if over the count. */
	assert_int_equal(kd_dumps_prune(top, 0, NULL, &removed, &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(kd_dumps_prune(top, 1, "h-2026-03-01-00:00:00", &removed, &err), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(kd_dumps_list(top, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].name, "h-2026-03-01-00:00:00");
	kd_dumps_free(&l);
	/* A missing directory is an empty list. */
	assert_int_equal(kd_dumps_list(tu_tmp("nosuch"), &l, &err), 0);
	assert_int_equal(l.n, 0);
}

static void test_names_space(void **state)
{
	char buf[128], out[16];
	uint64_t e, b;

	kd_dump_dir_name("(none)", 0, buf, sizeof(buf));
	assert_string_equal(buf, "localhost-1970-01-01-00:00:00");
	kd_dump_dir_name("web1", 1795575462, buf, sizeof(buf));
	assert_string_equal(buf, "web1-2026-11-25-02:57:42");
	assert_false(kd_json_get_string("{\"a\": 1}", "a", out, sizeof(out)));
	assert_false(kd_json_get_string("{\"a\": \"x\"}", "b", out, sizeof(out)));
	/* Truncated to the buffer, not overflowing it. */
	assert_true(kd_json_get_string("{\"k\" : \"0123456789abcdefXYZ\"}", "k", out, sizeof(out)));
	assert_string_equal(out, "0123456789abcde");
	/* 1000 kept 4 KiB pages, 262144 pfns: the bound stores every page raw. */
	kd_dump_space(1000, 4096, 262144, true, &e, &b);
	assert_int_equal(b, 1000 * (4096 + 24) + 2 * 32768 + (1 << 20));
	assert_int_equal(e, 1000 * (2048 + 24) + 2 * 32768 + (1 << 20));
	kd_dump_space(1000, 4096, 262144, false, &e, &b);
	assert_int_equal(e, b);
}

static void test_initconf_service_keys(void **state)
{
	struct conf_init c, back;
	struct kd_err err = { 0 };
	char *text;

	conf_init_defaults(&c);
	assert_int_equal(c.failure_action, CONF_ACTION_DUMP_TO_ROOTFS);
	assert_true(c.check_space);
	snprintf(c.device, sizeof(c.device), "UUID=" UUID_STR);
	snprintf(c.hostname, sizeof(c.hostname), "web1");
	snprintf(c.rootfs_device, sizeof(c.rootfs_device), "LABEL=root");
	snprintf(c.rootfs_fstype, sizeof(c.rootfs_fstype), "xfs");
	snprintf(c.pre, sizeof(c.pre), "/kdump/pre");
	snprintf(c.post, sizeof(c.post), "/kdump/post");
	c.keep = 3;
	c.flat = true;
	c.failure_action = CONF_ACTION_HALT;
	text = conf_init_format(&c);
	assert_non_null(text);
	assert_int_equal(conf_init_parse(text, "init.conf", &back, &err), 0);
	free(text);
	assert_string_equal(back.device, "UUID=" UUID_STR);
	assert_string_equal(back.hostname, "web1");
	assert_string_equal(back.rootfs_device, "LABEL=root");
	assert_string_equal(back.rootfs_fstype, "xfs");
	assert_string_equal(back.pre, "/kdump/pre");
	assert_string_equal(back.post, "/kdump/post");
	assert_int_equal(back.keep, 3);
	assert_true(back.flat);
	assert_int_equal(back.failure_action, CONF_ACTION_HALT);
	assert_int_equal(conf_init_parse("device=/dev/vda\nfailure_action=shell\n", "f", &back,
					   &err), -EINVAL);
	assert_string_equal(err.msg, "f:2: failure_action must be reboot, halt, poweroff or "
				     "dump_to_rootfs, not \"shell\"");
	assert_int_equal(conf_init_parse("device=/dev/vda\nkeep=-1\n", "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f:2: keep must be 0-100000, not \"-1\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_list_prune),
		cmocka_unit_test(test_names_space),
		cmocka_unit_test(test_initconf_service_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
