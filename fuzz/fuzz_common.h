/*
 * fuzz_common.h - what every harness checks, included by each harness
 * (one translation unit each, so the helpers are static).
 */
#ifndef PB_FUZZ_COMMON_H
#define PB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../cli/cli.h"
#include "../engine/catalog.h"
#include "../engine/ledger.h"

/* The plug-in tables, installed before libFuzzer calls a harness, as
 * cli/main.c installs them. */
static void fuzz_install(void) __attribute__((constructor));

static void fuzz_install(void)
{
	cli_catalog_install();
}

static int fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (size)
		fwrite(data, 1, size, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Rows read = imported + rejected + filtered; no rejection names a line past the end. */
static void fuzz_check_ledger(pb_ledger *l, const uint8_t *data, size_t size)
{
	const pb_input *in = pb_ledger_inputs(l);
	uint64_t lines = 1;

	for (size_t i = 0; i < pb_ledger_ninputs(l); i++)
		if (in[i].rows_read !=
		    in[i].rows_imported + in[i].rows_rejected + in[i].rows_filtered)
			abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	const pb_rejection *rj = pb_ledger_rejections(l);
	for (size_t i = 0; i < pb_ledger_nrejections(l); i++)
		if (rj[i].line > lines + 1)
			abort();
}

#endif
