/*
 * driver: a deterministic mutation loop for LLVMFuzzerTestOneInput targets,
 * used by t/fuzz/run.sh when clang's libFuzzer is not available.
 *
 *   fuzz_x [-seconds S] [-runs N] [-seed N] [-crash-prefix P] DIR|FILE...
 *
 * Files named on the command line are run once each (replay); the files of
 * each DIR are seeds.  With seeds, the loop runs every seed, then mutates
 * inputs from a pool (bit flips, byte and token insertions, deletions,
 * duplicated ranges, splices of two inputs, truncations) until S seconds
 * (default 30) or N inputs have run.  The pseudo-random sequence depends
 * only on -seed and the seeds, so a run can be repeated.  There is no
 * coverage feedback: the pool keeps every 16th mutant so that mutations
 * accumulate.  When the sanitizers stop the process, or an input runs
 * longer than 10 s, the input is written to P<hash>.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Built with the sanitizers by t/fuzz/run.sh; make check builds it plain, to replay. */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_SANITIZED 1
#endif
#endif
#ifdef FUZZ_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LEN 65536
#define POOL 512

struct input {
	uint8_t *p;
	size_t n;
};

static struct input pool[POOL];
static size_t npool, nseeds;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static const uint8_t *cur;
static size_t curn;
static char crash_prefix[512] = "crash-";

/* Interesting pieces of the languages under test (JS/TS and Go): brackets,
 * quotes, template and JSX delimiters, comment openers, keywords. */
static const char *const dict[] = {
	"`", "${", "}", "{", "(", ")", "[", "]", "'", "\"", "/", "/*", "*/", "//", "\\", "\n", "\r\n",
	"<", ">", "</", "/>", "<div>", "</div>", "<>", "=>", "?.", "??", "...", "@", "#", ";", ",",
	":", "=", "!", "async ", "await ", "function ", "class ", "extends ", "return ", "for (",
	"while (", "if (", "else ", "try {", "catch (e) {", "finally {", "switch (x) {", "case 1:",
	"new ", "as ", "<T>", "x.map(", "=> {", "func ", "go ", "defer ", "range ", "select {",
	"`\n", "0x", "1_000n", "\0", "\xef\xbb\xbf", "\xff",
};

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Writes the current input to the crash file; async-signal-safe. */
static void dump(void)
{
	char path[600];
	uint64_t h = fnv(cur, curn);
	size_t o = strlen(crash_prefix), i;
	int fd;
	if (o > 500)
		o = 500;
	memcpy(path, crash_prefix, o);
	for (i = 0; i < 16; i++)
		path[o++] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
	path[o] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (curn && write(fd, cur, curn) < 0)
			curn = 0;
		close(fd);
	}
	if (write(2, "fuzz: input written to ", 23) < 0 || write(2, path, o) < 0 || write(2, "\n", 1) < 0)
		return;
}

static void on_alarm(int sig)
{
	(void)sig;
	if (write(2, "fuzz: input timed out\n", 22) < 0)
		_exit(3);
	dump();
	_exit(3);
}

static void run(const uint8_t *p, size_t n)
{
	cur = p;
	curn = n;
	alarm(10);
	LLVMFuzzerTestOneInput(p, n);
	alarm(0);
}

static int add(uint8_t *p, size_t n, int own)
{
	struct input *in;
	if (npool < POOL) {
		in = &pool[npool++];
	} else {
		/* replace a mutant, never a seed */
		in = &pool[nseeds + below(POOL - nseeds)];
		free(in->p);
	}
	if (!own) {
		uint8_t *c = malloc(n ? n : 1);
		if (!c)
			return -1;
		memcpy(c, p, n);
		p = c;
	}
	in->p = p;
	in->n = n;
	return 0;
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	size_t got;
	if (!f)
		return NULL;
	p = malloc(MAX_LEN);
	if (!p) {
		fclose(f);
		return NULL;
	}
	got = fread(p, 1, MAX_LEN, f);
	fclose(f);
	*n = got;
	return p;
}

static int load_dir(const char *dir)
{
	struct dirent **ents;
	int k, m = scandir(dir, &ents, NULL, alphasort);
	if (m < 0)
		return -1;
	for (k = 0; k < m; k++) {
		char path[4096];
		struct stat st;
		size_t n;
		uint8_t *p;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[k]->d_name);
		free(ents[k]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		p = read_file(path, &n);
		if (p && npool < POOL) {
			add(p, n, 1);
			rng ^= fnv(p, n);
		} else {
			free(p);
		}
	}
	free(ents);
	return 0;
}

/* One random mutation of buf[0..*n) (capacity MAX_LEN). */
static void mutate_once(uint8_t *buf, size_t *n)
{
	size_t len = *n, a, b, k;
	switch (below(8)) {
	case 0: /* flip a bit */
		if (len)
			buf[below(len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* random byte */
		if (len)
			buf[below(len)] = (uint8_t)next();
		break;
	case 2: /* insert a dictionary piece */
	case 3: {
		const char *d = dict[below(sizeof(dict) / sizeof(dict[0]))];
		size_t dl = strlen(d) ? strlen(d) : 1;
		if (len + dl > MAX_LEN)
			break;
		a = below(len + 1);
		memmove(buf + a + dl, buf + a, len - a);
		memcpy(buf + a, d, dl);
		*n = len + dl;
		break;
	}
	case 4: /* delete a range */
		if (!len)
			break;
		a = below(len);
		k = 1 + below(len - a < 32 ? len - a : 32);
		memmove(buf + a, buf + a + k, len - a - k);
		*n = len - k;
		break;
	case 5: /* duplicate a range somewhere (nesting, repetition) */
		if (!len)
			break;
		a = below(len);
		k = 1 + below(len - a < 256 ? len - a : 256);
		if (len + k > MAX_LEN)
			break;
		b = below(len + 1);
		{
			uint8_t tmp[256];
			memcpy(tmp, buf + a, k);
			memmove(buf + b + k, buf + b, len - b);
			memcpy(buf + b, tmp, k);
		}
		*n = len + k;
		break;
	case 6: { /* splice a piece of another input */
		const struct input *o = &pool[below(npool)];
		if (!o->n)
			break;
		a = below(o->n);
		k = 1 + below(o->n - a < 512 ? o->n - a : 512);
		if (len + k > MAX_LEN)
			break;
		b = below(len + 1);
		memmove(buf + b + k, buf + b, len - b);
		memcpy(buf + b, o->p + a, k);
		*n = len + k;
		break;
	}
	default: /* truncate */
		if (len)
			*n = below(len);
		break;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 30, start;
	unsigned long long runs = 0, done = 0;
	int i, replay = 0, nfiles = 0;
	uint8_t *buf;
#ifdef FUZZ_SANITIZED
	__sanitizer_set_death_callback(dump);
#endif
	signal(SIGALRM, on_alarm);
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (!strcmp(argv[i], "-seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-runs") && i + 1 < argc) {
			runs = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-seed") && i + 1 < argc) {
			rng = strtoull(argv[++i], NULL, 10) | 1;
		} else if (!strcmp(argv[i], "-crash-prefix") && i + 1 < argc) {
			snprintf(crash_prefix, sizeof(crash_prefix), "%s", argv[++i]);
		} else if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (load_dir(argv[i]) < 0)
				fprintf(stderr, "fuzz: %s: cannot read\n", argv[i]);
		} else {
			size_t n;
			uint8_t *p = read_file(argv[i], &n);
			if (!p) {
				fprintf(stderr, "fuzz: %s: cannot read\n", argv[i]);
				return 2;
			}
			run(p, n);
			free(p);
			replay = 1;
			nfiles++;
		}
	}
	if (replay && npool == 0) {
		fprintf(stderr, "fuzz: %d input(s) ran\n", nfiles);
		return 0;
	}
	if (npool == 0)
		add((uint8_t *)"", 0, 0);
	nseeds = npool;
	for (i = 0; (size_t)i < nseeds; i++)
		run(pool[i].p, pool[i].n);
	buf = malloc(MAX_LEN);
	if (!buf)
		return 2;
	start = now();
	for (;;) {
		const struct input *in = &pool[below(npool)];
		size_t n = in->n, m, k;
		if (runs ? done >= runs : ((done & 255) == 0 && now() - start >= seconds))
			break;
		memcpy(buf, in->p, n);
		m = 1 + below(4);
		for (k = 0; k < m; k++)
			mutate_once(buf, &n);
		run(buf, n);
		done++;
		if ((done & 15) == 0)
			add(buf, n, 0);
	}
	fprintf(stderr, "fuzz: %llu mutated inputs in %.1f s, %zu seeds, no failure\n", done, now() - start,
		nseeds);
	free(buf);
	for (i = 0; (size_t)i < npool; i++)
		free(pool[i].p);
	return 0;
}
