/*
 * procedure.h - procedure semantics in one table (issue #8).
 *
 * Publishers name their procedures in their own words: OCDS codes,
 * eForms and TED procedure types, Prozorro's procurementMethodType,
 * national names.  config/procedures.txt maps each to the canonical
 * method and to whether the procedure published a call for competition;
 * the [procedures] section of a configuration extends or overrides it.
 * Rules ask pb_procedure_of() rather than reading tender.method, so that
 * a negotiated procedure with a prior call is competitive everywhere.
 */
#ifndef PB_PROCEDURE_H
#define PB_PROCEDURE_H

#include "pb.h"

typedef enum {
	PB_COMPETITION_UNKNOWN = -1,
	PB_COMPETITION_NO = 0,
	PB_COMPETITION_YES = 1
} pb_competition;

typedef struct {
	const char *name;   /* as written in the table (for evidence) */
	const char *method; /* "open", "selective", "limited", "direct" */
	pb_competition competitive;
	int small; /* the legal route for low-value purchases (Prozorro
		    * "reporting"): no justification is owed */
	int cites; /* the name cites the legal ground of an exception to
		    * competition (Mexico City's "De conformidad con el
		    * artículo 54 fracción II bis ..."): a rationale that is
		    * it gives that ground, not a bare procedure name */
} pb_procedure;

typedef struct pb_procedures pb_procedures;

/* The built-in table (config/procedures.txt). */
pb_procedures *pb_procedures_new(void);
void pb_procedures_free(pb_procedures *p);

/*
 * Adds or replaces one entry from a line's parts: name (a trailing '*'
 * matches any ending), method and "yes"/"no".  Returns -1 and fills err
 * (naming what is wrong, without file or line) when method or
 * competitive is not valid.
 */
int pb_procedures_set(pb_procedures *p, const char *name, const char *method,
		      const char *competitive, pb_error *err);

/*
 * Sets the flags of the entry written exactly `name` from a list of
 * words separated by blanks: "small" (a low-value route), "cites" (a
 * legal ground's citation).  Returns -1 and fills err (without file or
 * line) when a word is neither or there is no such entry.
 */
int pb_procedures_mark(pb_procedures *p, const char *name, const char *flags, pb_error *err);

/*
 * Adds or replaces the entry `name` from the words of a [procedures]
 * value or a line of config/procedures.txt after its name: "METHOD
 * yes|no [small] [cites]", separated by blanks, '|' or ','.  Returns -1
 * and fills err (naming the entry, without file or line) when a word is
 * missing or wrong.
 */
int pb_procedures_add(pb_procedures *p, const char *name, const char *spec, pb_error *err);

/* The entry whose name matches `name` (exact before prefix, longest
 * prefix first), or NULL. */
const pb_procedure *pb_procedures_find(const pb_procedures *p, const char *name);

/*
 * The procedure of a tender from its method_details, else from its
 * rationale when that is nothing but a procedure's name (Mexico's GACM
 * writes "22 ADJUDICACION DIRECTA NACIONAL ART. 43 LOPSRM" there, under
 * procurementMethod "open"), else its method; NULL when none is known
 * to the table.
 */
const pb_procedure *pb_procedure_of(const pb_procedures *p, const char *method,
				    const char *method_details, const char *rationale);

/* Does the rationale merely name a procedure (a leading code number
 * dropped)?  Such a rationale justifies nothing.  One that is an entry
 * marked `cites` gives the exception's legal ground: not merely a name. */
int pb_procedure_is_rationale(const pb_procedures *p, const char *rationale);

#endif
