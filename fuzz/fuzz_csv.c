/*
 * fuzz_csv.c - libFuzzer harness for the CSV importer.  Each input is
 * written to a file named like a ledger and imported; the importer must
 * never crash, hang or leak, and its counts must reconcile.  The first
 * byte picks a setting the rest is read under (a small field limit, a
 * profile with another encoding and number format, a forced table), so
 * the resync and conversion paths are reached by small inputs too.
 * Build and run: make -C fuzz run
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../importers/importers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	pb_config cfg;
	pb_error err;
	pb_profile prof;
	unsigned mode = size ? data[0] : 0;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/probity-fuzz-%d-payments.csv", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size)
		fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	pb_config_init(&cfg);
	cfg.max_field_bytes = mode & 1 ? 8 : 4096;
	memset(&prof, 0, sizeof(prof));
	if (mode & 2) {
		prof.name = (char *)"fuzz";
		prof.files = (char *)"*";
		prof.encoding = (char *)"windows-1251";
		prof.numfmt.decimal = ',';
		prof.numfmt.thousands = '.';
		prof.date_format = (char *)"DD/MM/YYYY";
		cfg.profiles = &prof;
		cfg.nprofiles = 1;
	}
	pb_ledger *l = pb_ledger_new("EUR");
	pb_import_path(l, path, mode & 4 ? "parties" : NULL, &cfg, &err);
	const pb_input *in = pb_ledger_inputs(l);
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		if (in[i].rows_read !=
		    in[i].rows_imported + in[i].rows_rejected + in[i].rows_filtered)
			abort();
	/* Every line named must exist: 1 .. lines in the file. */
	uint64_t lines = 1;
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	const pb_rejection *rj = pb_ledger_rejections(l);
	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		if (rj[i].line < 1 || rj[i].line > lines)
			abort();
	pb_ledger_seal(l);
	for (int t = 0; t < PB_T_COUNT; t++)
		for (size_t i = 0; i < pb_ledger_count(l, t); i++) {
			const pb_row *row = pb_ledger_at(l, t, i);
			if (row->line < 2 || row->line > lines)
				abort();
		}
	pb_ledger_free(l);
	cfg.profiles = NULL;
	cfg.nprofiles = 0;
	pb_config_release(&cfg);
	return 0;
}
