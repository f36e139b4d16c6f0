/*
 * sid.c - security identifiers: binary to text, well-known names, RIDs.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"

char *
sid_to_string(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t auth = 0;
	char buf[256];
	size_t off, i, count;
	int n;

	/* revision (1), sub-authority count (1), authority (6, big endian) */
	if (len < 8 || p[0] != 1)
		return NULL;
	count = p[1];
	if (count > 15 || len < 8 + 4 * count)
		return NULL;
	for (i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	n = snprintf(buf, sizeof(buf), "S-1-%" PRIu64, auth);
	off = (size_t)n;
	for (i = 0; i < count; i++) {
		n = snprintf(buf + off, sizeof(buf) - off, "-%" PRIu32,
		    le32(p + 8 + 4 * i));
		off += (size_t)n;
	}
	return strdup(buf);
}

const char *
sid_wellknown_name(const char *sid)
{
	static const struct {
		const char *sid;
		const char *name;
	} known[] = {
		{ "S-1-5-18", "SYSTEM" },
		{ "S-1-5-19", "LOCAL SERVICE" },
		{ "S-1-5-20", "NETWORK SERVICE" },
		{ "S-1-5-93-2-1", "ContainerAdministrator" },
		{ "S-1-5-93-2-2", "ContainerUser" },
		{ "S-1-5-32-544", "Administrators" },
		{ "S-1-5-32-545", "Users" },
		{ "S-1-1-0", "Everyone" },
	};
	size_t i;

	if (sid == NULL)
		return NULL;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(sid, known[i].sid) == 0)
			return known[i].name;
	return NULL;
}

uint32_t
sid_rid(const char *sid)
{
	const char *dash = sid != NULL ? strrchr(sid, '-') : NULL;
	unsigned long v;
	char *end;

	if (dash == NULL || dash[1] == '\0')
		return 0;
	v = strtoul(dash + 1, &end, 10);
	if (*end != '\0' || v > 0xFFFFFFFFUL)
		return 0;
	return (uint32_t)v;
}

char *
sid_domain(const char *sid)
{
	const char *dash = sid != NULL ? strrchr(sid, '-') : NULL;

	if (dash == NULL)
		return NULL;
	return strndup(sid, (size_t)(dash - sid));
}
