/*
 * filter.c - user selection as USMT does it: /ui includes, /ue excludes,
 * /uel keeps only users active within some days.
 *
 * A pattern is "DOMAIN\user", "user" or a SID, with '*' and '?' wildcards,
 * matched case-insensitively.  As in USMT, every user is selected unless
 * excluded, and /ui only overrides /ue and /uel ("--ue '*' --ui bob" selects
 * bob alone).  /uel uses the profile's load and unload times (or, when
 * the profile service kept none, NTUSER.DAT's mtime, as last_use says): a
 * profile is dropped only when its last use is known and older than the
 * limit.  A profile with no known last use is kept, because excluding a
 * user on missing evidence would lose data.  The system profiles
 * (S-1-5-18/19/20) are left out only by a pattern that matches them, never
 * by their age: Windows loads them at every boot, so their dates say
 * nothing about users.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"

struct offmig_filter *
offmig_filter_new(void)
{
	struct offmig_filter *f = calloc(1, sizeof(*f));

	if (f != NULL)
		f->uel_days = -1;
	return f;
}

void
offmig_filter_free(struct offmig_filter *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ninc; i++)
		free(f->inc[i]);
	for (i = 0; i < f->nexc; i++)
		free(f->exc[i]);
	free(f->inc);
	free(f->exc);
	free(f);
}

static int
push(char ***v, size_t *n, const char *pattern)
{
	char **t;

	if (pattern == NULL || *pattern == '\0')
		return OFFMIG_EINVAL;
	if ((t = realloc(*v, (*n + 1) * sizeof(*t))) == NULL)
		return OFFMIG_ENOMEM;
	*v = t;
	if ((t[*n] = strdup(pattern)) == NULL)
		return OFFMIG_ENOMEM;
	(*n)++;
	return OFFMIG_OK;
}

int
offmig_filter_include(struct offmig_filter *f, const char *pattern)
{
	return push(&f->inc, &f->ninc, pattern);
}

int
offmig_filter_exclude(struct offmig_filter *f, const char *pattern)
{
	return push(&f->exc, &f->nexc, pattern);
}

void
offmig_filter_set_uel(struct offmig_filter *f, int days, int64_t now)
{
	f->uel_days = days;
	f->now = now;
}

static int
match_one(const char *pat, const struct profile *p)
{
	const char *bs = strchr(pat, '\\');

	if (p->sid != NULL && wildmatch_ci(pat, p->sid))
		return 1;
	if (p->user == NULL)
		return 0;
	if (bs == NULL)
		return wildmatch_ci(pat, p->user);
	/* DOMAIN\user: both parts must match. */
	{
		char *dom = strndup(pat, (size_t)(bs - pat));
		int ok = dom != NULL && wildmatch_ci(bs + 1, p->user) &&
		    wildmatch_ci(dom, p->domain != NULL ? p->domain : "");

		free(dom);
		return ok;
	}
}

int
filter_match(const struct offmig_filter *f, const struct profile *p)
{
	size_t i;

	if (f == NULL)
		return 1;
	for (i = 0; i < f->ninc; i++)
		if (match_one(f->inc[i], p))
			return 1;
	for (i = 0; i < f->nexc; i++)
		if (match_one(f->exc[i], p))
			return 0;
	if (f->uel_days >= 0 && p->status != PROFILE_SYSTEM &&
	    p->last_use != NO_TIME &&
	    p->last_use < f->now - (int64_t)f->uel_days * 86400)
		return 0;
	return 1;
}
