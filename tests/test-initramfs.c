// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the capture initramfs builder: cpio writer, module resolution, init settings, the
 * settings taken from kdump.conf and the host's facts, a whole build. */
#include "testutil.h"
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"
#include "conf/conf.h"
#include "kdump/sys/sys.h"

#include <elf.h>
#include <fcntl.h>

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
	struct conf_init c, back;
	struct kd_err err = { 0 };
	char *text;

	conf_init_defaults(&c);
	snprintf(c.device, sizeof(c.device), "/dev/vda");
	c.target = CONF_TARGET_RAW;
	c.level = 17;
	c.save_raw = true;
	c.final_action = CONF_ACTION_REBOOT;
	c.compress = CONF_COMPRESS_ZSTD;
	c.n_modules = 2;
	snprintf(c.modules[0], sizeof(c.modules[0]), "crc32c_generic.ko.xz");
	c.optional[0] = true;
	snprintf(c.modules[1], sizeof(c.modules[1]), "virtio_blk.ko");
	text = conf_init_format(&c);
	assert_non_null(text);
	assert_int_equal(conf_init_parse(text, "init.conf", &back, &err), 0);
	free(text);
	assert_int_equal(back.target, CONF_TARGET_RAW);
	assert_string_equal(back.device, "/dev/vda");
	assert_int_equal(back.level, 17);
	assert_true(back.save_raw);
	assert_int_equal(back.final_action, CONF_ACTION_REBOOT);
	assert_int_equal(back.compress, CONF_COMPRESS_ZSTD);
	assert_int_equal(back.n_modules, 2);
	assert_true(back.optional[0]);
	assert_false(back.optional[1]);
	assert_string_equal(back.modules[1], "virtio_blk.ko");

	assert_int_equal(conf_init_parse("device=/dev/vda\nlevel=32\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: level must be 0-31, not \"32\"");
	assert_int_equal(conf_init_parse("# c\n\ndevice=/dev/vda\npth=/x\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:4: unknown key \"pth\"");
	assert_int_equal(conf_init_parse("level=3\n", "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f: no device= line: the target is unknown");
	assert_int_equal(conf_init_parse("device=/dev/vda\ntarget=cifs\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: target must be local, raw, ssh or nfs, not \"cifs\"");
}

/* root/rel with text, parent directories made. */
static void put(const char *root, const char *rel, const char *text)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	tu_write_text(p, text);
}

/* A root with the host's facts and a module tree (made once). */
static const char *fake_root(void)
{
	static char r[512];

	if (r[0])
		return r;
	snprintf(r, sizeof(r), "%s", tu_tmp("root"));
	mkdir(r, 0755);
	put(r, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=LABEL=root ro\n");
	put(r, "proc/mounts", "/dev/vda1 / xfs rw 0 0\n");
	put(r, "etc/hostname", "web1\n");
	put(r, "lib/modules/9.9.9/modules.dep", "kernel/fs/xfs/xfs.ko:\nkernel/fs/ext4/ext4.ko:\n"
						"kernel/drivers/block/virtio_blk.ko:\n");
	put(r, "lib/modules/9.9.9/kernel/fs/xfs/xfs.ko", "xfs");
	put(r, "lib/modules/9.9.9/kernel/fs/ext4/ext4.ko", "ext4");
	put(r, "lib/modules/9.9.9/kernel/drivers/block/virtio_blk.ko", "vb");
	mkdir(tu_tmp("root/sbin"), 0755);
	return r;
}

/* The smallest file kd_initramfs_check_static takes: a 64-bit ELF header, no program headers
 * (so no interpreter). */
static void write_static_elf(const char *path)
{
	Elf64_Ehdr eh = { 0 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	close(fd);
}

static struct conf *parse_conf(const char *text)
{
	struct conf *c = NULL;
	struct kd_err err = { 0 };

	if (conf_parse(text, strlen(text), "kdump.conf", &c, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return c;
}

static void test_settings_from_conf(void **state)
{
	const char *root = fake_root();
	struct kd_initramfs_spec s;
	struct kd_host *h = NULL;
	struct kd_err err = { 0 };
	struct conf *c;
	char p[1024];

	snprintf(p, sizeof(p), "%s/sbin/pre", root);
	write_static_elf(p);
	assert_int_equal(kd_host_read(root, &h, &err), 0);

	/* A labelled ext4 target with a hook, the root filesystem as the fallback. */
	c = parse_conf("ext4 LABEL=crash\npath /dumps\nkdump_pre /sbin/pre\nextra_modules virtio_blk\n"
		       "core_collector makedumpfile -d 17 -z\nkeep 4\nfinal_action halt\n");
	kd_initramfs_spec_init(&s);
	assert_int_equal(kd_initramfs_from_conf(&s, c, h, NULL, &err), 0);
	assert_int_equal(s.conf.target, CONF_TARGET_FS);
	assert_string_equal(s.conf.device, "LABEL=crash");
	assert_string_equal(s.conf.path, "/dumps");
	assert_int_equal(s.conf.level, 17);
	assert_int_equal(s.conf.compress, CONF_COMPRESS_ZSTD);
	assert_int_equal(s.conf.keep, 4);
	assert_int_equal(s.conf.final_action, CONF_ACTION_HALT);
	assert_int_equal(s.conf.failure_action, CONF_ACTION_DUMP_TO_ROOTFS);
	assert_string_equal(s.conf.rootfs_device, "LABEL=root");
	assert_string_equal(s.conf.rootfs_fstype, "xfs");
	assert_string_equal(s.conf.hostname, "web1");
	assert_string_equal(s.conf.pre, "/kdump/pre");
	assert_int_equal(s.n_files, 1);
	assert_string_equal(s.files_dst[0], "kdump/pre");
	assert_int_equal(s.n_modules, 1);
	assert_string_equal(s.modules[0], "virtio_blk");
	kd_initramfs_spec_deinit(&s);
	conf_destroy(c);

	/* No target: the root device is the target, and dump_to_rootfs means reboot. */
	c = parse_conf("path /var/crash\n");
	kd_initramfs_spec_init(&s);
	assert_int_equal(kd_initramfs_from_conf(&s, c, h, NULL, &err), 0);
	assert_string_equal(s.conf.device, "LABEL=root");
	assert_string_equal(s.conf.fstype, "xfs");
	assert_int_equal(s.conf.failure_action, CONF_ACTION_REBOOT);
	kd_initramfs_spec_deinit(&s);
	conf_destroy(c);

	/* A server by name: the capture kernel has no resolver. A hook that needs libraries. */
	c = parse_conf("ssh kd@backup.example.org\n");
	kd_initramfs_spec_init(&s);
	assert_int_equal(kd_initramfs_from_conf(&s, c, h, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "kdump.conf:1: backup.example.org: give the server's IPv4 "
				     "address (the capture kernel has no resolver)");
	kd_initramfs_spec_deinit(&s);
	conf_destroy(c);
	snprintf(p, sizeof(p), "%s/sbin/post", root);
	tu_write_text(p, "#!/bin/sh\n");
	c = parse_conf("kdump_post /sbin/post\n");
	kd_initramfs_spec_init(&s);
	assert_int_equal(kd_initramfs_from_conf(&s, c, h, NULL, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "hooks and extra_bins must be static executables"));
	kd_initramfs_spec_deinit(&s);
	conf_destroy(c);
	kd_host_destroy(h);
}

static void log_to(void *ctx, enum kd_log_level lvl, const char *msg)
{
	FILE *f = ctx;

	fprintf(f, "%d %s\n", (int)lvl, msg);
}

static void test_build(void **state)
{
	const char *root = fake_root();
	char out[512], bin[512], p[1024], *text = NULL, *logs = NULL;
	size_t text_len = 0, logs_len = 0;
	FILE *o = open_memstream(&text, &text_len), *l = open_memstream(&logs, &logs_len);
	struct kd_report rep = { .out = o, .log = log_to, .ctx = l };
	struct kd_initramfs_args a = { .output = out, .root = root, .config = "/etc/kdump.conf",
				       .release = "9.9.9", .kdump = bin, .no_compress = true,
				       .modules = { "virtio_blk" }, .n_modules = 1,
				       .level_set = true, .level = 3, .report = &rep };
	struct kd_err err = { 0 };
	struct member m[32];
	uint8_t *buf;
	size_t len, n;
	bool found = false;

	snprintf(out, sizeof(out), "%s", tu_tmp("capture.img"));
	snprintf(bin, sizeof(bin), "%s", tu_tmp("init-bin"));
	write_static_elf(bin);
	snprintf(p, sizeof(p), "%s/etc/kdump.conf", root);
	tu_write_text(p, "xfs /dev/vdb\npath /d\nkeep 9999999\n");
	chmod(p, 0600);
	/* An invalid config: nothing is written, the config's first error is the error. */
	assert_int_equal(kd_initramfs_build(&a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "keep"));
	assert_int_equal(access(out, F_OK), -1);

	tu_write_text(p, "xfs /dev/vdb\npath /d\ncore_collector makedumpfile -l --message-level 1\n");
	assert_int_equal(kd_initramfs_build(&a, &err), 0);
	fclose(o);
	fclose(l);
	/* The config's warning went to the log; the summary to the output. */
	assert_non_null(strstr(logs, "1 "));
	assert_non_null(strstr(logs, "/etc/kdump.conf:3:32: core_collector: makedumpfile option "
				     "--message-level is ignored"));
	assert_non_null(strstr(text, "2 module(s) for 9.9.9"));
	buf = tu_read_file(out, &len);
	n = parse_cpio(buf, len, m, KD_ARRAY_SIZE(m));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].name, "etc/kdump/init.conf") != 0)
			continue;
		char *conf = strndup((const char *)m[i].data, m[i].size);
		/* The config's target, the explicit level over its 31, the host's name. */
		assert_non_null(strstr(conf, "\ndevice=/dev/vdb\n"));
		assert_non_null(strstr(conf, "\nfstype=xfs\n"));
		assert_non_null(strstr(conf, "\nlevel=3\n"));
		assert_non_null(strstr(conf, "\nhostname=web1\n"));
		assert_non_null(strstr(conf, "\nmodule=virtio_blk.ko\nmodule=xfs.ko\n"));
		free(conf);
		found = true;
	}
	assert_true(found);
	free(buf);
	free(text);
	free(logs);

	/* A dynamically linked /init is refused before anything is written. */
	unlink(out);
	a.kdump = "/bin/sh";
	a.report = NULL;
	assert_int_equal(kd_initramfs_build(&a, &err), -ENOEXEC);
	assert_int_equal(access(out, F_OK), -1);
}

/* The builder's options take kdump.conf's validators: the same values pass and fail. */
static void test_option_validators(void **state)
{
	struct conf_target t;
	struct kd_err err = { 0 };
	unsigned level;

	assert_int_equal(conf_dump_level_parse("31", &level), 0);
	assert_int_equal(level, 31);
	assert_int_equal(conf_dump_level_parse("32", &level), -EINVAL);
	assert_int_equal(conf_dump_level_parse(" 3", &level), -EINVAL);
	assert_true(conf_nfs_vers_valid("4.0"));
	assert_false(conf_nfs_vers_valid("4.3"));
	assert_int_equal(conf_target_parse("ssh", "kd@192.0.2.1:2222", &t, &err), 0);
	assert_string_equal(t.user, "kd");
	assert_string_equal(t.host, "192.0.2.1");
	assert_int_equal(t.port, 2222);
	conf_target_deinit(&t);
	assert_int_equal(conf_target_parse("ssh", "kd@192.0.2.1:0", &t, &err), -EINVAL);
	assert_string_equal(err.msg, "bad ssh port \"0\"; accepted: 1 to 65535");
	assert_int_equal(conf_target_parse("nfs", "192.0.2.1:/srv//dumps/", &t, &err), 0);
	assert_string_equal(t.export_path, "/srv/dumps");
	conf_target_deinit(&t);
	assert_int_equal(conf_target_parse("ext4", "uuid=ABCD-1234", &t, &err), 0);
	assert_int_equal(t.device_kind, CONF_DEVICE_UUID);
	assert_string_equal(t.device, "ABCD-1234");
	conf_target_deinit(&t);
	assert_int_equal(conf_target_parse("raw", "LABEL=x", &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "a raw device holds no filesystem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpio_roundtrip),
		cmocka_unit_test(test_kmod_resolve),
		cmocka_unit_test(test_initconf),
		cmocka_unit_test(test_settings_from_conf),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_option_validators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
