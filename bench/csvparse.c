/* bench/csvparse.c - the baseline for `make bench` (issue #13): a bare
 * libcsv parse of the same files probity audits, counting rows and fields
 * and nothing else.  The audit is judged against this ("within 8x of a bare
 * parse").  Bench tooling, not part of probity.
 *
 * Usage: csvparse FILE.csv...   prints "rows R fields F bytes B"
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

struct counts {
	unsigned long long rows, fields, bytes;
};

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((struct counts *)data)->fields++;
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct counts *)data)->rows++;
}

static int parse_file(const char *path, struct csv_parser *p, struct counts *n)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		n->bytes += got;
		if (csv_parse(p, buf, got, on_field, on_row, n) != got) {
			fprintf(stderr, "%s: %s\n", path, csv_strerror(csv_error(p)));
			fclose(f);
			return -1;
		}
	}
	csv_fini(p, on_field, on_row, n);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct csv_parser p;
	struct counts n = { 0, 0, 0 };

	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return 4;
	for (int i = 1; i < argc; i++)
		if (parse_file(argv[i], &p, &n) != 0)
			return 3;
	csv_free(&p);
	printf("rows %llu fields %llu bytes %llu\n", n.rows, n.fields, n.bytes);
	return 0;
}
