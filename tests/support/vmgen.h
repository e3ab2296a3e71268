/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: build small ELF vmcores (as /proc/vmcore lays them out) from a description. */
#ifndef VMGEN_H
#define VMGEN_H

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
/* The pattern byte stream used by vmgen_pattern, for checking. */
uint8_t vmgen_pattern_byte(uint64_t paddr);

#endif
