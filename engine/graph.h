/*
 * graph.h - who is linked to whom, and when (issue #4).
 *
 * Nodes are party ids; edges come from the relationships table (owner,
 * director, relative, spouse, employee, agent, declared_interest) and from
 * officials' employer_id.  An edge counts only on the dates it was valid,
 * so a directorship that ended before an award does not link the award.
 * Paths are searched breadth first, shortest first, up to a hop limit;
 * every edge of a path keeps the record that proves it, for evidence.
 */
#ifndef PB_GRAPH_H
#define PB_GRAPH_H

#include "ledger.h"

typedef struct pb_graph pb_graph;

typedef struct {
	const char *from, *to; /* as recorded: owner -> company */
	const char *kind;      /* relationship kind, or "employee" */
	pb_date start_on, end_on;
	int64_t share_pct;     /* millionths, or PB_INT_NONE */
	pb_table table;        /* PB_T_RELATIONSHIPS or PB_T_PARTIES */
	const void *record;    /* the row that proves the link */
} pb_edge;

#define PB_PATH_MAX 8

typedef struct {
	size_t nedges;
	const pb_edge *edges[PB_PATH_MAX]; /* in order from the start node */
	const char *nodes[PB_PATH_MAX + 1];
} pb_path;

/* Decides whether the search may use edge e as hop number `hop` (0-based)
 * walking from node `at`. */
typedef int (*pb_edge_filter)(const pb_edge *e, const char *at, size_t hop,
			      void *data);

/* Party ids are mapped to their entity (engine/parties.h) when parties is
 * not NULL, so a company known under two ids with one registry id is one
 * node; callers must then ask for paths between entity ids too. */
struct pb_parties;
pb_graph *pb_graph_build(pb_ledger *l, const struct pb_parties *parties);
void pb_graph_free(pb_graph *g);
/* Graphs built and not yet freed, in the process: how a test sees the
 * audit let its graph go. */
size_t pb_graphs_alive(void);

/* Is e valid on date `on`?  Unknown bounds are open. */
int pb_edge_valid_on(const pb_edge *e, pb_date on);

/*
 * Shortest path from `from` to `to` using edges valid on `on` (or any
 * date if on is PB_DATE_NONE) that `filter` accepts (NULL = all), with at
 * most max_hops edges (capped at PB_PATH_MAX).  Edges are walked in both
 * directions.  Returns 1 and fills *path if found, else 0.
 *
 * The search is breadth first and marks each node when it first reaches
 * it, so a filter may depend on the hop only if every hop accepts at
 * least what the hop before it accepted (the search is then complete:
 * rows in any order give the same answer).  A path whose last edge must
 * be of some kind is searched from its far end: hop 0 is then the
 * restrictive one (see conflicts.official-linked-supplier).
 *
 * pb_graph_path keeps its own scratch, sized to what it visits, so it is
 * safe on a shared const graph; pb_graph_walk_path does the same search
 * in a caller's reusable workspace, for callers that search many times.
 */
int pb_graph_path(const pb_graph *g, const char *from, const char *to,
		  pb_date on, size_t max_hops, pb_edge_filter filter,
		  void *data, pb_path *path);

/* A search workspace: one per caller (or thread), reused across
 * searches; the graph itself is never written by a search. */
typedef struct pb_graph_walk pb_graph_walk;
pb_graph_walk *pb_graph_walk_new(const pb_graph *g);
void pb_graph_walk_free(pb_graph_walk *w);

int pb_graph_walk_path(const pb_graph *g, pb_graph_walk *w, const char *from,
		       const char *to, pb_date on, size_t max_hops,
		       pb_edge_filter filter, void *data, pb_path *path);

/*
 * Every node reachable from `from` in at most max_hops edges, as
 * pb_graph_path walks them.  Returns how many (not counting `from`);
 * node i (0-based, nearest first) and the shortest path to it are read
 * with pb_graph_walk_node / pb_graph_walk_route until the next search
 * in the same workspace.
 */
size_t pb_graph_reach(const pb_graph *g, pb_graph_walk *w, const char *from,
		      pb_date on, size_t max_hops, pb_edge_filter filter,
		      void *data);
/*
 * Makes the workspace remember what pb_graph_reach found from each node,
 * for searches with these max_hops, filter and data (a filter must then
 * judge an edge by the edge, hop and node alone): a search from the same
 * node on a date for which every edge it looked at is valid, or not, as
 * on the first date is answered from memory, the same nodes in the same
 * order.  For a caller searching from the same nodes again and again (a
 * bidder in each tender it bids in).
 */
void pb_graph_walk_remember(pb_graph_walk *w, size_t max_hops, pb_edge_filter filter, void *data);
const char *pb_graph_walk_node(const pb_graph_walk *w, size_t i);
void pb_graph_walk_route(const pb_graph_walk *w, size_t i, pb_path *path);

/*
 * The parts of the graph that the edges `filter` accepts hold together,
 * whatever the edges' dates: nodes in two parts are joined by no path
 * such a search could find, on any date, so a caller may pass over
 * searches between them.  The filter is asked with at = NULL and hop 0,
 * so it must judge an edge by the edge alone.  A node none of whose edges
 * pass is a part of its own; PB_GRAPH_NO_PART is an id the graph does not
 * hold, in no part with any other.
 */
typedef struct pb_graph_parts pb_graph_parts;
#define PB_GRAPH_NO_PART UINT32_MAX
pb_graph_parts *pb_graph_parts_new(const pb_graph *g, pb_edge_filter filter, void *data);
uint32_t pb_graph_part(const pb_graph_parts *p, const char *node);
/* For a caller asking pb_graph_part of many nodes in turn, each a few
 * cache misses in a large graph: fetch node's slot some calls ahead, then
 * (the slot come) what the call reads through it, half as far ahead. */
void pb_graph_part_fetch_slot(const pb_graph_parts *p, const char *node);
void pb_graph_part_fetch_node(const pb_graph_parts *p, const char *node);
void pb_graph_parts_free(pb_graph_parts *p);

/* Turns a path end for end (a search from the supplier read from the
 * official). */
void pb_path_reverse(pb_path *p);

/* Edges touching a node, for rules that inspect neighbours directly. */
const pb_edge *const *pb_graph_edges(const pb_graph *g, const char *node,
				     size_t *n);

/*
 * The officials of an organisation on a date: parties whose employer_id is
 * the organisation, and the people that an `employee` relationship valid
 * on that date ties to it.  Each comes with the row that makes them an
 * official (their party row, else the relationship), for evidence.
 * Returns a malloc'd array (caller frees), in ledger order, no repeats.
 */
typedef struct {
	const char *id;
	pb_table table;
	const void *record;
} pb_official;

size_t pb_officials_of(pb_ledger *l, const char *org, pb_date on, pb_official **out);

/* Only the second kind: each person an `employee` relationship valid on
 * `on` ties to org and who is not a party it employs, once, in ledger
 * order, passed to fn (for callers that index party officials
 * themselves, such as offsets.linked-beneficiary). */
typedef void (*pb_official_fn)(const pb_official *o, void *data);
void pb_employees_of(pb_ledger *l, const char *org, pb_date on, pb_official_fn fn, void *data);


#endif
