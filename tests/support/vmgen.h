/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: build small ELF vmcores (as /proc/vmcore lays them out) from a description. */
#ifndef VMGEN_H
#define VMGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmgen;

struct vmgen *vmgen_new(void);
void vmgen_free(struct vmgen *g);
/* Appends a VMCOREINFO line ("KEY=VALUE", no newline) to the note. */
void vmgen_info(struct vmgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a CPU's NT_PRSTATUS note with pid and registers (NULL: zeros). */
void vmgen_cpu(struct vmgen *g, uint32_t pid, const uint64_t regs[27]);
/* Adds a PT_LOAD of size bytes at paddr (vaddr as given); returns its zeroed memory image. */
uint8_t *vmgen_load(struct vmgen *g, uint64_t paddr, uint64_t size, uint64_t vaddr);
/* Pointer to physical memory inside a load added before, or NULL. */
uint8_t *vmgen_phys(struct vmgen *g, uint64_t paddr);
/* Copies len bytes to physical memory at paddr; every byte must lie in a load (else abort). */
void vmgen_poke(struct vmgen *g, uint64_t paddr, const void *buf, size_t len);
/* Little-endian stores at paddr (same rule as vmgen_poke). */
void vmgen_poke_u16(struct vmgen *g, uint64_t paddr, uint16_t v);
void vmgen_poke_u32(struct vmgen *g, uint64_t paddr, uint32_t v);
void vmgen_poke_u64(struct vmgen *g, uint64_t paddr, uint64_t v);
/* Fills [paddr, paddr+len) with a pattern unique to each page (never an all-zero page). */
void vmgen_pattern(struct vmgen *g, uint64_t paddr, uint64_t len);
/* Writes the vmcore: ELF header, phdrs, notes, then each load page-aligned. 0 or -errno. */
int vmgen_write(struct vmgen *g, const char *path);
/* Does not add the VMCOREINFO note at all (for error tests). */
void vmgen_no_vmcoreinfo(struct vmgen *g);

/*
 * VMCOREINFO presets, the lines several generated dumps share.
 * vmgen_info_kernel: OSRELEASE, PAGESIZE, SYMBOL(init_top_pgt) and NUMBER(phys_base)=0 of an
 * x86_64 kernel whose memory is all in the image mapping (va - 0xffffffff80000000 = pa), so
 * that translation needs no page table: init_top_pgt is a page the dump leaves zero.
 */
void vmgen_info_kernel(struct vmgen *g, const char *osrelease, unsigned page_size,
		       uint64_t init_top_pgt);
/*
 * The lockless printk ring's keys as 6.x kernels export them (both fixtures' values), with
 * SYMBOL(prb) = prb_va; caller adds OFFSET(printk_info.caller_id). A key named in override
 * ("SIZE(prb_desc)=5000", or NULL) replaces the line of that key.
 */
void vmgen_info_printk(struct vmgen *g, uint64_t prb_va, bool caller, const char *override);
/*
 * The legacy log_buf's keys (3.5-5.9): log_buf, log_buf_len, log_first_idx and log_next_idx
 * at syms_va + 0, 8, 16 and 24; struct printk_log of 16 bytes, 24 with the caller id.
 */
void vmgen_info_log_buf(struct vmgen *g, uint64_t syms_va, bool caller);
/* The pattern byte stream used by vmgen_pattern, for checking. */
uint8_t vmgen_pattern_byte(uint64_t paddr);

#endif
