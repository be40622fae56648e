/*
 * fuzz_config.c - libFuzzer harness for the configuration loader.  The
 * input is an INI file; loading must never crash, hang or leak, and a
 * failure must say what failed (a non-empty message, code 2).
 * Build and run: make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../engine/config.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	pb_config cfg;
	pb_error err;

	snprintf(path, sizeof(path), "/tmp/probity-fuzz-%d.ini", (int)getpid());
	if (fuzz_write_file(path, data, size) < 0)
		return 0;
	pb_config_init(&cfg);
	err.msg[0] = '\0';
	if (pb_config_load(&cfg, path, &err) < 0 && (!err.msg[0] || err.code != PB_EXIT_USAGE))
		abort();
	pb_config_release(&cfg);
	unlink(path);
	return 0;
}
