/*
 * restore-mkstore.c - makes a store for tests/cli-store-restore.sh through
 * the library (the CLI's store create is another helper's):
 *
 *   restore-mkstore [--copy] [--reg SID FILE]... VOLUME STORE [SID:USER:PROFILE]...
 *
 * Every file and empty folder below VOLUME (not following links, STORE
 * left out) is captured in name order; an object below Users/USER or
 * Documents and Settings/USER belongs to that user's SID.  --reg adds the
 * .reg text of FILE as SID's registry export.  Exit 0, or 1 with a message.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "offmig.h"

#define MAXU	16

struct user {
	char	*sid, *name, *profile;
};

struct item {
	char	 kind;
	char	*host, *win, *sid, *data;
	size_t	 len;
	char	*user, *profile;
};

static struct item *items;
static size_t nitems, cap, pos;
static struct user users[MAXU];
static size_t nusers;
static const char *skip_path;

static void
push(struct item it)
{
	if (nitems == cap) {
		cap = cap ? cap * 2 : 64;
		if ((items = realloc(items, cap * sizeof(*items))) == NULL)
			exit(1);
	}
	items[nitems++] = it;
}

static const char *
owner(const char *rel)
{
	size_t i;

	for (i = 0; i < nusers; i++) {
		char a[512], b[512];

		snprintf(a, sizeof(a), "Users/%s/", users[i].name);
		snprintf(b, sizeof(b), "Documents and Settings/%s/",
		    users[i].name);
		if (strncmp(rel, a, strlen(a)) == 0 ||
		    strncmp(rel, b, strlen(b)) == 0)
			return users[i].sid;
	}
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk(const char *root, const char *rel)
{
	char path[8300], sub[4096], **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (skip_path != NULL && strcmp(path, skip_path) == 0)
		return;
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	if (n == 0 && *rel) {
		struct item it = { 'f', strdup(rel), NULL, NULL, NULL, 0, NULL,
		    NULL };

		it.sid = (char *)owner(rel);
		push(it);
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    names[i]);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			walk(root, sub);
		else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			struct item it = { 'f', strdup(sub), NULL, NULL, NULL, 0,
			    NULL, NULL };

			it.sid = (char *)owner(sub);
			push(it);
		}
		free(names[i]);
	}
	free(names);
}

static int
next(void *arg, struct offmig_store_item *o)
{
	struct item *it;
	char *q;

	(void)arg;
	if (pos >= nitems)
		return 0;
	it = &items[pos++];
	o->kind = it->kind;
	o->sid = it->sid;
	if (it->kind == 'f') {
		if (it->win == NULL) {
			it->win = malloc(strlen(it->host) + 4);
			sprintf(it->win, "C:\\%s", it->host);
			for (q = it->win; *q; q++)
				if (*q == '/')
					*q = '\\';
		}
		o->host_path = it->host;
		o->winpath = it->win;
	} else if (it->kind == 'r') {
		o->data = it->data;
		o->len = it->len;
	} else {
		o->user = it->user;
		o->profile_path = it->profile;
		o->status = "complete";
		o->problems = "";
	}
	return 1;
}

int
main(int argc, char **argv)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct offmig_doc *doc = NULL;
	unsigned flags = 0;
	int i = 1, ret;
	size_t j;
	const char *regsid[MAXU], *regfile[MAXU];
	size_t nreg = 0;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--copy") == 0)
			flags |= OFFMIG_STORE_COPY;
		else if (strcmp(argv[i], "--reg") == 0 && i + 2 < argc &&
		    nreg < MAXU) {
			regsid[nreg] = argv[++i];
			regfile[nreg++] = argv[++i];
		} else
			break;
	}
	if (argc - i < 2 || ctx == NULL) {
		fprintf(stderr, "usage: restore-mkstore [--copy] [--reg SID FILE]"
		    "... VOLUME STORE [SID:USER:PROFILE]...\n");
		return 1;
	}
	for (j = 0; (int)j + i + 2 < argc && j < MAXU; j++) {
		char *s = strdup(argv[i + 2 + (int)j]), *c1, *c2;

		if ((c1 = strchr(s, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			return 1;
		*c1 = *c2 = '\0';
		users[j].sid = s;
		users[j].name = c1 + 1;
		users[j].profile = c2 + 1;
		nusers++;
	}
	skip_path = argv[i + 1];
	walk(argv[i], "");
	for (j = 0; j < nreg; j++) {
		struct item it = { 'r', NULL, NULL, (char *)regsid[j], NULL, 0,
		    NULL, NULL };
		FILE *fp = fopen(regfile[j], "rb");
		static char buf[65536];

		if (fp == NULL)
			return 1;
		it.len = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		it.data = malloc(it.len + 1);
		memcpy(it.data, buf, it.len);
		push(it);
	}
	for (j = 0; j < nusers; j++) {
		struct item it = { 'U', NULL, NULL, users[j].sid, NULL, 0,
		    users[j].name, users[j].profile };

		push(it);
	}
	ret = offmig_store_create(ctx, argv[i], argv[i + 1], flags, "PC1",
	    "Windows 10", next, NULL, &doc);
	if (ret != OFFMIG_OK)
		fprintf(stderr, "restore-mkstore: %s\n", offmig_errmsg(ctx));
	offmig_doc_free(doc);
	offmig_ctx_free(ctx);
	for (j = 0; j < nitems; j++) {
		free(items[j].host);
		free(items[j].win);
		if (items[j].kind == 'r')
			free(items[j].data);
	}
	free(items);
	for (j = 0; j < nusers; j++)
		free(users[j].sid);
	return ret == OFFMIG_OK ? 0 : 1;
}
