/* graph.c - adjacency lists over interned party ids, and a bounded BFS. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "graph.h"
#include "parties.h"

struct visit {
	uint32_t node;
	int32_t parent;     /* index into the visit list, -1 for the start */
	const pb_edge *via;
	size_t depth;
};

struct pb_graph {
	pb_edge *edges;
	size_t nedges;
	/* Search scratch, sized once: a path query touches only what it
	 * visits, so millions of queries stay linear in their reach. */
	const char **names;  /* node slot -> id */
	uint32_t *stamp;     /* node slot -> epoch when last seen */
	uint32_t epoch;
	struct visit *queue;
	pb_ptrmap *index;   /* node -> slot in adj */
	const pb_edge ***adj;
	size_t *nadj, *capadj;
	size_t nnodes, capnodes;
};

static uint32_t node_slot(pb_graph *g, const char *node)
{
	uint32_t slot;

	if (pb_ptrmap_get(g->index, node, &slot))
		return slot;
	slot = (uint32_t)g->nnodes;
	if (g->nnodes + 1 > g->capnodes) {
		size_t cap = g->capnodes ? g->capnodes * 2 : 64;
		g->adj = pb_xreallocarray(g->adj, cap, sizeof(*g->adj));
		g->nadj = pb_xreallocarray(g->nadj, cap, sizeof(*g->nadj));
		g->capadj = pb_xreallocarray(g->capadj, cap, sizeof(*g->capadj));
		g->capnodes = cap;
	}
	g->adj[slot] = NULL;
	g->nadj[slot] = g->capadj[slot] = 0;
	g->nnodes++;
	pb_ptrmap_put(g->index, node, slot);
	return slot;
}

static void attach(pb_graph *g, const char *node, const pb_edge *e)
{
	uint32_t s = node_slot(g, node);

	PB_GROW(g->adj[s], g->nadj[s] + 1, g->capadj[s]);
	g->adj[s][g->nadj[s]++] = e;
}

pb_graph *pb_graph_build(pb_ledger *l, const pb_parties *parties)
{
	pb_graph *g = pb_xcalloc(1, sizeof(*g));
	size_t nrel, nparty;
	const pb_relationship *rel = pb_ledger_relationships(l, &nrel);
	const pb_party *party = pb_ledger_parties(l, &nparty);
	const char *employee = pb_ledger_intern(l, "employee", 8);

	g->index = pb_ptrmap_new();
	g->edges = pb_xcalloc(nrel + nparty + 1, sizeof(*g->edges));
	for (size_t i = 0; i < nrel; i++) {
		if (!rel[i].from_id || !rel[i].to_id || rel[i].from_id == rel[i].to_id)
			continue;
		g->edges[g->nedges++] = (pb_edge){
			rel[i].from_id, rel[i].to_id, rel[i].kind, rel[i].start_on,
			rel[i].end_on, rel[i].share_pct, PB_T_RELATIONSHIPS, &rel[i]};
	}
	for (size_t i = 0; i < nparty; i++) {
		if (!party[i].employer_id || party[i].employer_id == party[i].party_id)
			continue;
		g->edges[g->nedges++] = (pb_edge){
			party[i].party_id, party[i].employer_id, employee,
			PB_DATE_NONE, PB_DATE_NONE, PB_INT_NONE, PB_T_PARTIES,
			&party[i]};
	}
	for (size_t i = 0; parties && i < g->nedges; i++) {
		g->edges[i].from = pb_parties_entity(parties, g->edges[i].from);
		g->edges[i].to = pb_parties_entity(parties, g->edges[i].to);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		if (g->edges[i].from == g->edges[i].to)
			continue;
		attach(g, g->edges[i].from, &g->edges[i]);
		attach(g, g->edges[i].to, &g->edges[i]);
	}
	g->names = pb_xcalloc(g->nnodes + 1, sizeof(*g->names));
	g->stamp = pb_xcalloc(g->nnodes + 1, sizeof(*g->stamp));
	g->queue = pb_xcalloc(g->nnodes + 1, sizeof(*g->queue));
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t s;
		if (pb_ptrmap_get(g->index, g->edges[i].from, &s))
			g->names[s] = g->edges[i].from;
		if (pb_ptrmap_get(g->index, g->edges[i].to, &s))
			g->names[s] = g->edges[i].to;
	}
	return g;
}

void pb_graph_free(pb_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nnodes; i++)
		free(g->adj[i]);
	free(g->adj);
	free(g->nadj);
	free(g->capadj);
	free(g->edges);
	free(g->names);
	free(g->stamp);
	free(g->queue);
	pb_ptrmap_free(g->index);
	free(g);
}

int pb_edge_valid_on(const pb_edge *e, pb_date on)
{
	if (on == PB_DATE_NONE)
		return 1;
	if (e->start_on != PB_DATE_NONE && on < e->start_on)
		return 0;
	if (e->end_on != PB_DATE_NONE && on > e->end_on)
		return 0;
	return 1;
}

const pb_edge *const *pb_graph_edges(const pb_graph *g, const char *node,
				     size_t *n)
{
	uint32_t slot;

	*n = 0;
	if (!node || !pb_ptrmap_get(g->index, node, &slot))
		return NULL;
	*n = g->nadj[slot];
	return g->adj[slot];
}


static const char *other_end(const pb_edge *e, const char *at)
{
	return e->from == at ? e->to : e->from;
}

static void fill_path(const struct visit *v, size_t end, const char *const *names,
		      pb_path *path)
{
	size_t depth = v[end].depth;

	path->nedges = depth;
	for (int32_t i = (int32_t)end; i >= 0; i = v[i].parent) {
		path->nodes[v[i].depth] = names[v[i].node];
		if (v[i].via)
			path->edges[v[i].depth - 1] = v[i].via;
	}
}

int pb_graph_path(const pb_graph *cg, const char *from, const char *to,
		  pb_date on, size_t max_hops, pb_edge_filter filter,
		  void *data, pb_path *path)
{
	/* The scratch arrays are the graph's own; callers see it as const. */
	pb_graph *g = (pb_graph *)cg;
	uint32_t start, goal;
	int found = 0;

	if (max_hops > PB_PATH_MAX)
		max_hops = PB_PATH_MAX;
	if (!from || !to || from == to || !pb_ptrmap_get(g->index, from, &start) ||
	    !pb_ptrmap_get(g->index, to, &goal))
		return 0;
	if (++g->epoch == 0) { /* wrapped: forget every old mark */
		memset(g->stamp, 0, (g->nnodes + 1) * sizeof(*g->stamp));
		g->epoch = 1;
	}
	struct visit *q = g->queue;
	size_t head = 0, tail = 0;
	q[tail++] = (struct visit){start, -1, NULL, 0};
	g->stamp[start] = g->epoch;
	while (head < tail && !found) {
		struct visit cur = q[head];
		const char *at = g->names[cur.node];
		if (cur.depth >= max_hops) {
			head++;
			continue;
		}
		for (size_t k = 0; k < g->nadj[cur.node] && !found; k++) {
			const pb_edge *e = g->adj[cur.node][k];
			uint32_t next;
			if (!pb_edge_valid_on(e, on) ||
			    (filter && !filter(e, at, cur.depth, data)))
				continue;
			pb_ptrmap_get(g->index, other_end(e, at), &next);
			if (g->stamp[next] == g->epoch)
				continue;
			g->stamp[next] = g->epoch;
			q[tail] = (struct visit){next, (int32_t)head, e, cur.depth + 1};
			if (next == goal) {
				fill_path(q, tail, g->names, path);
				found = 1;
			}
			tail++;
		}
		head++;
	}
	return found;
}

/* "OFF-1 -[spouse]- P-2 -[director]-> SUP-3" */
const char *pb_path_text(pb_rule_ctx *ctx, const pb_path *p)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addstr(&b, p->nodes[0]);
	for (size_t i = 0; i < p->nedges; i++) {
		const pb_edge *e = p->edges[i];
		int forward = e->from == p->nodes[i];
		pb_buf_addf(&b, " %s[%s]%s %s", forward ? "-" : "<-", e->kind,
			    forward ? "->" : "-", p->nodes[i + 1]);
	}
	const char *s = pb_arena_strdup(pb_ledger_arena(pb_ctx_ledger(ctx)), b.data);
	pb_buf_release(&b);
	return s;
}

void pb_path_evidence(pb_rule_ctx *ctx, pb_finding *f, const pb_path *p)
{
	free(f->path);
	f->path = pb_xcalloc(p->nedges + 1, sizeof(*f->path));
	f->npath = p->nedges;
	for (size_t i = 0; i < p->nedges; i++) {
		const pb_edge *e = p->edges[i];
		pb_finding_evidence(ctx, f, e->table, e->record, e->kind);
		f->path[i] = (pb_path_step){e->from, e->kind, e->to,
					    f->evidence[f->nevidence - 1].source};
	}
}


size_t pb_officials_of(pb_ledger *l, const char *org, pb_date on, pb_official **out)
{
	size_t np, nr, n = 0;
	const uint32_t *pi = pb_ledger_group(l, PB_T_PARTIES, offsetof(pb_party, employer_id), org, &np);
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, to_id), org, &nr);
	pb_official *o = pb_xcalloc(np + nr + 1, sizeof(*o));

	for (size_t i = 0; i < np; i++) {
		const pb_party *p = pb_ledger_at(l, PB_T_PARTIES, pi[i]);
		o[n++] = (pb_official){p->party_id, PB_T_PARTIES, p};
	}
	for (size_t i = 0; i < nr; i++) {
		const pb_relationship *r = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[i]);
		pb_edge e = {r->from_id, r->to_id, r->kind, r->start_on, r->end_on,
			     r->share_pct, PB_T_RELATIONSHIPS, r};
		int seen = 0;
		if (!r->kind || strcmp(r->kind, "employee") || !pb_edge_valid_on(&e, on))
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = o[k].id == r->from_id;
		if (seen)
			continue;
		const pb_party *p = pb_ledger_find(l, PB_T_PARTIES, r->from_id);
		o[n++] = p ? (pb_official){p->party_id, PB_T_PARTIES, p}
			   : (pb_official){r->from_id, PB_T_RELATIONSHIPS, r};
	}
	*out = o;
	return n;
}
