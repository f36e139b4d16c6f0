/*
 * regf.c - the base block of a hive or a transaction log ("regf", the first
 * 4096 bytes of a primary file, the first 512 of a log).  Parsing only; no
 * hivex here, so that damaged hives hivex refuses can still be described.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "hive/hive.h"

uint32_t
regf_checksum(const void *buf)
{
	const unsigned char *p = buf;
	uint32_t sum = 0;
	int i;

	/* XOR of the 127 dwords before the checksum field at 0x1FC. */
	for (i = 0; i < 127; i++)
		sum ^= le32(p + 4 * i);
	/* Windows never stores 0 or ~0: they are bumped by one. */
	if (sum == 0)
		sum = 1;
	else if (sum == 0xFFFFFFFF)
		sum = 0xFFFFFFFE;
	return sum;
}

int
regf_parse(const void *buf, size_t len, struct regf_info *info)
{
	const unsigned char *p = buf;
	char *name;
	size_t nlen;

	memset(info, 0, sizeof(*info));
	if (len < 512 || memcmp(p, "regf", 4) != 0)
		return OFFMIG_ECORRUPT;
	info->seq1 = le32(p + 0x04);
	info->seq2 = le32(p + 0x08);
	info->last_written = le64(p + 0x0C);
	info->major = le32(p + 0x14);
	info->minor = le32(p + 0x18);
	info->file_type = le32(p + 0x1C);
	info->file_format = le32(p + 0x20);
	info->root_offset = le32(p + 0x24);
	info->hbins_size = le32(p + 0x28);
	info->clustering = le32(p + 0x2C);
	/* 64 bytes of UTF-16LE: the tail of the path it was loaded from. */
	if ((name = utf16le_to_utf8(p + 0x30, 64, &nlen)) != NULL) {
		if (nlen >= sizeof(info->file_name))
			nlen = sizeof(info->file_name) - 1;
		memcpy(info->file_name, name, nlen);
		info->file_name[nlen] = '\0';
		free(name);
	}
	info->checksum = le32(p + 0x1FC);
	info->checksum_calc = regf_checksum(p);
	info->checksum_ok = info->checksum == info->checksum_calc;
	info->dirty = info->seq1 != info->seq2 || !info->checksum_ok;
	return OFFMIG_OK;
}

void
regf_set_sequences(void *buf, uint32_t seq1, uint32_t seq2)
{
	unsigned char *p = buf;

	put_le32(p + 0x04, seq1);
	put_le32(p + 0x08, seq2);
	put_le32(p + 0x1FC, regf_checksum(p));
}
