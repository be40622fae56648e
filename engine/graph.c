/* graph.c - adjacency lists over interned party ids, and a bounded BFS. */
#include <stdatomic.h>
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
	uint32_t *ends;      /* edge i joins node slots ends[2i] and ends[2i+1] */
	const char **names;  /* node slot -> id */
	pb_idmap index;      /* node -> slot in adj, read back from names */
	/* Node s's edges are adj_block[start[s] .. start[s + 1]), in the
	 * order the edges were listed: slices of one block (a small array per
	 * node cost 15 MB at 1M rows, its own capacity and malloc's header
	 * each; a pointer and a count per node 19 MB at 10M rows). */
	const pb_edge **adj_block;
	uint32_t *start;
	size_t nnodes, capnodes;
};

/*
 * A search's scratch.  Dense (stamp per node slot, reused across
 * searches by bumping the epoch) for callers that search often; sparse
 * (a map of the nodes seen) for one-off searches, so that a single query
 * costs what it visits, not the size of the graph.
 */
/* A search remembered: its visits, and the dates it holds for. */
struct reached {
	struct visit *queue;
	size_t len;
	pb_date lo, hi;
};

struct pb_graph_walk {
	const pb_graph *g;
	uint32_t *stamp;
	uint32_t epoch;
	pb_ptrmap *seen;
	struct visit *queue;
	size_t len, cap;
	/* The last search's visits, len of them: the queue, or the copy a
	 * remembered search keeps (read in place, not copied back). */
	const struct visit *view;
	/* pb_graph_walk_remember */
	int remember;
	size_t hops;
	pb_edge_filter filter;
	void *data;
	pb_ptrmap *memo; /* start node (its id) -> index into reached */
	struct reached *reached;
	size_t nreached, capreached, visits;
	pb_date lo, hi;  /* the dates the current search holds for */
};

/* Visits remembered at most (a few hundred MB): past that, searching. */
#define PB_REACH_MEMO_VISITS ((size_t)1 << 23)

/* pb_idmap_key_fn of the node index. */
static const char *node_name(const void *graph, uint32_t slot)
{
	return ((const pb_graph *)graph)->names[slot];
}

static int find_node(const pb_graph *g, const char *node, uint32_t *slot)
{
	return pb_idmap_get(&g->index, node, node_name, g, slot);
}

/* The slot of node, made on first sight (named, no edges counted). */
static uint32_t node_slot(pb_graph *g, const char *node)
{
	uint32_t slot;

	if (find_node(g, node, &slot))
		return slot;
	if (g->nnodes > PB_IDMAP_VALUE_MAX)
		pb_fatal("out of memory: the party graph holds at most %u parties",
			 (unsigned)PB_IDMAP_VALUE_MAX + 1);
	slot = (uint32_t)g->nnodes;
	PB_GROW(g->names, g->nnodes + 1, g->capnodes);
	g->names[slot] = node;
	g->nnodes++;
	pb_idmap_put(&g->index, node, slot, node_name, g);
	return slot;
}

#define GRAPH_AHEAD 16

/* Lists each edge at both its ends (ends[], then adj_block): counts
 * first, then one block.  An edge from a node to itself joins no two
 * nodes. */
static void link_edges(pb_graph *g)
{
	g->ends = pb_xcalloc_slots(2 * g->nedges + 1, sizeof(*g->ends));
	/* Room for a node per end up front: grown as they came, the index
	 * was rehashed and the names copied a dozen times.  The ends come
	 * in no order, so the slots of the edge GRAPH_AHEAD on are fetched
	 * while this one's are found. */
	g->capnodes = 2 * g->nedges + 1;
	g->names = pb_xmalloc(g->capnodes * sizeof(*g->names));
	(void)pb_idmap_reserve(&g->index, 2 * g->nedges, node_name, g);
	for (size_t i = 0; i < g->nedges; i++) {
		if (i + GRAPH_AHEAD < g->nedges) {
			pb_idmap_prefetch(&g->index, g->edges[i + GRAPH_AHEAD].from);
			pb_idmap_prefetch(&g->index, g->edges[i + GRAPH_AHEAD].to);
		}
		if (g->edges[i].from == g->edges[i].to) {
			g->ends[2 * i] = g->ends[2 * i + 1] = PB_NO_BUCKET; /* in no list */
			continue;
		}
		g->ends[2 * i] = node_slot(g, g->edges[i].from);
		g->ends[2 * i + 1] = node_slot(g, g->edges[i].to);
	}
	/* The ends by node, edge i's being 2i and 2i + 1: each node's edges
	 * in the order they were listed. */
	g->start = pb_xcalloc_slots(g->nnodes + 1, sizeof(*g->start));
	uint32_t *order = pb_bucket_sorted(g->ends, 2 * g->nedges, g->nnodes, g->start);
	size_t total = g->start[g->nnodes];
	g->adj_block = pb_xcalloc_slots(total + 1, sizeof(*g->adj_block));
	for (size_t k = 0; k < total; k++)
		g->adj_block[k] = &g->edges[order[k] / 2];
	free(order);
	/* A self-edge's ends name its node if another edge made one, as
	 * they always have, else slot 0. */
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t s;
		if (g->edges[i].from == g->edges[i].to)
			g->ends[2 * i] = g->ends[2 * i + 1] =
				find_node(g, g->edges[i].from, &s) ? s : 0;
	}
}

static atomic_size_t graphs_alive;

size_t pb_graphs_alive(void)
{
	return atomic_load(&graphs_alive);
}

pb_graph *pb_graph_build(pb_ledger *l, const pb_parties *parties)
{
	pb_graph *g = pb_xcalloc(1, sizeof(*g));
	size_t nrel, nparty;
	const pb_relationship *rel = pb_ledger_relationships(l, &nrel);
	const pb_party *party = pb_ledger_parties(l, &nparty);
	/* kinds are compared as text (is_employment), never by pointer */
	const char *employee = "employee";

	g->edges = pb_xcalloc(nrel + nparty + 1, sizeof(*g->edges));
	for (size_t i = 0; i < nrel; i++) {
		if (!rel[i].from_id || !rel[i].to_id || rel[i].from_id == rel[i].to_id)
			continue;
		g->edges[g->nedges++] = (pb_edge){
			pb_str(rel[i].from_id), pb_str(rel[i].to_id), pb_str(rel[i].kind),
			rel[i].start_on, rel[i].end_on, rel[i].share_pct, PB_T_RELATIONSHIPS, &rel[i]};
	}
	for (size_t i = 0; i < nparty; i++) {
		if (!party[i].employer_id || party[i].employer_id == party[i].party_id)
			continue;
		g->edges[g->nedges++] = (pb_edge){
			pb_str(party[i].party_id), pb_str(party[i].employer_id), employee,
			PB_DATE_NONE, PB_DATE_NONE, PB_INT_NONE, PB_T_PARTIES,
			&party[i]};
	}
	for (size_t i = 0; parties && i < g->nedges; i++) {
		g->edges[i].from = pb_parties_entity(parties, g->edges[i].from);
		g->edges[i].to = pb_parties_entity(parties, g->edges[i].to);
	}
	link_edges(g);
	atomic_fetch_add(&graphs_alive, 1);
	return g;
}

void pb_graph_free(pb_graph *g)
{
	if (!g)
		return;
	free(g->adj_block);
	free(g->start);
	free(g->edges);
	free(g->names);
	free(g->ends);
	pb_idmap_release(&g->index);
	free(g);
	atomic_fetch_sub(&graphs_alive, 1);
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
	if (!node || !find_node(g, node, &slot))
		return NULL;
	*n = g->start[slot + 1] - g->start[slot];
	return g->adj_block + g->start[slot];
}


pb_graph_walk *pb_graph_walk_new(const pb_graph *g)
{
	pb_graph_walk *w = pb_xcalloc(1, sizeof(*w));

	w->g = g;
	w->stamp = pb_xcalloc(g->nnodes + 1, sizeof(*w->stamp));
	return w;
}

void pb_graph_walk_free(pb_graph_walk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nreached; i++)
		free(w->reached[i].queue);
	free(w->reached);
	pb_ptrmap_free(w->memo);
	free(w->stamp);
	pb_ptrmap_free(w->seen);
	free(w->queue);
	free(w);
}

/* Marks a node; returns 1 if the current search had already seen it. */
static int seen(pb_graph_walk *w, uint32_t node)
{
	uint32_t v;

	if (w->stamp) {
		if (w->stamp[node] == w->epoch)
			return 1;
		w->stamp[node] = w->epoch;
		return 0;
	}
	if (pb_ptrmap_get(w->seen, w->g->names[node], &v))
		return 1;
	pb_ptrmap_put(w->seen, w->g->names[node], 1);
	return 0;
}

static void walk_start(pb_graph_walk *w, uint32_t start)
{
	if (w->stamp && ++w->epoch == 0) { /* wrapped: forget every old mark */
		memset(w->stamp, 0, (w->g->nnodes + 1) * sizeof(*w->stamp));
		w->epoch = 1;
	}
	w->len = 0;
	PB_GROW(w->queue, 1, w->cap);
	w->queue[w->len++] = (struct visit){start, -1, NULL, 0};
	seen(w, start);
}

/*
 * The dates on which edge e is valid, or not, as it is on `on`, narrow
 * those the current search holds for (conservatively: a sub-range).
 */
static void narrow(pb_graph_walk *w, const pb_edge *e, pb_date on)
{
	if (e->start_on != PB_DATE_NONE) {
		if (on < e->start_on)
			w->hi = w->hi < e->start_on - 1 ? w->hi : e->start_on - 1;
		else
			w->lo = w->lo > e->start_on ? w->lo : e->start_on;
	}
	if (e->end_on != PB_DATE_NONE) {
		if (on > e->end_on)
			w->lo = w->lo > e->end_on + 1 ? w->lo : e->end_on + 1;
		else
			w->hi = w->hi < e->end_on ? w->hi : e->end_on;
	}
}

/*
 * Breadth first from `start`; stops when `goal` (if not UINT32_MAX) is
 * queued and returns its place in the queue + 1, else 0.  Every node
 * queued is in w->queue[1 .. w->len).
 */
static size_t bfs(const pb_graph *g, pb_graph_walk *w, uint32_t start, uint32_t goal,
		  pb_date on, size_t max_hops, pb_edge_filter filter, void *data)
{
	if (max_hops > PB_PATH_MAX)
		max_hops = PB_PATH_MAX;
	walk_start(w, start);
	for (size_t head = 0; head < w->len; head++) {
		struct visit cur = w->queue[head];
		const char *at = g->names[cur.node];
		if (cur.depth >= max_hops)
			continue;
		for (uint32_t k = g->start[cur.node]; k < g->start[cur.node + 1]; k++) {
			const pb_edge *e = g->adj_block[k];
			size_t ei = (size_t)(e - g->edges);
			uint32_t next = g->ends[2 * ei] == cur.node ? g->ends[2 * ei + 1]
								    : g->ends[2 * ei];
			if (w->remember)
				narrow(w, e, on);
			if (!pb_edge_valid_on(e, on) ||
			    (filter && !filter(e, at, cur.depth, data)) || seen(w, next))
				continue;
			PB_GROW(w->queue, w->len + 1, w->cap);
			w->queue[w->len++] = (struct visit){next, (int32_t)head, e, cur.depth + 1};
			if (next == goal)
				return w->len;
		}
	}
	return 0;
}

struct pb_graph_parts {
	const pb_graph *g;
	uint32_t *root; /* per node slot: union-find, then each part's root */
};

static uint32_t part_root(uint32_t *root, uint32_t x)
{
	while (root[x] != x) {
		root[x] = root[root[x]]; /* halving */
		x = root[x];
	}
	return x;
}

pb_graph_parts *pb_graph_parts_new(const pb_graph *g, pb_edge_filter filter, void *data)
{
	pb_graph_parts *p = pb_xcalloc(1, sizeof(*p));

	p->g = g;
	p->root = pb_xcalloc(g->nnodes + 1, sizeof(*p->root));
	for (size_t i = 0; i < g->nnodes; i++)
		p->root[i] = (uint32_t)i;
	for (size_t i = 0; i < g->nedges; i++) {
		const pb_edge *e = &g->edges[i];
		if (e->from == e->to || (filter && !filter(e, NULL, 0, data)))
			continue;
		uint32_t a = part_root(p->root, g->ends[2 * i]), b = part_root(p->root, g->ends[2 * i + 1]);
		if (a != b)
			p->root[a > b ? a : b] = a < b ? a : b;
	}
	for (size_t i = 0; i < g->nnodes; i++)
		p->root[i] = part_root(p->root, (uint32_t)i);
	return p;
}

uint32_t pb_graph_part(const pb_graph_parts *p, const char *node)
{
	uint32_t slot;

	return node && find_node(p->g, node, &slot) ? p->root[slot] : PB_GRAPH_NO_PART;
}

void pb_graph_part_fetch_slot(const pb_graph_parts *p, const char *node)
{
	if (node)
		pb_idmap_prefetch(&p->g->index, node);
}

void pb_graph_part_fetch_node(const pb_graph_parts *p, const char *node)
{
	uint32_t slot = node ? pb_idmap_peek(&p->g->index, node) : PB_IDMAP_NONE;

	if (slot != PB_IDMAP_NONE && slot < p->g->nnodes) {
		__builtin_prefetch(&p->g->names[slot]);
		__builtin_prefetch(&p->root[slot]);
	}
}

void pb_graph_parts_free(pb_graph_parts *p)
{
	if (!p)
		return;
	free(p->root);
	free(p);
}

void pb_graph_walk_route(const pb_graph_walk *w, size_t i, pb_path *path)
{
	const struct visit *v = w->view;
	size_t end = i + 1;

	path->nedges = v[end].depth;
	for (int32_t k = (int32_t)end; k >= 0; k = v[k].parent) {
		path->nodes[v[k].depth] = w->g->names[v[k].node];
		if (v[k].via)
			path->edges[v[k].depth - 1] = v[k].via;
	}
}

const char *pb_graph_walk_node(const pb_graph_walk *w, size_t i)
{
	return w->g->names[w->view[i + 1].node];
}

int pb_graph_walk_path(const pb_graph *g, pb_graph_walk *w, const char *from,
		       const char *to, pb_date on, size_t max_hops,
		       pb_edge_filter filter, void *data, pb_path *path)
{
	uint32_t start, goal;

	if (!from || !to || from == to || !find_node(g, from, &start) || !find_node(g, to, &goal))
		return 0;
	size_t at = bfs(g, w, start, goal, on, max_hops, filter, data);
	w->view = w->queue;
	if (!at)
		return 0;
	pb_graph_walk_route(w, at - 2, path);
	return 1;
}

/* The remembered search from `from`, if it holds on `on`: made w->view,
 * which stays valid until the next search (a later search from `from`
 * may replace the copy). */
static int recall(pb_graph_walk *w, const char *from, pb_date on)
{
	uint32_t i;

	if (!pb_ptrmap_get(w->memo, from, &i))
		return 0;
	const struct reached *r = &w->reached[i];
	if (on < r->lo || on > r->hi)
		return 0;
	w->view = r->queue;
	w->len = r->len;
	return 1;
}

/* Remembers the search just made from `from` (the latest for its node). */
static void keep(pb_graph_walk *w, const char *from)
{
	uint32_t i;

	if (w->visits + w->len > PB_REACH_MEMO_VISITS)
		return;
	if (!pb_ptrmap_get(w->memo, from, &i)) {
		PB_GROW(w->reached, w->nreached + 1, w->capreached);
		i = (uint32_t)w->nreached++;
		w->reached[i] = (struct reached){NULL, 0, 0, 0};
		pb_ptrmap_put(w->memo, from, i);
	}
	struct reached *r = &w->reached[i];
	w->visits += w->len;
	w->visits -= r->len;
	r->queue = pb_xreallocarray(r->queue, w->len, sizeof(*r->queue));
	memcpy(r->queue, w->queue, w->len * sizeof(*r->queue));
	r->len = w->len;
	r->lo = w->lo;
	r->hi = w->hi;
}

size_t pb_graph_reach(const pb_graph *g, pb_graph_walk *w, const char *from,
		      pb_date on, size_t max_hops, pb_edge_filter filter,
		      void *data)
{
	uint32_t start;

	w->len = 0;
	if (!from || !find_node(g, from, &start))
		return 0;
	int memo = w->remember && on != PB_DATE_NONE && max_hops == w->hops &&
		   filter == w->filter && data == w->data;
	if (memo && recall(w, from, on))
		return w->len - 1;
	w->lo = INT32_MIN;
	w->hi = INT32_MAX;
	bfs(g, w, start, UINT32_MAX, on, max_hops, filter, data);
	w->view = w->queue;
	if (memo)
		keep(w, from);
	return w->len - 1;
}

void pb_graph_walk_remember(pb_graph_walk *w, size_t max_hops, pb_edge_filter filter, void *data)
{
	w->remember = 1;
	w->hops = max_hops;
	w->filter = filter;
	w->data = data;
	if (!w->memo)
		w->memo = pb_ptrmap_new();
}

int pb_graph_path(const pb_graph *g, const char *from, const char *to,
		  pb_date on, size_t max_hops, pb_edge_filter filter,
		  void *data, pb_path *path)
{
	pb_graph_walk w = {.g = g, .seen = pb_ptrmap_new()};
	int found = pb_graph_walk_path(g, &w, from, to, on, max_hops, filter, data, path);

	pb_ptrmap_free(w.seen);
	free(w.queue);
	return found;
}

void pb_path_reverse(pb_path *p)
{
	for (size_t i = 0, j = p->nedges - 1; p->nedges && i < j; i++, j--) {
		const pb_edge *e = p->edges[i];
		p->edges[i] = p->edges[j];
		p->edges[j] = e;
	}
	for (size_t i = 0, j = p->nedges; i < j; i++, j--) {
		const char *n = p->nodes[i];
		p->nodes[i] = p->nodes[j];
		p->nodes[j] = n;
	}
}

void pb_employees_of(pb_ledger *l, const char *org, pb_date on, pb_official_fn fn, void *data)
{
	size_t nr;
	const uint32_t *ri = pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, to_id), org, &nr);
	pb_ptrmap *seen = nr ? pb_ptrmap_new() : NULL; /* no repeats, without a quadratic scan */
	uint32_t k;

	for (size_t i = 0; i < nr; i++) {
		const pb_relationship *r = pb_ledger_at(l, PB_T_RELATIONSHIPS, ri[i]);
		pb_edge e = {pb_str(r->from_id), pb_str(r->to_id), pb_str(r->kind), r->start_on,
			     r->end_on, r->share_pct, PB_T_RELATIONSHIPS, r};
		if (!r->kind || strcmp(pb_str(r->kind), "employee") || !pb_edge_valid_on(&e, on) ||
		    !r->from_id || pb_ptrmap_get(seen, pb_str(r->from_id), &k))
			continue;
		pb_ptrmap_put(seen, pb_str(r->from_id), 1);
		const pb_party *p = pb_ledger_find(l, PB_T_PARTIES, pb_str(r->from_id));
		if (p && pb_str(p->employer_id) == org)
			continue; /* a party official, counted by its employer_id */
		pb_official o = p ? (pb_official){pb_str(p->party_id), PB_T_PARTIES, p}
				  : (pb_official){pb_str(r->from_id), PB_T_RELATIONSHIPS, r};
		fn(&o, data);
	}
	pb_ptrmap_free(seen);
}

struct official_list {
	pb_official *o;
	size_t n;
};

static void official_append(const pb_official *o, void *data)
{
	struct official_list *list = data;

	list->o[list->n++] = *o;
}

size_t pb_officials_of(pb_ledger *l, const char *org, pb_date on, pb_official **out)
{
	size_t np, nr;
	const uint32_t *pi = pb_ledger_group(l, PB_T_PARTIES, offsetof(pb_party, employer_id), org, &np);

	pb_ledger_group(l, PB_T_RELATIONSHIPS, offsetof(pb_relationship, to_id), org, &nr);
	struct official_list list = {pb_xcalloc(np + nr + 1, sizeof(pb_official)), 0};
	for (size_t i = 0; i < np; i++) {
		const pb_party *p = pb_ledger_at(l, PB_T_PARTIES, pi[i]);
		list.o[list.n++] = (pb_official){pb_str(p->party_id), PB_T_PARTIES, p};
	}
	pb_employees_of(l, org, on, official_append, &list);
	*out = list.o;
	return list.n;
}
