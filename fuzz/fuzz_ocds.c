/*
 * fuzz_ocds.c - libFuzzer harness for the OCDS importer.  Each input is
 * written to a file and imported as .json (first byte even) or .jsonl
 * (odd); the importer must never crash, hang or leak, every input's
 * counts must reconcile and every rejection must name a line of the file.
 * Build and run: make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../importers/importers.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	pb_config cfg;
	pb_error err;

	if (!size)
		return 0;
	snprintf(path, sizeof(path), "/tmp/probity-fuzz-%d.%s", (int)getpid(),
		 data[0] & 1 ? "jsonl" : "json");
	if (fuzz_write_file(path, data + 1, size - 1) < 0)
		return 0;
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	pb_import_path(l, path, NULL, &cfg, &err);
	fuzz_check_ledger(l, data + 1, size - 1);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	unlink(path);
	return 0;
}
