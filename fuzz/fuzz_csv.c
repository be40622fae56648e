/*
 * fuzz_csv.c - libFuzzer harness for the CSV importer.  Each input is
 * written to a file named like a ledger and imported; the importer must
 * never crash, hang or leak, and its counts must reconcile.
 * Build and run: make fuzz && build/fuzz/fuzz_csv -max_total_time=60 fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../importers/importer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	pb_config cfg;
	pb_error err;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/probity-fuzz-%d-payments.csv", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	pb_config_init(&cfg);
	cfg.max_field_bytes = 4096;
	pb_ledger *l = pb_ledger_new("EUR");
	pb_import_path(l, path, NULL, &cfg, &err);
	const pb_input *in = pb_ledger_inputs(l);
	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		if (in[i].rows_read != in[i].rows_imported + in[i].rows_rejected)
			abort();
	pb_ledger_free(l);
	pb_config_release(&cfg);
	return 0;
}
