// SPDX-License-Identifier: GPL-2.0-or-later
/* The purgatory's C part: check the segments' digests, report on the serial port, or stop. */
#include "loader/purgatory/params.h"

/* Freestanding: the compiler may emit calls to these for struct copies and zeroing. */
void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);
void purgatory_main(struct kd_purgatory_params *p);

void *memcpy(void *dst, const void *src, unsigned long n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

/* The block the loader patches, at a fixed offset of the blob (purgatory.lds). */
__attribute__((section(".params"), used)) struct kd_purgatory_params kd_purgatory_params = {
	.magic = KD_PURGATORY_MAGIC,
	.version = 1,
	.size = sizeof(struct kd_purgatory_params),
};

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(uint16_t port, char ch)
{
	/* Wait (bounded) for the transmit holding register; a missing UART reads 0xff. */
	for (unsigned i = 0; i < 100000; i++)
		if (inb((uint16_t)(port + 5)) & 0x20)
			break;
	outb(port, (uint8_t)ch);
}

static void puts_serial(uint16_t port, const char *s)
{
	if (!port)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			putc_serial(port, '\r');
		putc_serial(port, *s);
	}
}

static void puthex_serial(uint16_t port, uint64_t v)
{
	char buf[19];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = '\0';
	puts_serial(port, buf);
}

/* Called by entry.S on the purgatory's own stack; returns only if every digest matches. */
void purgatory_main(struct kd_purgatory_params *p)
{
	int bad;

	/* Said before the digests are computed: the console's timestamps then show how long
	 * the check takes, and that the purgatory was reached at all. */
	puts_serial(p->serial_port, "kdump-purgatory: checking the segments' SHA-256\n");
	bad = kd_purgatory_verify(p);
	if (bad < 0) {
		puts_serial(p->serial_port, "kdump-purgatory: segment digests OK, starting kernel\n");
		return;
	}
	puts_serial(p->serial_port, "kdump-purgatory: SHA-256 mismatch in segment ");
	if ((uint32_t)bad < p->nr_regions && bad < KD_PURGATORY_MAX_REGIONS) {
		puthex_serial(p->serial_port, p->regions[bad].start);
		puts_serial(p->serial_port, " size ");
		puthex_serial(p->serial_port, p->regions[bad].len);
	} else {
		puts_serial(p->serial_port, "table (bad count)");
	}
	puts_serial(p->serial_port, "\nkdump-purgatory: refusing to start a corrupted kernel; halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}
