/* registry.c - the table of importers, in the order --help lists them. */
#include "importers.h"

const pb_importer *const pb_importer_registry[] = {
	&pb_importer_csv,
	&pb_importer_ocds,
	&pb_importer_xml,
};

const size_t pb_importer_registry_len =
	sizeof(pb_importer_registry) / sizeof(pb_importer_registry[0]);
