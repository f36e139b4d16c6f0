/*
 * walkbench.c - times ruleset_walk() over a directory tree, for
 * bench/walk.sh: walkbench DIR [users|userdata|all|FILE].
 *
 * users:    one component per folder of DIR/Users with includes for the
 *           usual profile folders (Documents, Desktop, ...), as offmig plan
 *           builds from MigUser.xml for each profile, plus
 * userdata: MigUser's "User Data": ~40 document extensions anywhere on C:,
 *           excluding Windows, Program Files and the profiles (both sets in
 *           "users");
 * all:      C:\* [*];
 * FILE:     one rule a line: "I|X|U GROUP PATTERN".
 * Prints the statistics and the time taken by the walk alone.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/pattern.h"
#include "migrate/walk.h"

static const char *const exts[] = {
	"doc", "docx", "docm", "dot", "dotx", "xls", "xlsx", "xlsm", "xlt",
	"ppt", "pptx", "pps", "ppsx", "pot", "rtf", "txt", "pdf", "odt", "ods",
	"odp", "csv", "xml", "htm", "html", "mht", "one", "pst", "ost", "msg",
	"vsd", "vsdx", "mpp", "pub", "wpd", "wps", "accdb", "mdb", "jpg",
	"png", "mp3", "wma", "contact"
};

static const char *const folders[] = {
	"Documents", "Desktop", "Downloads", "Pictures", "Music", "Videos",
	"Favorites", "Contacts", "Links", "Saved Games", "Searches",
	"AppData\\Roaming\\Microsoft\\Signatures"
};

static void
add(struct offmig_ctx *ctx, struct ruleset *rs, enum rule_kind k, unsigned g,
    const char *text)
{
	struct upat *p;

	if (upat_parse(ctx, UPAT_FILE, text, &p) != OFFMIG_OK) {
		fprintf(stderr, "walkbench: %s\n", offmig_errmsg(ctx));
		exit(2);
	}
	if (ruleset_add(rs, k, g, p, NULL, NULL, NULL) != OFFMIG_OK)
		exit(2);
}

static int
count(void *arg, const struct walk_entry *e, const struct rule_hit *h,
    size_t n)
{
	(*(uint64_t *)arg) += n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct ruleset *rs = ruleset_new();
	const char *mode = argc > 2 ? argv[2] : "users";
	struct walk_stats st;
	struct timespec t0, t1;
	char buf[4096];
	uint64_t hits = 0;
	size_t i;
	int fd, ret;

	if (argc < 2 || ctx == NULL || rs == NULL) {
		fprintf(stderr, "usage: walkbench DIR [users|userdata|all|FILE]\n");
		return 2;
	}
	if (strcmp(mode, "users") == 0) {
		DIR *d;
		struct dirent *de;
		unsigned g = 2;

		snprintf(buf, sizeof(buf), "%s/Users", argv[1]);
		if ((d = opendir(buf)) == NULL) {
			perror(buf);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || de->d_type != DT_DIR)
				continue;
			for (i = 0; i < sizeof(folders) / sizeof(folders[0]);
			    i++) {
				snprintf(buf, sizeof(buf),
				    "C:\\Users\\%s\\%s\\* [*]", de->d_name,
				    folders[i]);
				add(ctx, rs, RULE_INCLUDE, g, buf);
			}
			g++;
		}
		closedir(d);
	}
	if (strcmp(mode, "users") == 0 || strcmp(mode, "userdata") == 0) {
		for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
			snprintf(buf, sizeof(buf), "C:\\* [*.%s]", exts[i]);
			add(ctx, rs, RULE_INCLUDE, 1, buf);
		}
		add(ctx, rs, RULE_EXCLUDE, 1, "C:\\Windows\\* [*]");
		add(ctx, rs, RULE_EXCLUDE, 1, "C:\\Program Files\\* [*]");
		add(ctx, rs, RULE_EXCLUDE, 1, "C:\\Users\\* [*]");
	} else if (strcmp(mode, "all") == 0)
		add(ctx, rs, RULE_INCLUDE, 1, "C:\\* [*]");
	else {
		FILE *fp = fopen(mode, "r");

		if (fp == NULL) {
			perror(mode);
			return 1;
		}
		while (fgets(buf, sizeof(buf), fp) != NULL) {
			char *nl = strchr(buf, '\n'), *sp;
			enum rule_kind k;

			if (nl != NULL)
				*nl = '\0';
			if (buf[0] == '\0' || buf[0] == '#' ||
			    (sp = strchr(buf + 2, ' ')) == NULL)
				continue;
			k = buf[0] == 'I' ? RULE_INCLUDE : buf[0] == 'X' ?
			    RULE_EXCLUDE : RULE_UNCONDITIONAL_EXCLUDE;
			add(ctx, rs, k, (unsigned)atoi(buf + 2), sp + 1);
		}
		fclose(fp);
	}
	if ((fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror(argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ruleset_walk(ctx, rs, fd, 'C', count, &hits, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	printf("walk: %.3f s, dirs %llu files %llu links %llu errors %llu "
	    "selected %llu (%llu bytes, %llu hits), ret %d\n",
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (unsigned long long)st.dirs, (unsigned long long)st.files,
	    (unsigned long long)st.links_skipped,
	    (unsigned long long)st.errors, (unsigned long long)st.selected,
	    (unsigned long long)st.selected_bytes, (unsigned long long)hits,
	    ret);
	ruleset_free(rs);
	offmig_ctx_free(ctx);
	return ret == OFFMIG_OK ? 0 : 1;
}
