// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the capture initramfs pieces: cpio writer, module resolution, init settings. */
#include "testutil.h"
#include "kdump/cpio.h"
#include "kdump/initconf.h"
#include "kdump/kmod.h"

#include <sys/stat.h>
#include <zlib.h>

struct member {
	char name[64];
	unsigned mode, rmajor, rminor;
	size_t size;
	const uint8_t *data;
};

/* Parses a newc archive back, checking magic, alignment and the trailer. */
static size_t parse_cpio(const uint8_t *buf, size_t len, struct member *out, size_t max)
{
	size_t off = 0, n = 0;

	for (;;) {
		char field[9] = "";
		unsigned v[13];
		struct member m = { 0 };

		assert_true(off + 110 <= len);
		assert_memory_equal(buf + off, "070701", 6);
		for (int i = 0; i < 13; i++) {
			memcpy(field, buf + off + 6 + 8 * i, 8);
			v[i] = (unsigned)strtoul(field, NULL, 16);
		}
		m.mode = v[1];
		m.size = v[6];
		m.rmajor = v[9];
		m.rminor = v[10];
		assert_true(v[11] > 0 && v[11] < sizeof(m.name));
		memcpy(m.name, buf + off + 110, v[11]);
		assert_int_equal(m.name[v[11] - 1], '\0');
		off = KD_ALIGN_UP(off + 110 + v[11], 4);
		m.data = buf + off;
		off = KD_ALIGN_UP(off + m.size, 4);
		assert_true(off <= len);
		if (strcmp(m.name, "TRAILER!!!") == 0)
			break;
		assert_true(n < max);
		out[n++] = m;
	}
	assert_int_equal(len % 512, 0); /* padded like cpio(1) */
	return n;
}

static void test_cpio_roundtrip(void **state)
{
	const char *plain = tu_tmp("a.cpio"), *gz = tu_tmp("a.cpio.gz"), *src = tu_tmp("src");
	struct kd_err err = { 0 };
	struct kd_cpio *c;
	struct member m[8];
	uint8_t *buf, unz[8192];
	size_t len, n;
	int64_t size;
	gzFile g;
	int z;

	tu_write_text(src, "hello from a file\n");
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(kd_cpio_create(pass ? gz : plain, pass ? KD_CPIO_GZIP : KD_CPIO_PLAIN,
						&c, &err), 0);
		assert_int_equal(kd_cpio_add_dir(c, "etc", 0755, &err), 0);
		assert_int_equal(kd_cpio_add_chardev(c, "dev/console", 0600, 5, 1, &err), 0);
		assert_int_equal(kd_cpio_add_symlink(c, "sbin", "bin", &err), 0);
		assert_int_equal(kd_cpio_add_data(c, "etc/x.conf", 0644, "abc", 3, &err), 0);
		assert_int_equal(kd_cpio_add_file(c, "init", 0755, src, &err), 0);
		assert_int_equal(kd_cpio_add_file(c, "none", 0755, tu_tmp("missing"), &err), -ENOENT);
		assert_non_null(strstr(err.msg, "missing"));
		assert_int_equal(kd_cpio_add_data(c, "/abs", 0644, "", 0, &err), -EINVAL);
		size = kd_cpio_finish(c, &err);
		assert_true(size > 0);
	}
	buf = tu_read_file(plain, &len);
	n = parse_cpio(buf, len, m, KD_ARRAY_SIZE(m));
	assert_int_equal(n, 5);
	assert_string_equal(m[0].name, "etc");
	assert_int_equal(m[0].mode, S_IFDIR | 0755);
	assert_string_equal(m[1].name, "dev/console");
	assert_int_equal(m[1].mode, S_IFCHR | 0600);
	assert_int_equal(m[1].rmajor, 5);
	assert_int_equal(m[1].rminor, 1);
	assert_int_equal(m[2].mode, S_IFLNK | 0777);
	assert_memory_equal(m[2].data, "bin", 3);
	assert_int_equal(m[3].size, 3);
	assert_memory_equal(m[3].data, "abc", 3);
	assert_string_equal(m[4].name, "init");
	assert_int_equal(m[4].size, 18);
	assert_memory_equal(m[4].data, "hello from a file\n", 18);
	/* The gzip archive holds the same bytes. */
	g = gzopen(gz, "rb");
	assert_non_null(g);
	z = gzread(g, unz, sizeof(unz));
	gzclose(g);
	assert_int_equal((size_t)z, len);
	assert_memory_equal(unz, buf, len);
	free(buf);
	assert_int_equal(kd_cpio_create(tu_tmp("nodir/x"), KD_CPIO_PLAIN, &c, &err), -ENOENT);
}

static const char *fake_moddir(void)
{
	const char *d = tu_tmp("mods");

	mkdir(d, 0755);
	tu_write_text(tu_tmp("mods/modules.dep"),
		      "kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz kernel/fs/mbcache.ko.xz "
		      "kernel/fs/jbd2/jbd2.ko.xz\n"
		      "kernel/lib/crc16.ko.xz:\nkernel/fs/mbcache.ko.xz:\n"
		      "kernel/fs/jbd2/jbd2.ko.xz:\n"
		      "kernel/crypto/crc32c_generic.ko.xz:\n"
		      "kernel/arch/x86/crypto/crc32c-intel.ko.xz:\n"
		      "kernel/drivers/block/virtio_blk.ko.xz:\n"
		      "kernel/fs/broken.ko: kernel/fs/nowhere.ko\n");
	tu_write_text(tu_tmp("mods/modules.softdep"),
		      "# Soft dependencies extracted from modules themselves.\n"
		      "softdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n");
	tu_write_text(tu_tmp("mods/modules.alias"), "alias crypto-crc32c crc32c_generic\n"
						    "alias crypto-crc32c crc32c_intel\n"
						    "alias pci:v00001AF4d* virtio_pci\n");
	tu_write_text(tu_tmp("mods/modules.builtin"), "kernel/drivers/virtio/virtio_pci.ko\n");
	return d;
}

static void test_kmod_resolve(void **state)
{
	const char *d = fake_moddir();
	const char *names[] = { "virtio_pci", "virtio-blk", "ext4" };
	struct kd_kmod_list l;
	struct kd_err err = { 0 };
	char *n;

	assert_int_equal(kd_kmod_resolve(d, names, 3, &l, &err), 0);
	assert_int_equal(l.n_builtin, 1);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.mods[0].name, "virtio_blk");
	assert_false(l.mods[0].optional);
	/* ext4's soft dependency, through the alias, both providers, before ext4's deps. */
	assert_string_equal(l.mods[1].name, "crc32c_generic");
	assert_true(l.mods[1].optional);
	assert_string_equal(l.mods[2].name, "crc32c_intel");
	assert_true(l.mods[2].optional);
	/* modules.dep's list loaded in reverse, then the module. */
	assert_string_equal(l.mods[3].path, "kernel/fs/jbd2/jbd2.ko.xz");
	assert_string_equal(l.mods[4].path, "kernel/fs/mbcache.ko.xz");
	assert_string_equal(l.mods[5].path, "kernel/lib/crc16.ko.xz");
	assert_string_equal(l.mods[6].path, "kernel/fs/ext4/ext4.ko.xz");
	assert_false(l.mods[6].optional);
	kd_kmod_list_free(&l);

	names[0] = "xfs";
	assert_int_equal(kd_kmod_resolve(d, names, 1, &l, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "module xfs: not in "));
	names[0] = "broken";
	assert_int_equal(kd_kmod_resolve(d, names, 1, &l, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "kernel/fs/nowhere.ko, which has no line of its own"));
	assert_int_equal(kd_kmod_resolve(tu_tmp("nomods"), names, 1, &l, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "run `depmod -b ROOT RELEASE`"));

	n = kd_kmod_name("kernel/arch/x86/crypto/crc32c-intel.ko.zst");
	assert_string_equal(n, "crc32c_intel");
	free(n);
}

static void test_initconf(void **state)
{
	struct kd_initconf c, back;
	struct kd_err err = { 0 };
	char *text;

	kd_initconf_defaults(&c);
	snprintf(c.device, sizeof(c.device), "/dev/vda");
	c.target = KD_TARGET_RAW;
	c.level = 17;
	c.save_raw = true;
	c.final_action = KD_FINAL_REBOOT;
	snprintf(c.compress, sizeof(c.compress), "zstd");
	c.n_modules = 2;
	snprintf(c.modules[0], sizeof(c.modules[0]), "crc32c_generic.ko.xz");
	c.optional[0] = true;
	snprintf(c.modules[1], sizeof(c.modules[1]), "virtio_blk.ko");
	text = kd_initconf_format(&c);
	assert_non_null(text);
	assert_int_equal(kd_initconf_parse(text, "init.conf", &back, &err), 0);
	free(text);
	assert_int_equal(back.target, KD_TARGET_RAW);
	assert_string_equal(back.device, "/dev/vda");
	assert_int_equal(back.level, 17);
	assert_true(back.save_raw);
	assert_int_equal(back.final_action, KD_FINAL_REBOOT);
	assert_string_equal(back.compress, "zstd");
	assert_int_equal(back.n_modules, 2);
	assert_true(back.optional[0]);
	assert_false(back.optional[1]);
	assert_string_equal(back.modules[1], "virtio_blk.ko");

	assert_int_equal(kd_initconf_parse("device=/dev/vda\nlevel=32\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: level must be 0-31, not \"32\"");
	assert_int_equal(kd_initconf_parse("# c\n\ndevice=/dev/vda\npth=/x\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:4: unknown key \"pth\"");
	assert_int_equal(kd_initconf_parse("level=3\n", "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f: no device= line: the target is unknown");
	assert_int_equal(kd_initconf_parse("device=/dev/vda\ntarget=cifs\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: target must be local, raw, ssh or nfs, not \"cifs\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpio_roundtrip),
		cmocka_unit_test(test_kmod_resolve),
		cmocka_unit_test(test_initconf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
