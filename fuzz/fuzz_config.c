/*
 * fuzz_config.c - libFuzzer harness for the configuration loader.  The
 * input is an INI file; loading must never crash, hang or leak, and a
 * failure must say what failed (a non-empty message, code 2).  The same
 * file is also read as probity cardinal reads its settings (pb_ini_read
 * with every key taking indented lines, and a section hook).
 * Build and run: make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../engine/config.h"
#include "../engine/ini.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Hooks as probity cardinal's: every name handed over is a string, and
 * every line number is one the file has. */
struct seen {
	uint64_t lines;
};

static int any_setting(void *user, const char *section, const char *key, const char *value,
		       int continued, uint64_t line)
{
	struct seen *s = user;

	(void)continued;
	if (!section || !key || !value || !line || line > s->lines)
		abort();
	return 1;
}

static int any_section(void *user, const char *name, uint64_t line)
{
	struct seen *s = user;

	if (!name || !line || line > s->lines)
		abort();
	return 1;
}

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
	static const pb_ini_hooks settings = {any_setting, any_section, NULL};
	struct seen seen = {1};
	for (size_t i = 0; i < size; i++)
		seen.lines += data[i] == '\n';
	err.msg[0] = '\0';
	if (pb_ini_read(path, "settings", &settings, &seen, &err) < 0 && (!err.msg[0] || err.code != PB_EXIT_USAGE))
		abort();
	unlink(path);
	return 0;
}
