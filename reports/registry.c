/* registry.c - the table of reporters, in the order --help lists them. */
#include "reports.h"

const pb_reporter *const pb_reporter_registry[] = {
	&pb_report_json,
	&pb_report_csv,
	&pb_report_entities_csv,
	&pb_report_html,
	&pb_report_text,
	&pb_report_cardinal,
};

const size_t pb_reporter_registry_len =
	sizeof(pb_reporter_registry) / sizeof(pb_reporter_registry[0]);
