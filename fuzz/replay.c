/*
 * replay.c - runs a libFuzzer harness over its committed seed corpus
 * (fuzz/corpus/FUZZ_NAME/) and over a few thousand pseudo-random inputs,
 * so that `make check` exercises every harness with gcc, without clang.
 * Exit 0 when every input returned; a crash is the failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_NAME
#error FUZZ_NAME must name the corpus directory
#endif

static int run_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(void)
{
	const char *src = getenv("UK_SRCDIR");
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *d;
	int files = 0;
	uint32_t x = 0x2545f491;
	uint8_t rnd[512];
	int i;

	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", src ? src : ".", FUZZ_NAME);
	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "replay %s: no corpus at %s\n", FUZZ_NAME, dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (run_file(path) == 0)
			files++;
	}
	closedir(d);
	/* xorshift32: deterministic noise of every length up to 512 bytes */
	for (i = 0; i < 4000; i++) {
		size_t len = (size_t)(i % 513), j;

		for (j = 0; j < len; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			rnd[j] = (uint8_t)x;
		}
		LLVMFuzzerTestOneInput(rnd, len);
	}
	printf("replay %s: %d corpus files and 4000 random inputs ran\n", FUZZ_NAME, files);
	return files > 0 ? 0 : 1;
}
