/*
 * fuzz_xml.c - libFuzzer harness for the eForms/TED XML importer.  The
 * input is one notice; the importer must never crash, hang, leak or
 * fetch anything, and its counts must reconcile.
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

	snprintf(path, sizeof(path), "/tmp/probity-fuzz-%d-notice.xml", (int)getpid());
	if (fuzz_write_file(path, data, size) < 0)
		return 0;
	pb_config_init(&cfg);
	pb_ledger *l = pb_ledger_new("EUR");
	pb_import_path(l, path, NULL, &cfg, &err);
	fuzz_check_ledger(l, data, size);
	pb_ledger_free(l);
	pb_config_release(&cfg);
	unlink(path);
	return 0;
}
