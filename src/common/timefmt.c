/*
 * timefmt.c - Windows FILETIMEs, Unix seconds and ISO 8601 text.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

/* Seconds from 1601-01-01 to 1970-01-01. */
#define EPOCH_DIFF	11644473600LL
/* 9999-12-31T23:59:59Z: later times are garbage, not dates. */
#define MAX_UNIX	253402300799LL

int64_t
filetime_to_unix(uint64_t ft)
{
	int64_t secs;

	if (ft == 0)
		return NO_TIME;
	secs = (int64_t)(ft / 10000000ULL) - EPOCH_DIFF;
	if (secs < 0 || secs > MAX_UNIX)
		return NO_TIME;
	return secs;
}

char *
iso8601(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt;

	if (t == NO_TIME || t < 0 || t > MAX_UNIX || size < 21)
		return NULL;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL)
		return NULL;
	if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return buf;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int64_t
parse_yyyymmdd(const char *s)
{
	struct tm tm;
	int y, m, d, i;

	if (s == NULL || strlen(s) != 8)
		return NO_TIME;
	for (i = 0; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return NO_TIME;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return NO_TIME;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm);
}
