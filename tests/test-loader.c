// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the loader: SHA-256, discovery, the elfcorehdr against real vmcores, plans, the seam. */
#include "testutil.h"
#include "loader/loader.h"
#include "loader/purgatory/params.h"

#include <elf.h>
#include <fcntl.h>
#include <lzma.h>
#include <zlib.h>
#if KD_HAVE_ZSTD
#include <zstd.h>
#endif
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const fixtures[] = { "x86_64-6.1-1G", "x86_64-6.12-1G" };

/* ---- helpers ----------------------------------------------------------------------------- */

/* A stable copy of a temporary path (tu_tmp rotates 8 buffers). */
static const char *keep(const char *s)
{
	static char bufs[32][4096];
	static int i;

	i = (i + 1) % 32;
	snprintf(bufs[i], sizeof(bufs[i]), "%s", s);
	return bufs[i];
}

/* Runs "sed -i 'EXPR' FILE". */
static void sed_i(const char *expr, const char *file)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "sed -i '%s' '%s'", expr, file);
	assert_int_equal(system(cmd), 0);
}

/* A synthetic bzImage: a setup header as boot.rst describes it, then a payload. */
static const char *make_bzimage(const char *name, uint16_t version, uint16_t xloadflags,
				size_t payload, uint32_t init_size)
{
	size_t setup = (27 + 1) * 512, len = setup + payload;
	uint8_t *b = calloc(1, len);
	const char *path = keep(tu_tmp(name));

	assert_non_null(b);
	b[0x1f1] = 27;
	kd_put_le16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = 0x6a;
	memcpy(b + 0x202, "HdrS", 4);
	kd_put_le16(b + 0x206, version);
	kd_put_le16(b + 0x20e, 0x1000);
	memcpy(b + 0x1200, "6.99.0-test (synthetic)", 23);
	b[0x211] = 0x01;
	kd_put_le32(b + 0x230, 0x200000);
	b[0x234] = 1;
	b[0x235] = 21;
	kd_put_le16(b + 0x236, xloadflags);
	kd_put_le32(b + 0x238, 0x7ff);
	kd_put_le64(b + 0x258, 0x1000000);
	kd_put_le32(b + 0x260, init_size);
	for (size_t i = setup; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	tu_write_file(path, b, len);
	free(b);
	return path;
}

static const char *fixture_sysroot(const char *fx)
{
	static char buf[2][4096];
	static int i;
	struct stat st;
	const char *p = tu_fixture_file(fx, "sysroot");

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s", p);
	if (stat(buf[i], &st) < 0)
		return NULL;
	return buf[i];
}

/* Copies a fixture sysroot to a writable temporary tree. */
static const char *copy_sysroot(const char *fx, const char *name)
{
	char cmd[8192];
	const char *src = fixture_sysroot(fx);
	const char *dst = keep(tu_tmp(name));

	assert_non_null(src);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r --no-preserve=mode '%s' '%s'", dst, src, dst);
	assert_int_equal(system(cmd), 0);
	return dst;
}

/* The recording seam. */
struct rec {
	int loads, file_loads, reboots;
	int load_rc, file_rc;
	uint64_t entry;
	size_t nr;
	unsigned long flags, file_flags;
	struct loader_kexec_segment segs[LOADER_MAX_SEGMENTS];
	char cmdline[4096];
	int kfd, ifd;
};

static int rec_load(void *ctx, uint64_t entry, size_t nr, const struct loader_kexec_segment *segs,
		    unsigned long flags)
{
	struct rec *r = ctx;

	r->loads++;
	r->entry = entry;
	r->nr = nr;
	r->flags = flags;
	if (nr <= LOADER_MAX_SEGMENTS && segs)
		memcpy(r->segs, segs, nr * sizeof(*segs));
	return r->load_rc;
}

static int rec_file_load(void *ctx, int kfd, int ifd, size_t len, const char *cmdline,
			 unsigned long flags)
{
	struct rec *r = ctx;

	r->file_loads++;
	r->kfd = kfd;
	r->ifd = ifd;
	r->file_flags = flags;
	snprintf(r->cmdline, sizeof(r->cmdline), "%s", cmdline ? cmdline : "(null)");
	if (cmdline)
		assert_int_equal(strlen(cmdline) + 1, len);
	return r->file_rc;
}

static int rec_reboot(void *ctx)
{
	((struct rec *)ctx)->reboots++;
	return -EPERM;
}

static struct loader_sys rec_sys(struct rec *r)
{
	return (struct loader_sys){ rec_load, rec_file_load, rec_reboot, r };
}

/* What `kdump load` does: discover, plan, load. Returns the first error. */
static int arm(const char *root, const struct loader_opts *o, struct rec *r, struct kd_err *err)
{
	struct loader_sysinfo *si = NULL;
	struct loader_plan *plan = NULL;
	struct loader_sys sys = rec_sys(r);
	enum loader_path path;
	int rc;

	rc = loader_sysinfo_read(root, &si, err);
	if (rc == 0)
		rc = loader_plan_create(si, o, &plan, err);
	if (rc == 0)
		rc = loader_plan_load(plan, &sys, &path, err);
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
	return rc;
}

/* ---- SHA-256 ----------------------------------------------------------------------------- */

static void test_sha256_vectors(void **state)
{
	/* FIPS 180-4 / NIST CAVP examples. */
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[65];
	struct kd_sha256 c;
	uint8_t d[32], *mil;

	for (size_t i = 0; i < KD_ARRAY_SIZE(v); i++) {
		tu_sha256_hex(v[i].in, strlen(v[i].in), hex);
		assert_string_equal(hex, v[i].hex);
	}
	/* one million 'a', fed in odd pieces */
	mil = malloc(1000000);
	assert_non_null(mil);
	memset(mil, 'a', 1000000);
	kd_sha256_init(&c);
	for (size_t off = 0; off < 1000000;) {
		size_t n = KD_MIN((size_t)(off % 97 + 1), 1000000 - off);
		kd_sha256_update(&c, mil + off, n);
		off += n;
	}
	kd_sha256_final(&c, d);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(mil);
}

static void test_sha256_vs_sha256sum(void **state)
{
	size_t lens[] = { 1, 55, 56, 63, 64, 65, 4096 + 17, 300001 };
	char cmd[4200], hex[65], theirs[65] = "";

	for (size_t k = 0; k < KD_ARRAY_SIZE(lens); k++) {
		uint8_t *b = malloc(lens[k]);
		const char *path = tu_tmp("sha.bin");
		FILE *p;

		for (size_t i = 0; i < lens[k]; i++)
			b[i] = (uint8_t)(i * 2654435761u >> 13);
		tu_write_file(path, b, lens[k]);
		tu_sha256_hex(b, lens[k], hex);
		snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%64s", theirs), 1);
		assert_int_equal(pclose(p), 0);
		assert_string_equal(hex, theirs);
		free(b);
	}
}

/* The SHA-256 tests above run on each block function of the host build (base/sha256.c). */
static int sha_portable(void **state)
{
	return kd_sha256_select(KD_SHA256_PORTABLE);
}

static int sha_shani(void **state)
{
	if (kd_sha256_select(KD_SHA256_SHANI) == 0)
		return 0;
	print_message("# no SHA-NI on this CPU (see test-manifest's test_sha256_select): "
		      "portable path again\n");
	return kd_sha256_select(KD_SHA256_PORTABLE);
}

static int sha_auto(void **state)
{
	return kd_sha256_select(KD_SHA256_AUTO);
}

/* ---- discovery --------------------------------------------------------------------------- */

static void test_iomem_parse(void **state)
{
	static const char text[] = "00000000-00000fff : Reserved\n"
				   "00001000-0009fbff : System RAM\n"
				   "000a0000-000bffff : PCI Bus 0000:00\n"
				   "00100000-bfffffff : System RAM\n"
				   "  01000000-01ffffff : Kernel code\n"
				   "  0f000000-1effffff : Crash kernel\n"
				   "c0000000-c0000fff : ACPI Tables\n"
				   "100000000-23fffffff : System RAM\n"
				   "  200000000-23fffffff : Crash kernel\n"
				   "240000000-27fffffff : dax0.0\n"
				   "  240000000-27fffffff : System RAM (kmem)\n";
	struct loader_sysinfo si = { .root = (char *)"/" };
	struct kd_err err = { 0 };

	assert_int_equal(loader_parse_iomem(&si, text, "iomem", &err), 0);
	assert_int_equal(si.n_ram, 4);
	assert_int_equal(si.ram[3].start, 0x240000000ULL);
	assert_int_equal(si.n_crash, 2);
	assert_true(si.have_crash_high && si.have_crash_low);
	assert_int_equal(si.crash_high.start, 0x200000000ULL);
	assert_int_equal(si.crash_low.start, 0x0f000000);
	assert_int_equal(si.kernel_code_start, 0x01000000);
	/* top level: Reserved, RAM, RAM, ACPI, RAM (dax is not memory, kmem is nested) */
	assert_int_equal(si.n_iomem_mem, 5);
	assert_int_equal(si.iomem_mem[3].type, LOADER_MEM_ACPI);
	assert_false(si.iomem_zeroed);
	free(si.ram);
	free(si.iomem_mem);

	memset(&si, 0, sizeof(si));
	assert_int_equal(loader_parse_iomem(&si, "00000000-00000000 : System RAM\n", "x", &err), 0);
	assert_true(si.iomem_zeroed);
	free(si.ram);
	free(si.iomem_mem);

	memset(&si, 0, sizeof(si));
	assert_int_equal(loader_parse_iomem(&si, "0000-zzzz : System RAM\n", "/proc/iomem", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "/proc/iomem:1"));
	free(si.ram);
	free(si.iomem_mem);
}

static int count_cpu(unsigned cpu, void *ctx)
{
	unsigned *v = ctx;

	v[v[0] + 1] = cpu;
	v[0]++;
	return 0;
}

static void test_cpulist(void **state)
{
	unsigned v[32] = { 0 };

	assert_int_equal(loader_parse_cpulist("0-2,5,7-8\n", 16, count_cpu, v), 6);
	assert_int_equal(v[0], 6);
	assert_int_equal(v[4], 5);
	assert_int_equal(v[6], 8);
	assert_int_equal(loader_parse_cpulist("0-3", 2, count_cpu, v), -E2BIG);
	assert_int_equal(loader_parse_cpulist("3-1", 16, count_cpu, v), -EINVAL);
	assert_int_equal(loader_parse_cpulist("a", 16, count_cpu, v), -EINVAL);
}

static void test_sysinfo_fixture(void **state)
{
	for (size_t f = 0; f < KD_ARRAY_SIZE(fixtures); f++) {
		const char *root = fixture_sysroot(fixtures[f]);
		struct loader_sysinfo *si;
		struct kd_err err = { 0 };

		if (!root) {
			tu_skip_or_fail("fixture sysroot missing (set SHARED)");
			return;
		}
		assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
		assert_int_equal(si->n_crash, 1);
		assert_int_equal(si->crash_high.end - si->crash_high.start + 1, 256 << 20);
		assert_int_equal(si->crash_size, 256 << 20);
		assert_int_equal(si->n_cpus, 2);
		assert_int_equal(si->cpus[0].size, 368);
		assert_int_equal(si->vmcoreinfo_size, 0x1024);
		assert_int_equal(si->n_memmap, 7);
		assert_true(si->have_text && si->have_page_offset);
		assert_int_equal(si->text_paddr, si->kernel_code_start);
		assert_int_equal(si->acpi_rsdp, 0xf59b0);
		assert_int_equal(si->crash_loaded, 1);
		assert_string_equal(si->cmdline, "console=ttyS0 crashkernel=256M panic=1");
		assert_non_null(si->release);
		assert_int_equal(strncmp(si->release, f == 0 ? "6.1.0-56" : "6.12.117", 8), 0);
		loader_sysinfo_destroy(si);
	}
}

/* ---- the elfcorehdr against the fixture vmcores ------------------------------------------ */

static void read_phdrs(const char *path, Elf64_Ehdr *eh, Elf64_Phdr **ret)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(kd_pread_all(fd, eh, sizeof(*eh), 0), sizeof(*eh));
	*ret = calloc(eh->e_phnum, sizeof(Elf64_Phdr));
	assert_non_null(*ret);
	assert_int_equal(kd_pread_all(fd, *ret, eh->e_phnum * sizeof(Elf64_Phdr), eh->e_phoff),
			 eh->e_phnum * sizeof(Elf64_Phdr));
	close(fd);
}

static void test_elfcorehdr_fixture(void **state)
{
	for (size_t f = 0; f < KD_ARRAY_SIZE(fixtures); f++) {
		const char *root = fixture_sysroot(fixtures[f]), *vmcore = tu_fixture_vmcore(fixtures[f]);
		struct loader_sysinfo *si;
		struct kd_err err = { 0 };
		uint8_t *hdr;
		size_t len, notes = 0, ours_above = 0, theirs_above = 0;
		const Elf64_Ehdr *eh;
		const Elf64_Phdr *ph;
		Elf64_Ehdr veh;
		Elf64_Phdr *vph;

		if (!root || !vmcore) {
			tu_skip_or_fail("fixture vmcore or sysroot missing (set KD_FIXTURES, SHARED)");
			return;
		}
		assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
		assert_int_equal(loader_elfcorehdr_build(si, &hdr, &len, &err), 0);
		eh = (const Elf64_Ehdr *)hdr;
		ph = (const Elf64_Phdr *)(hdr + eh->e_phoff);
		/* what the capture kernel's "sane" check wants (fs/proc/vmcore.c) */
		assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
		assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
		assert_int_equal(eh->e_type, ET_CORE);
		assert_int_equal(eh->e_machine, EM_X86_64);
		assert_int_equal(eh->e_version, EV_CURRENT);
		assert_int_equal(eh->e_ehsize, 64);
		assert_int_equal(eh->e_phentsize, 56);
		assert_int_equal(len, 64 + 56 * eh->e_phnum);

		/* one note per possible CPU, at the crash_notes addresses, then VMCOREINFO */
		for (size_t i = 0; i < si->n_cpus; i++) {
			assert_int_equal(ph[i].p_type, PT_NOTE);
			assert_int_equal(ph[i].p_paddr, si->cpus[i].addr);
			assert_int_equal(ph[i].p_offset, si->cpus[i].addr);
			assert_int_equal(ph[i].p_memsz, 368);
			notes++;
		}
		assert_int_equal(notes, 2);
		assert_int_equal(ph[2].p_type, PT_NOTE);
		assert_int_equal(ph[2].p_paddr, f == 0 ? 0x11f0000 : 0x139a000);
		assert_int_equal(ph[2].p_memsz, 0x1024);
		/* kexec-tools' values from kexec-p-d.txt (and SPEC-arm 5.3) */
		assert_int_equal(ph[0].p_paddr, f == 0 ? 0x3ec3a400 : 0x3d83d800);
		assert_int_equal(ph[1].p_paddr, f == 0 ? 0x3ed3a400 : 0x3d93d800);

		/* the kernel text and every RAM range above 1 MiB: same as the vmcore's header */
		read_phdrs(vmcore, &veh, &vph);
		assert_int_equal(ph[3].p_type, PT_LOAD);
		assert_int_equal(vph[1].p_type, PT_LOAD);
		assert_int_equal(ph[3].p_vaddr, vph[1].p_vaddr);
		assert_int_equal(ph[3].p_paddr, vph[1].p_paddr);
		assert_int_equal(ph[3].p_memsz, vph[1].p_memsz);
		for (size_t i = 4; i < eh->e_phnum; i++) {
			bool found = false;
			assert_int_equal(ph[i].p_type, PT_LOAD);
			assert_true(ph[i].p_paddr >= 0x100000);
			assert_int_equal(ph[i].p_offset, ph[i].p_paddr);
			assert_int_equal(ph[i].p_filesz, ph[i].p_memsz);
			ours_above++;
			for (size_t j = 2; j < veh.e_phnum; j++)
				if (vph[j].p_paddr == ph[i].p_paddr && vph[j].p_memsz == ph[i].p_memsz &&
				    vph[j].p_vaddr == ph[i].p_vaddr)
					found = true;
			assert_true(found);
		}
		for (size_t j = 2; j < veh.e_phnum; j++)
			if (vph[j].p_type == PT_LOAD && vph[j].p_paddr >= 0x100000)
				theirs_above++;
		assert_int_equal(ours_above, theirs_above);
		assert_int_equal(ours_above, 2);
		/* nothing of the reservation is described */
		for (size_t i = 3; i < eh->e_phnum; i++)
			assert_true(ph[i].p_paddr + ph[i].p_memsz <= si->crash_high.start ||
				    ph[i].p_paddr > si->crash_high.end);
		free(vph);
		free(hdr);
		loader_sysinfo_destroy(si);
	}
}

/* ---- plans ------------------------------------------------------------------------------- */

static void check_plan_invariants(const struct loader_plan *plan, const struct loader_sysinfo *si)
{
	struct kd_err err = { 0 };
	const struct loader_segment *h = loader_plan_elfcorehdr(plan);
	const struct loader_segment *bp = NULL, *kern = NULL, *initrd = NULL, *purg = NULL;
	struct kd_purgatory_params pp;
	char want[64];
	uint64_t used = 0;

	assert_int_equal(loader_plan_check(plan, &err), 0);
	assert_true(plan->n_seg <= 16);
	for (size_t i = 0; i < plan->n_seg; i++) {
		const struct loader_segment *s = &plan->seg[i];
		assert_int_equal(s->mem % 4096, 0);
		assert_int_equal(s->memsz % 4096, 0);
		assert_true(s->bufsz <= s->memsz);
		assert_true(s->mem >= si->crash_high.start);
		assert_true(s->mem + s->memsz - 1 <= si->crash_high.end);
		if (i)
			assert_true(plan->seg[i - 1].mem + plan->seg[i - 1].memsz <= s->mem);
		used += s->memsz;
		if (s->kind == LOADER_SEG_BOOT_PARAMS)
			bp = s;
		if (s->kind == LOADER_SEG_KERNEL)
			kern = s;
		if (s->kind == LOADER_SEG_INITRD)
			initrd = s;
		if (s->kind == LOADER_SEG_PURGATORY)
			purg = s;
	}
	assert_non_null(h);
	assert_non_null(bp);
	assert_non_null(kern);
	assert_non_null(purg);
	/* free pages left for the kernel's control pages, all below the segments */
	assert_true(si->crash_high.end - si->crash_high.start + 1 - used >= plan->control_bytes);
	assert_true(plan->control_bytes >= 1 << 20);
	assert_int_equal(plan->seg[0].mem - si->crash_high.start, plan->free_low_end + 1 - plan->free_low_start);
	/* entry = purgatory start; the kernel aligned, entered at startup_64 (unpacked) or at
	 * load + 0x200 (the bzImage's 64-bit entry) */
	assert_int_equal(plan->entry, purg->mem);
	assert_int_equal(kern->mem % plan->bz.kernel_alignment, 0);
	if (plan->kimg.unpacked) {
		assert_int_equal(kern->mem % (2 << 20), 0);
		assert_int_equal(plan->kernel_entry, kern->mem + plan->kimg.entry_offset);
		assert_int_equal(kern->memsz, plan->kimg.memsz);
		assert_int_equal(kern->bufsz, plan->kimg.bufsz);
		assert_true(kern->memsz <= KD_ALIGN_UP((uint64_t)plan->bz.init_size, 4096));
	} else {
		assert_int_equal(plan->kernel_entry, kern->mem + 0x200);
		assert_int_equal(kern->memsz, KD_ALIGN_UP((uint64_t)plan->bz.init_size, 4096));
		assert_int_equal(kern->bufsz, plan->kernel_file_size - plan->bz.setup_size);
	}
	assert_int_equal(plan->flags, 0x3e0001);
	/* command line names the header; the header is not usable RAM for the capture kernel */
	snprintf(want, sizeof(want), "elfcorehdr=0x%" PRIx64, h->mem);
	assert_non_null(strstr(plan->cmdline, want));
	for (size_t i = 0; i < plan->n_e820; i++)
		if (plan->e820[i].type == LOADER_MEM_RAM)
			assert_true(plan->e820[i].end < h->mem || plan->e820[i].start >= h->mem + h->memsz);
	/* boot_params */
	assert_int_equal(bp->buf[0x210], 0xd0);
	assert_memory_equal(bp->buf + 0x202, "HdrS", 4);
	assert_int_equal(kd_le32(bp->buf + 0x228), (uint32_t)(bp->mem + 4096));
	assert_string_equal((const char *)bp->buf + 4096, plan->cmdline);
	assert_int_equal(bp->buf[0x1e8], plan->n_e820);
	assert_int_equal(kd_le64(bp->buf + 0x70), si->acpi_rsdp);
	if (initrd) {
		assert_int_equal(kd_le32(bp->buf + 0x218), (uint32_t)initrd->mem);
		assert_int_equal(kd_le32(bp->buf + 0x21c), (uint32_t)plan->initrd_size);
	}
	/* the purgatory's parameter block: one region per other segment with its digest */
	memcpy(&pp, purg->buf + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
	assert_int_equal(pp.magic, KD_PURGATORY_MAGIC);
	assert_int_equal(pp.kernel_entry, plan->kernel_entry);
	assert_int_equal(pp.boot_params, bp->mem);
	assert_int_equal(pp.nr_regions, plan->n_seg - 1);
	for (size_t i = 0, r = 0; i < plan->n_seg; i++) {
		const struct loader_segment *s = &plan->seg[i];
		struct kd_sha256 c;
		uint8_t d[32];
		uint8_t *full;

		if (s == purg)
			continue;
		/* the bytes passed (the kernel zero-fills the rest), hashed independently */
		assert_int_equal(pp.regions[r].start, s->mem);
		assert_int_equal(pp.regions[r].len, s->bufsz);
		full = malloc(s->bufsz);
		memcpy(full, s->buf, s->bufsz);
		kd_sha256_init(&c);
		kd_sha256_update(&c, full, s->bufsz);
		kd_sha256_final(&c, d);
		assert_memory_equal(d, pp.regions[r].sha256, 32);
		free(full);
		r++;
	}
}

static void test_plan_fixture(void **state)
{
	const char *kernel = make_bzimage("bz-ok", 0x020f, 0x7f, 8 << 20, 0x3f98000);
	const char *initrd = tu_tmp("initrd");
	uint8_t *ird = malloc(5 << 20);

	for (size_t i = 0; i < (5u << 20); i++)
		ird[i] = (uint8_t)(i >> 9);
	tu_write_file(initrd, ird, (5 << 20) - 1234);
	free(ird);
	for (size_t f = 0; f < KD_ARRAY_SIZE(fixtures); f++) {
		const char *root = fixture_sysroot(fixtures[f]);
		struct loader_sysinfo *si;
		struct loader_plan *plan;
		struct kd_err err = { 0 };
		struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = kernel,
					 .initrd_path = initrd, .reuse_cmdline = true,
					 .append = "irqpoll nr_cpus=1", .serial_port = 0x3f8 };
		struct rec r = { 0 };
		struct loader_sys sys = rec_sys(&r);
		enum loader_path path;

		if (!root) {
			tu_skip_or_fail("fixture sysroot missing");
			return;
		}
		assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
		assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
		assert_int_equal(plan->n_seg, 5);
		check_plan_invariants(plan, si);
		/* reused command line lost crashkernel=, gained the capture options */
		assert_null(strstr(plan->cmdline, "crashkernel="));
		assert_int_equal(strncmp(plan->cmdline, "console=ttyS0 panic=1 irqpoll nr_cpus=1 elfcorehdr=0x", 53), 0);
		assert_string_equal(plan->user_cmdline, "console=ttyS0 panic=1 irqpoll nr_cpus=1");

		/* the seam sees exactly the plan, once */
		assert_int_equal(loader_plan_load(plan, &sys, &path, &err), 0);
		assert_int_equal(path, LOADER_PATH_KEXEC_LOAD);
		assert_int_equal(r.loads, 1);
		assert_int_equal(r.file_loads, 0);
		assert_int_equal(r.flags, 0x3e0001);
		assert_int_equal(r.entry, plan->entry);
		assert_int_equal(r.nr, plan->n_seg);
		for (size_t i = 0; i < r.nr; i++) {
			assert_ptr_equal(r.segs[i].buf, plan->seg[i].buf);
			assert_int_equal(r.segs[i].mem, plan->seg[i].mem);
			assert_int_equal(r.segs[i].memsz, plan->seg[i].memsz);
			assert_int_equal(r.segs[i].bufsz, plan->seg[i].bufsz);
		}

		/* EPERM (lockdown): kexec_file_load with the user's command line, said so */
		r = (struct rec){ .load_rc = -EPERM };
		assert_int_equal(loader_plan_load(plan, &sys, &path, &err), 0);
		assert_int_equal(path, LOADER_PATH_KEXEC_FILE_LOAD);
		assert_int_equal(r.loads, 1);
		assert_int_equal(r.file_loads, 1);
		assert_int_equal(r.file_flags, LOADER_KEXEC_FILE_ON_CRASH);
		assert_string_equal(r.cmdline, plan->user_cmdline);
		assert_true(r.kfd >= 0 && r.ifd >= 0);

		/* both refused: one clear error, with both reasons */
		r = (struct rec){ .load_rc = -EPERM, .file_rc = -EKEYREJECTED };
		assert_int_equal(loader_plan_load(plan, &sys, &path, &err), -EKEYREJECTED);
		assert_non_null(strstr(err.msg, "kexec_load refused"));
		assert_non_null(strstr(err.msg, "kexec_file_load"));

		/* other errors do not fall back */
		r = (struct rec){ .load_rc = -EBUSY };
		assert_int_equal(loader_plan_load(plan, &sys, &path, &err), -EBUSY);
		assert_int_equal(r.file_loads, 0);

		loader_plan_destroy(plan);
		loader_sysinfo_destroy(si);
	}
}

static void test_plan_check_catches(void **state)
{
	const char *kernel = make_bzimage("bz-chk", 0x020f, 0x7f, 1 << 20, 0x1000000);
	const char *root = fixture_sysroot(fixtures[0]);
	struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = kernel, .append = "x" };
	struct loader_sysinfo *si;
	struct loader_plan *plan;
	struct kd_err err = { 0 };
	struct loader_segment save;
	struct rec r = { 0 };
	struct loader_sys sys = rec_sys(&r);
	enum loader_path path;

	if (!root) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
	assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
	assert_int_equal(loader_plan_check(plan, &err), 0);
	save = plan->seg[1];

	plan->seg[1].mem += 16;
	assert_int_equal(loader_plan_check(plan, &err), -EADDRNOTAVAIL);
	assert_non_null(strstr(err.msg, "page aligned"));
	plan->seg[1] = save;

	plan->seg[1].mem = plan->seg[0].mem;
	assert_int_equal(loader_plan_check(plan, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "overlap"));
	plan->seg[1] = save;

	plan->seg[1].mem = si->crash_high.end + 1;
	assert_int_equal(loader_plan_check(plan, &err), -EADDRNOTAVAIL);
	assert_non_null(strstr(err.msg, "outside the crash reservation"));
	plan->seg[1] = save;

	plan->seg[1].bufsz = plan->seg[1].memsz + 1;
	assert_int_equal(loader_plan_check(plan, &err), -EINVAL);
	plan->seg[1] = save;

	plan->control_bytes = 255ULL << 20;
	assert_int_equal(loader_plan_check(plan, &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "control"));
	plan->control_bytes = 1 << 20;

	plan->entry = si->crash_high.start;
	assert_int_equal(loader_plan_check(plan, &err), -EADDRNOTAVAIL);
	/* a broken plan never reaches the kernel */
	assert_int_equal(loader_plan_load(plan, &sys, &path, &err), -EADDRNOTAVAIL);
	assert_int_equal(r.loads + r.file_loads, 0);

	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
}

static void test_plain_kexec_plan(void **state)
{
	const char *kernel = make_bzimage("bz-kx", 0x020f, 0x7f, 2 << 20, 0x2000000);
	const char *root = fixture_sysroot(fixtures[0]);
	struct loader_opts o = { .mode = LOADER_MODE_KEXEC, .kernel_path = kernel,
				 .reuse_cmdline = true };
	struct loader_sysinfo *si;
	struct loader_plan *plan;
	struct kd_err err = { 0 };
	struct rec r = { 0 };
	struct loader_sys sys = rec_sys(&r);
	enum loader_path path;

	if (!root) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
	assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
	assert_null(loader_plan_elfcorehdr(plan));
	assert_int_equal(plan->n_seg, 3);
	assert_int_equal(plan->flags, 0x3e0000);
	/* reused command line keeps crashkernel= for the next kernel */
	assert_string_equal(plan->cmdline, "console=ttyS0 crashkernel=256M panic=1");
	/* firmware map as e820; segments in RAM, clear of the crash reservation */
	assert_int_equal(plan->n_e820, 7);
	for (size_t i = 0; i < plan->n_seg; i++) {
		assert_true(plan->seg[i].mem >= 16 << 20);
		assert_true(plan->seg[i].mem + plan->seg[i].memsz <= si->crash_high.start ||
			    plan->seg[i].mem > si->crash_high.end);
	}
	assert_int_equal(loader_plan_load(plan, &sys, &path, &err), 0);
	assert_int_equal(r.flags, 0x3e0000);
	/* unload: crash and plain flags; EPERM falls back to kexec_file_load's unload */
	r = (struct rec){ 0 };
	assert_int_equal(loader_unload(&sys, true, &err), 0);
	assert_int_equal(r.flags, 0x3e0001);
	assert_int_equal(r.nr, 0);
	r = (struct rec){ .load_rc = -EPERM };
	assert_int_equal(loader_unload(&sys, false, &err), 0);
	assert_int_equal(r.file_flags, LOADER_KEXEC_FILE_UNLOAD);
	assert_int_equal(r.kfd, -1);
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
}

/* Crash hotplug (6.12): the header segment is sized for the kernel's rewrite, flagged, and
 * left out of the purgatory's digests. */
static void test_hotplug_plan(void **state)
{
	const char *kernel = make_bzimage("bz-hp", 0x020f, 0x7f, 1 << 20, 0x1000000);
	const char *root;
	char path[4096];
	struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = kernel, .append = "x" };
	struct loader_sysinfo *si;
	struct loader_plan *plan;
	struct kd_err err = { 0 };
	struct kd_purgatory_params pp;
	const struct loader_segment *h;

	if (!fixture_sysroot(fixtures[1])) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	root = copy_sysroot(fixtures[1], "root-hotplug");
	snprintf(path, sizeof(path), "%s/sys/kernel/crash_elfcorehdr_size", root);
	tu_write_file(path, "917616\n", 7);
	assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
	assert_int_equal(si->crash_hdr_size, 917616);
	assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
	assert_true(plan->hotplug);
	assert_int_equal(plan->flags, 0x3e0005);
	h = loader_plan_elfcorehdr(plan);
	assert_non_null(h);
	assert_int_equal(h->memsz, 0xe1000); /* ALIGN(917616, 4 KiB), as kexec-tools --hotplug */
	assert_false(h->hashed);
	for (size_t i = 0; i < plan->n_seg; i++)
		if (plan->seg[i].kind == LOADER_SEG_PURGATORY) {
			memcpy(&pp, plan->seg[i].buf + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
			assert_int_equal(pp.nr_regions, plan->n_seg - 2);
			for (uint32_t r = 0; r < pp.nr_regions; r++)
				assert_true(pp.regions[r].start != h->mem);
		}
	for (size_t i = 0; i < plan->n_e820; i++)
		if (plan->e820[i].type == LOADER_MEM_RAM)
			assert_true(plan->e820[i].end < h->mem || plan->e820[i].start >= h->mem + h->memsz);
	assert_int_equal(loader_plan_check(plan, &err), 0);
	/* a segment starting with ELF magic would be taken for the header by the kernel */
	for (size_t i = 0; i < plan->n_seg; i++)
		if (plan->seg[i].kind == LOADER_SEG_BOOT_PARAMS) {
			uint8_t save[4];
			memcpy(save, plan->seg[i].buf, 4);
			memcpy(plan->seg[i].buf, "\177ELF", 4);
			assert_int_equal(loader_plan_check(plan, &err), -EINVAL);
			assert_non_null(strstr(err.msg, "ELF magic"));
			memcpy(plan->seg[i].buf, save, 4);
		}
	loader_plan_destroy(plan);

	o.no_hotplug = true;
	assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
	assert_false(plan->hotplug);
	assert_int_equal(plan->flags, 0x3e0001);
	assert_true(loader_plan_elfcorehdr(plan)->hashed);
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
}

/* ---- unpacking a bzImage's payload ----------------------------------------------------- */

/* A small vmlinux: ELF64 EXEC x86_64, two PT_LOADs with a gap and a zero tail, entry inside. */
#define VML_BASE 0x1000000ull
#define VML_ENTRY (VML_BASE + 0x40)
static size_t make_vmlinux(uint8_t *b, size_t cap, uint8_t *image, size_t *ret_image)
{
	struct { uint64_t paddr, filesz, memsz; } ld[2] = {
		{ VML_BASE, 0x3000, 0x5000 },		/* text+data, then bss */
		{ VML_BASE + 0x7000, 0x1800, 0x6000 },	/* after a 0x2000 gap; long zero tail */
	};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	size_t off = 0x1000;

	assert_true(cap >= 0x10000);
	memset(b, 0, cap);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = VML_ENTRY;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	memset(image, 0, 0xd000);
	for (int i = 0; i < 2; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof(*eh)) + i;
		ph->p_type = PT_LOAD;
		ph->p_offset = off;
		ph->p_vaddr = 0xffffffff80000000ull + ld[i].paddr;
		ph->p_paddr = ld[i].paddr;
		ph->p_filesz = ld[i].filesz;
		ph->p_memsz = ld[i].memsz;
		for (size_t k = 0; k < ld[i].filesz; k++)
			b[off + k] = image[ld[i].paddr - VML_BASE + k] = (uint8_t)(k * 13 + i + 1) | 1;
		off += ld[i].filesz;
	}
	((Elf64_Phdr *)(b + sizeof(*eh)))[2].p_type = PT_NOTE; /* ignored */
	*ret_image = 0xd000; /* 0x7000 + 0x6000 */
	return off;
}

/* Compresses in[0..n) as the kernel's build does (format + le32 size trailer). */
static size_t compress_payload(const char *fmt, const uint8_t *in, size_t n, uint8_t *out,
			       size_t cap)
{
	size_t len = 0;

	if (!strcmp(fmt, "gzip")) {
		z_stream z = { 0 };
		assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (Bytef *)in;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		len = z.total_out;
		deflateEnd(&z);
	} else if (!strcmp(fmt, "xz")) {
		assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &len,
							 cap), LZMA_OK);
#if KD_HAVE_ZSTD
	} else if (!strcmp(fmt, "zstd")) {
		len = ZSTD_compress(out, cap, in, n, 19);
		assert_false(ZSTD_isError(len));
#endif
	} else {
		fail_msg("unknown format %s", fmt);
	}
	assert_true(len + 4 <= cap);
	kd_put_le32(out + len, (uint32_t)n);
	return len + 4;
}

/* A bzImage whose payload (at payload_offset 0x123) is the given bytes. */
static const char *make_bzimage_payload(const char *name, const uint8_t *payload, size_t n,
					uint32_t init_size)
{
	const char *path = make_bzimage(name, 0x020f, 0x7f, 0x123 + n, init_size);
	size_t setup = (27 + 1) * 512, len = setup + 0x123 + n;
	uint8_t *b = malloc(len);
	int fd = open(path, O_RDONLY);

	assert_non_null(b);
	assert_true(fd >= 0);
	assert_int_equal(kd_read_all(fd, b, len), (ssize_t)len);
	close(fd);
	kd_put_le32(b + 0x248, 0x123);
	kd_put_le32(b + 0x24c, (uint32_t)n);
	memcpy(b + setup + 0x123, payload, n);
	tu_write_file(path, b, len);
	free(b);
	return path;
}

static int unpack_file(const char *path, struct loader_kernel_image *ki, struct kd_err *err)
{
	static uint8_t file[1 << 20];
	struct loader_bzimage bz;
	int fd = open(path, O_RDONLY);
	ssize_t n;
	int rc;

	assert_true(fd >= 0);
	n = kd_read_all(fd, file, sizeof(file));
	close(fd);
	assert_true(n > 0);
	rc = loader_bzimage_parse(file, (size_t)n, path, &bz, err);
	if (rc < 0)
		return rc;
	return loader_bzimage_unpack(&bz, path, ki, err);
}

static void test_unpack_formats(void **state)
{
	static uint8_t vml[0x10000], image[0xd000], payload[0x20000];
	static const char *const fmts[] = { "gzip", "xz",
#if KD_HAVE_ZSTD
		"zstd",
#endif
	};
	size_t img_len, vlen = make_vmlinux(vml, sizeof(vml), image, &img_len);

	for (size_t f = 0; f < KD_ARRAY_SIZE(fmts); f++) {
		size_t n = compress_payload(fmts[f], vml, vlen, payload, sizeof(payload));
		const char *path = make_bzimage_payload(fmts[f], payload, n, 0x1000000);
		struct loader_kernel_image ki;
		struct kd_err err = { 0 };

		assert_int_equal(unpack_file(path, &ki, &err), 0);
		print_message("  %s: %zu-byte payload -> image 0x%" PRIx64 ", bufsz 0x%zx\n",
			      fmts[f], n, ki.memsz, ki.bufsz);
		assert_true(ki.unpacked);
		assert_string_equal(ki.format, fmts[f]);
		assert_int_equal(ki.n_loads, 2);
		assert_int_equal(ki.vmlinux_size, vlen);
		assert_int_equal(ki.memsz, img_len);
		/* the zero tail of the last load is left to the kernel: up to its last data page */
		assert_int_equal(ki.bufsz, 0x9000);
		assert_memory_equal(ki.buf, image, ki.bufsz);
		assert_int_equal(ki.entry_offset, VML_ENTRY - VML_BASE);
		loader_kernel_image_release(&ki);
	}
}

static void test_unpack_plan(void **state)
{
	static uint8_t vml[0x10000], image[0xd000], payload[0x20000];
	size_t img_len, vlen = make_vmlinux(vml, sizeof(vml), image, &img_len);
	size_t n = compress_payload("xz", vml, vlen, payload, sizeof(payload));
	const char *path = make_bzimage_payload("plan-xz", payload, n, 0x1000000);
	const char *root = fixture_sysroot(fixtures[0]);

	if (!root) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	for (int no_unpack = 0; no_unpack <= 1; no_unpack++) {
		struct loader_sysinfo *si;
		struct loader_plan *plan;
		struct kd_err err = { 0 };
		struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = path,
					 .append = "x", .no_unpack = no_unpack };
		const struct loader_segment *k = NULL;
		struct kd_purgatory_params pp;
		const struct loader_segment *pg = NULL;

		assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
		assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
		check_plan_invariants(plan, si);
		for (size_t i = 0; i < plan->n_seg; i++) {
			if (plan->seg[i].kind == LOADER_SEG_KERNEL)
				k = &plan->seg[i];
			if (plan->seg[i].kind == LOADER_SEG_PURGATORY)
				pg = &plan->seg[i];
		}
		assert_non_null(k);
		assert_non_null(pg);
		assert_int_equal(k->mem % (2 << 20), 0);
		if (!no_unpack) {
			assert_true(plan->kimg.unpacked);
			assert_int_equal(k->bufsz, 0x9000);
			assert_int_equal(k->memsz, img_len);
			assert_memory_equal(k->buf, image, k->bufsz);
			assert_int_equal(plan->kernel_entry, k->mem + (VML_ENTRY - VML_BASE));
		} else {
			assert_false(plan->kimg.unpacked);
			assert_string_equal(plan->unpack_note, "--no-unpack");
			assert_int_equal(k->memsz, 0x1000000);
			assert_int_equal(plan->kernel_entry, k->mem + 0x200);
		}
		/* the purgatory checks the kernel's bufsz bytes, with their digest */
		memcpy(&pp, pg->buf + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
		assert_int_equal(pp.kernel_entry, plan->kernel_entry);
		for (uint32_t i = 0; i < pp.nr_regions; i++)
			if (pp.regions[i].start == k->mem) {
				uint8_t d[32];
				struct kd_sha256 c;
				kd_sha256_init(&c);
				kd_sha256_update(&c, k->buf, k->bufsz);
				kd_sha256_final(&c, d);
				assert_int_equal(pp.regions[i].len, k->bufsz);
				assert_memory_equal(pp.regions[i].sha256, d, 32);
			}
		loader_plan_destroy(plan);
		loader_sysinfo_destroy(si);
	}
}

/* Damaged payloads and vmlinuxes: a clear error naming the file, never a crash. */
static void test_unpack_bad(void **state)
{
	static uint8_t vml[0x10000], image[0xd000], payload[0x20000], bad[0x20000];
	size_t img_len, vlen = make_vmlinux(vml, sizeof(vml), image, &img_len), n;
	struct loader_kernel_image ki;
	struct kd_err err = { 0 };
	Elf64_Phdr *ph = (Elf64_Phdr *)(vml + sizeof(Elf64_Ehdr));
	const char *path;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int refused = 0;

	n = compress_payload("gzip", vml, vlen, payload, sizeof(payload));
	/* a flipped byte in the compressed stream */
	memcpy(bad, payload, n);
	bad[n / 2] ^= 0x40;
	path = make_bzimage_payload("bad-gz", bad, n, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -EBADMSG);
	print_message("  error (expected): %s\n", err.msg);
	assert_non_null(strstr(err.msg, path));
	/* a size trailer that lies */
	memcpy(bad, payload, n);
	kd_put_le32(bad + n - 4, (uint32_t)vlen + 4096);
	path = make_bzimage_payload("bad-trailer", bad, n, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "size trailer"));
	/* formats we do not unpack: the bzImage is loaded as it is */
	memcpy(bad, "\x02\x21\x4c\x18", 4);
	path = make_bzimage_payload("lz4", bad, 64, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "lz4"));
	/* a vmlinux too big for init_size */
	path = make_bzimage_payload("small-init", payload, n, 0x8000);
	assert_int_equal(unpack_file(path, &ki, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "init_size"));
	/* overlapping loads */
	ph[1].p_paddr = VML_BASE + 0x1000;
	n = compress_payload("gzip", vml, vlen, bad, sizeof(bad));
	path = make_bzimage_payload("overlap", bad, n, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "PT_LOAD 1"));
	ph[1].p_paddr = VML_BASE + 0x7000;
	/* a load's file bytes past the end of the vmlinux */
	ph[0].p_filesz = 0x100000;
	ph[0].p_memsz = 0x100000;
	n = compress_payload("gzip", vml, vlen, bad, sizeof(bad));
	path = make_bzimage_payload("past-end", bad, n, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -ENOEXEC);
	ph[0].p_filesz = 0x3000;
	ph[0].p_memsz = 0x5000;
	/* not an ELF inside */
	n = compress_payload("gzip", image, sizeof(image), bad, sizeof(bad));
	path = make_bzimage_payload("not-elf", bad, n, 0x1000000);
	assert_int_equal(unpack_file(path, &ki, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not an x86_64 vmlinux"));
	/* random damage to the uncompressed vmlinux's headers: refused or unpacked, no crash */
	for (int round = 0; round < 300; round++) {
		memcpy(bad, vml, vlen);
		for (int k = 0; k < 4; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			bad[(seed >> 33) % 0x200] ^= (uint8_t)(seed >> 20);
		}
		n = compress_payload("gzip", bad, vlen, payload, sizeof(payload));
		path = make_bzimage_payload("fuzz", payload, n, 0x1000000);
		if (unpack_file(path, &ki, &err) < 0)
			refused++;
		else
			loader_kernel_image_release(&ki);
	}
	print_message("  300 damaged vmlinux headers: %d refused, none crashed\n", refused);
	assert_true(refused > 0);
}

/* ---- bad input: clear errors, nothing loaded --------------------------------------------- */

static void expect_arm_error(const char *root, const struct loader_opts *o, const char *what1,
			     const char *what2)
{
	struct rec r = { 0 };
	struct kd_err err = { 0 };

	assert_true(arm(root, o, &r, &err) < 0);
	print_message("  error (expected): %s\n", err.msg);
	assert_non_null(strstr(err.msg, what1));
	if (what2)
		assert_non_null(strstr(err.msg, what2));
	assert_int_equal(r.loads + r.file_loads, 0);
}

static void test_bad_input(void **state)
{
	const char *good = make_bzimage("bz-good", 0x020f, 0x7f, 1 << 20, 0x1000000);
	const char *no64 = make_bzimage("bz-no64", 0x020f, 0x0, 1 << 20, 0x1000000);
	const char *old = make_bzimage("bz-old", 0x020a, 0x3, 1 << 20, 0x1000000);
	const char *notbz = keep(tu_tmp("not-a-bzimage"));
	const char *big = keep(tu_tmp("big-initrd"));
	struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = good, .append = "x" };
	const char *root;
	char path[4096];
	FILE *f;
	int fd;

	if (!fixture_sysroot(fixtures[0])) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	tu_write_file(notbz, "\x7f" "ELF this is vmlinux, not a bzImage.......", 40);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, 250 << 20), 0);
	close(fd);

	/* kernel files */
	root = copy_sysroot(fixtures[0], "root-ok");
	o.kernel_path = notbz;
	expect_arm_error(root, &o, "not a bzImage", "not-a-bzimage");
	o.kernel_path = no64;
	expect_arm_error(root, &o, "no 64-bit entry", "bz-no64");
	o.kernel_path = old;
	expect_arm_error(root, &o, "too old", NULL);
	o.kernel_path = tu_tmp("missing-kernel");
	expect_arm_error(root, &o, "cannot open the kernel", "missing-kernel");
	o.kernel_path = good;

	/* reservation too small for kernel + initrd */
	o.initrd_path = big;
	expect_arm_error(root, &o, "too small", "crashkernel=");
	o.initrd_path = NULL;

	/* no reservation */
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	sed_i("/Crash kernel/d", path);
	expect_arm_error(root, &o, "no crash kernel reservation", "crashkernel=256M");

	/* reservation smaller than the kernel's init_size */
	f = fopen(path, "a");
	fputs("  3c000000-3cffffff : Crash kernel\n", f);
	fclose(f);
	expect_arm_error(root, &o, "too small", "0x3c000000");

	/* not root: every iomem address reads 0 */
	root = copy_sysroot(fixtures[0], "root-zero");
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	sed_i("s/[0-9a-f]/0/g", path);
	expect_arm_error(root, &o, "run as root", NULL);

	/* unreadable sysfs: a crash_notes that cannot be read, a VMCOREINFO missing */
	root = copy_sysroot(fixtures[0], "root-notes");
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu1/crash_notes", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_arm_error(root, &o, "cpu1/crash_notes", "CPU 1");
	root = copy_sysroot(fixtures[0], "root-vmci");
	snprintf(path, sizeof(path), "%s/sys/kernel/vmcoreinfo", root);
	assert_int_equal(unlink(path), 0);
	expect_arm_error(root, &o, "VMCOREINFO", "/sys/kernel/vmcoreinfo");
	root = copy_sysroot(fixtures[0], "root-kcore");
	snprintf(path, sizeof(path), "%s/proc/kcore.head", root);
	assert_int_equal(unlink(path), 0);
	expect_arm_error(root, &o, "kcore", NULL);
	root = copy_sysroot(fixtures[0], "root-cpus");
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/possible", root);
	tu_write_file(path, "0-x\n", 4);
	expect_arm_error(root, &o, "possible", "bad CPU list");

	/* command line too long for the kernel's cmdline_size */
	{
		char *longline = malloc(3000);
		memset(longline, 'a', 2999);
		longline[2999] = '\0';
		o.append = longline;
		expect_arm_error(fixture_sysroot(fixtures[0]), &o, "command line", "at most");
		free(longline);
	}
}

/* Random damage to real inputs: parsers answer with an error or a result, never a crash. */
static void test_parsers_survive_garbage(void **state)
{
	const char *root = fixture_sysroot(fixtures[0]);
	char path[4096];
	uint8_t *iomem, *bz;
	size_t ilen, blen = 64 * 1024;
	unsigned seed = 12345, ok = 0;
	const char *kpath = make_bzimage("bz-fuzz", 0x020f, 0x7f, blen - 28 * 512, 0x1000000);

	if (!root) {
		tu_skip_or_fail("fixture sysroot missing");
		return;
	}
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	iomem = tu_read_file(path, &ilen);
	bz = tu_read_file(kpath, &blen);
	for (int it = 0; it < 3000; it++) {
		char *t = malloc(ilen + 1);
		uint8_t *b = malloc(blen);
		struct loader_sysinfo si = { .root = (char *)"/" };
		struct loader_bzimage out;
		struct kd_err err = { 0 };

		memcpy(t, iomem, ilen + 1);
		memcpy(b, bz, blen);
		for (int k = 0; k < 1 + it % 8; k++) {
			seed = seed * 1103515245 + 12345;
			t[(seed >> 8) % ilen] = (char)(" -:0f\nx"[seed % 8]);
			seed = seed * 1103515245 + 12345;
			b[0x1f0 + (seed >> 8) % 0x80] = (uint8_t)(seed >> 3);
		}
		if (loader_parse_iomem(&si, t, "fuzz", &err) == 0)
			ok++;
		else
			assert_true(err.msg[0] != '\0');
		free(si.ram);
		free(si.iomem_mem);
		if (loader_bzimage_parse(b, blen, "fuzz", &out, &err) == 0)
			assert_true(out.setup_size < blen && out.header_end <= 0x280);
		free(t);
		free(b);
	}
	assert_true(ok > 0);
	free(iomem);
	free(bz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sha256_vectors, sha_portable, sha_auto),
		cmocka_unit_test_setup_teardown(test_sha256_vs_sha256sum, sha_portable, sha_auto),
		cmocka_unit_test_setup_teardown(test_sha256_vectors, sha_shani, sha_auto),
		cmocka_unit_test_setup_teardown(test_sha256_vs_sha256sum, sha_shani, sha_auto),
		cmocka_unit_test(test_iomem_parse),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_sysinfo_fixture),
		cmocka_unit_test(test_elfcorehdr_fixture),
		cmocka_unit_test(test_plan_fixture),
		cmocka_unit_test(test_plan_check_catches),
		cmocka_unit_test(test_plain_kexec_plan),
		cmocka_unit_test(test_hotplug_plan),
		cmocka_unit_test(test_unpack_formats),
		cmocka_unit_test(test_unpack_plan),
		cmocka_unit_test(test_unpack_bad),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_parsers_survive_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
