/*
 * registry.c - the table of reporters, the only place a format is named.
 * `csv` and `entities` are separate entries because they are separate
 * files; engine/main.c writes entities.csv whenever csv is asked for.
 */
#include <string.h>

#include "report.h"

const pb_reporter *const pb_reporters[] = {
	&pb_report_json,
	&pb_report_csv,
	&pb_report_entities_csv,
	&pb_report_html,
	&pb_report_text,
};

const size_t pb_nreporters = sizeof(pb_reporters) / sizeof(pb_reporters[0]);

const pb_reporter *pb_reporter_find(const char *name)
{
	for (size_t i = 0; i < pb_nreporters; i++)
		if (!strcmp(pb_reporters[i]->name, name))
			return pb_reporters[i];
	return NULL;
}

const char *pb_report_tool(void)
{
	return "probity " PB_VERSION;
}
