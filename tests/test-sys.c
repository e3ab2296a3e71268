// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the host's facts under a fixture root: command line, mounts, host name, root
 * device, device specs and mount points. */
#include "kdump/sys/sys.h"
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

static void put(const char *root, const char *rel, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_facts(void **state)
{
	const char *root = tu_tmp("host1");
	struct kd_host *h = NULL;
	struct kd_err err = { 0 };
	char v[64];

	mkdir(root, 0755);
	put(root, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro root=UUID=1234-abcd "
				   "crashkernel=256M quiet\n");
	put(root, "/proc/mounts", "rootfs / rootfs rw 0 0\n/dev/vda1 / ext4 rw 0 0\n"
				  "proc /proc proc rw 0 0\n/dev/vda2 / xfs rw 0 0\n");
	put(root, "/etc/hostname", "web1 trailing words\n");
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	assert_false(h->real_root);
	/* The last root= wins, as in the kernel; the type is the last "/" line's. */
	assert_string_equal(h->root_device, "UUID=1234-abcd");
	assert_string_equal(h->root_fstype, "xfs");
	assert_string_equal(h->hostname, "web1");
	assert_int_equal(h->etc_hostname_len, strlen("web1 trailing words\n"));
	assert_true(kd_host_cmdline_value(h, "crashkernel", v, sizeof(v)));
	assert_string_equal(v, "256M");
	assert_false(kd_host_cmdline_value(h, "crash", v, sizeof(v)));
	/* A value too long for the buffer is skipped, not cut. */
	assert_false(kd_host_cmdline_value(h, "crashkernel", v, 4));
	kd_host_destroy(h);

	/* No root=: the first /dev source of / in the mounts; nothing at all: "" and ext4. */
	put(root, "/proc/cmdline", "quiet\n");
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	assert_string_equal(h->root_device, "/dev/vda1");
	kd_host_destroy(h);
	root = tu_tmp("host-empty");
	mkdir(root, 0755);
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	assert_null(h->cmdline);
	assert_null(h->mounts);
	assert_null(h->etc_hostname);
	assert_string_equal(h->hostname, ""); /* not the real machine's name under a root */
	assert_string_equal(h->root_device, "");
	assert_string_equal(h->root_fstype, "ext4");
	kd_host_destroy(h);
}

static void test_devices(void **state)
{
	const char *root = tu_tmp("host2");
	struct kd_host *h = NULL;
	struct kd_err err = { 0 };
	uint8_t img[4096] = { 0 };
	char p[1024], *dev, *mnt;
	int fd;

	mkdir(root, 0755);
	put(root, "/dev/vdb", "");
	/* An ext4 superblock labelled "crash" on vdb. */
	kd_put_le16(img + 1024 + 0x38, 0xEF53);
	memcpy(img + 1024 + 0x78, "crash", 5);
	snprintf(p, sizeof(p), "%s/dev/vdb", root);
	fd = open(p, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
	close(fd);
	put(root, "/dev/disk/by-partlabel/.keep", "");

	dev = kd_resolve_device(root, "LABEL=crash");
	assert_non_null(dev);
	assert_non_null(strstr(dev, "/host2/dev/vdb"));
	assert_null(kd_resolve_device(root, "LABEL=other"));
	assert_null(kd_resolve_device(root, "PARTLABEL=crash")); /* no superblock scan */
	free(kd_resolve_device(root, "/dev/vdb"));

	put(root, "/proc/mounts", "/dev/vda1 / ext4 rw 0 0\n/dev/vdb /mnt/dumps ext4 rw 0 0\n");
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	mnt = kd_host_mount_point(h, dev);
	assert_non_null(mnt);
	snprintf(p, sizeof(p), "%s/mnt/dumps", root);
	assert_string_equal(mnt, p);
	free(mnt);
	kd_host_destroy(h);
	put(root, "/proc/mounts", "/dev/vda1 / ext4 rw 0 0\n");
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	assert_null(kd_host_mount_point(h, dev));
	kd_host_destroy(h);
	free(dev);

	/* A route is asked for an address only: names need a resolver the capture lacks. */
	assert_int_equal(kd_host_read(root, &h, &err), 0);
	{
		struct kd_net_config nc;
		assert_int_equal(kd_host_route_to(h, "nas.example.org", &nc, &err), -EINVAL);
		assert_string_equal(err.msg, "nas.example.org is not an IPv4 address");
	}
	kd_host_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
