/*
 * importers.h - the table of importers, the only place an input format
 * is named (the contract is engine/importer.h).
 */
#ifndef PB_IMPORTERS_H
#define PB_IMPORTERS_H

#include "../engine/importer.h"

extern const pb_importer pb_importer_csv;
extern const pb_importer pb_importer_ocds;
extern const pb_importer pb_importer_xml;

extern const pb_importer *const pb_importer_registry[];
extern const size_t pb_importer_registry_len;

#endif
