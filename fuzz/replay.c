/*
 * replay.c - runs a libFuzzer entry point without libFuzzer: over every file
 * given (directories are read one level deep) and, with --mutate N, over N
 * deterministic mutations of each (bit flips, truncations, duplicated and
 * zeroed ranges), so that the seeds and their neighbours run under the
 * sanitizers in "make check".  Built with -fsanitize=fuzzer, libFuzzer's own
 * main replaces this file (define OFFMIG_LIBFUZZER).
 */
#ifndef OFFMIG_LIBFUZZER
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

/* xorshift64*: the same mutations on every run. */
static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	*lenp = fread(buf, 1, (size_t)n, fp);
	fclose(fp);
	return buf;
}

static void
mutate(const unsigned char *in, size_t len, unsigned char *out, size_t *olen)
{
	size_t i, n = 1 + next() % 8;

	memcpy(out, in, len);
	*olen = len;
	for (i = 0; i < n && *olen > 0; i++) {
		size_t at = next() % *olen, span = 1 + next() % 64;

		if (at + span > *olen)
			span = *olen - at;
		switch (next() % 5) {
		case 0:
			out[at] ^= (unsigned char)(1u << (next() % 8));
			break;
		case 1:
			out[at] = (unsigned char)next();
			break;
		case 2:
			*olen = at;	/* truncate */
			break;
		case 3:
			memset(out + at, 0, span);
			break;
		default:
			memset(out + at, 0xFF, span);
			break;
		}
	}
}

static int
run_file(const char *path, int mutations)
{
	unsigned char *data, *m;
	size_t len, mlen;
	int i;

	if ((data = slurp(path, &len)) == NULL) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return 1;
	}
	LLVMFuzzerTestOneInput(data, len);
	if ((m = malloc(len + 1)) != NULL) {
		for (i = 0; i < mutations; i++) {
			mutate(data, len, m, &mlen);
			LLVMFuzzerTestOneInput(m, mlen);
		}
		free(m);
	}
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, mutations = 0, files = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "--mutate") == 0 && i + 1 < argc) {
			mutations = atoi(argv[++i]);
			continue;
		}
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;

			while (d != NULL && (de = readdir(d)) != NULL) {
				char p[4096];

				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
				bad += run_file(p, mutations);
				files++;
			}
			if (d != NULL)
				closedir(d);
		} else {
			bad += run_file(argv[i], mutations);
			files++;
		}
	}
	printf("replayed %d inputs with %d mutations each\n", files, mutations);
	return bad != 0;
}
#else

/* ISO C wants something in every translation unit. */
typedef int	replay_empty;

#endif /* OFFMIG_LIBFUZZER */
