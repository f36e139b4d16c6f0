/*
 * sid.c - security identifiers: binary to text, well-known names, RIDs.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profiles/profiles.h"

char *
sid_to_string(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t auth = 0;
	char buf[256];
	size_t off, i, count;
	int n;

	/*
	 * Revision (1 byte, always 1), sub-authority count (1 byte, at most
	 * 15), identifier authority (6 bytes, big endian), then count
	 * sub-authorities (4 bytes each, little endian).
	 */
	if (p == NULL || len < 8 || p[0] != 1)
		return NULL;
	count = p[1];
	if (count > 15 || len < 8 + 4 * count)
		return NULL;
	for (i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	/* As ConvertSidToStringSid: authorities of 2^32 and more in hex. */
	if (auth >> 32 != 0)
		n = snprintf(buf, sizeof(buf), "S-1-0x%012" PRIX64, auth);
	else
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

/* The last component of a SID string when it is a decimal number. */
static const char *
last_component(const char *sid)
{
	const char *dash = sid != NULL ? strrchr(sid, '-') : NULL;
	const char *d;

	if (dash == NULL || dash[1] == '\0' || strncasecmp(sid, "S-", 2) != 0)
		return NULL;
	for (d = dash + 1; *d != '\0'; d++)
		if (*d < '0' || *d > '9')
			return NULL;
	return dash;
}

uint32_t
sid_rid(const char *sid)
{
	const char *dash = last_component(sid);
	unsigned long long v;

	if (dash == NULL || strlen(dash + 1) > 10)
		return 0;
	v = strtoull(dash + 1, NULL, 10);
	if (v > 0xFFFFFFFFULL)
		return 0;
	return (uint32_t)v;
}

char *
sid_domain(const char *sid)
{
	const char *dash = last_component(sid);

	/* "S-1-5" has no sub-authority to take away. */
	if (dash == NULL || dash - sid < 5)
		return NULL;
	return strndup(sid, (size_t)(dash - sid));
}
