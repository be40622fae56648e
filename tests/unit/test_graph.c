/* test_graph.c - links, validity dates and bounded shortest paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../engine/graph.h"

static const char *S(pb_ledger *l, const char *s)
{
	return pb_ledger_intern(l, s, strlen(s));
}

/* pb_ledger_add's answer: -1 for a link already there. */
static int put_rel(pb_ledger *l, size_t in, const char *from, const char *to,
		   const char *kind, pb_date start, pb_date end, uint32_t line)
{
	pb_relationship r;

	memset(&r, 0, sizeof(r));
	pb_row_set(l, &r.row, S(l, "relationships.csv"), line, NULL);
	r.from_id = pb_text_of(S(l, from));
	r.to_id = pb_text_of(S(l, to));
	r.kind = pb_text_of(S(l, kind));
	r.share_pct = PB_INT_NONE;
	r.start_on = start;
	r.end_on = end;
	return pb_ledger_add(l, in, PB_T_RELATIONSHIPS, &r);
}

static void add_rel(pb_ledger *l, size_t in, const char *from, const char *to,
		    const char *kind, pb_date start, pb_date end, uint32_t line)
{
	assert_int_equal(put_rel(l, in, from, to, kind, start, end, line), 0);
}

static void add_official(pb_ledger *l, size_t in, const char *id,
			 const char *employer)
{
	pb_party p;

	memset(&p, 0, sizeof(p));
	pb_row_set(l, &p.row, S(l, "parties.csv"), 2, NULL);
	p.party_id = pb_text_of(S(l, id));
	p.employer_id = pb_text_of(S(l, employer));
	p.registered_on = PB_DATE_NONE;
	assert_int_equal(pb_ledger_add(l, in, PB_T_PARTIES, &p), 0);
}

static int only_family_then_control(const pb_edge *e, const char *at,
				    size_t hop, void *data)
{
	(void)at;
	(void)hop;
	(void)data;
	return strcmp(e->kind, "employee") != 0;
}

static void test_paths(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	size_t pin = pb_ledger_add_input(l, "parties.csv", "parties", "csv");
	pb_date y2023 = pb_date_from_ymd(2023, 1, 1);
	pb_date y2024 = pb_date_from_ymd(2024, 1, 1);
	pb_path path;
	(void)state;

	add_official(l, pin, "OFF-1", "MOD");
	add_rel(l, rin, "OFF-1", "SPOUSE-1", "spouse", PB_DATE_NONE, PB_DATE_NONE, 2);
	add_rel(l, rin, "SPOUSE-1", "SUP-A", "director", y2023, PB_DATE_NONE, 3);
	/* A directorship that ended before 2024. */
	add_rel(l, rin, "OFF-1", "SUP-B", "director", PB_DATE_NONE, pb_date_from_ymd(2023, 6, 30), 4);
	pb_ledger_seal(l);
	pb_graph *g = pb_graph_build(l, NULL);

	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-A"), y2024, 2, NULL, NULL, &path), 1);
	assert_int_equal(path.nedges, 2);
	assert_ptr_equal(path.nodes[0], S(l, "OFF-1"));
	assert_ptr_equal(path.nodes[1], S(l, "SPOUSE-1"));
	assert_ptr_equal(path.nodes[2], S(l, "SUP-A"));
	assert_string_equal(path.edges[0]->kind, "spouse");
	assert_string_equal(path.edges[1]->kind, "director");
	/* One hop is not enough. */
	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-A"), y2024, 1, NULL, NULL, &path), 0);
	/* Before the directorship started there is no link. */
	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-A"), pb_date_from_ymd(2022, 5, 1), 2, NULL, NULL, &path), 0);
	/* The ended directorship links in 2023 but not in 2024. */
	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-B"), pb_date_from_ymd(2023, 3, 1), 2, NULL, NULL, &path), 1);
	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-B"), y2024, 2, NULL, NULL, &path), 0);
	/* Employer links come from parties.employer_id; filters can refuse them. */
	assert_int_equal(pb_graph_path(g, S(l, "MOD"), S(l, "SUP-A"), y2024, 3, NULL, NULL, &path), 1);
	assert_int_equal(path.nedges, 3);
	assert_int_equal(path.edges[0]->table, PB_T_PARTIES);
	assert_int_equal(pb_graph_path(g, S(l, "MOD"), S(l, "SUP-A"), y2024, 3, only_family_then_control, NULL, &path), 0);
	size_t n;
	pb_graph_edges(g, S(l, "OFF-1"), &n);
	assert_int_equal(n, 3);
	assert_null(pb_graph_edges(g, S(l, "NOBODY"), &n));
	pb_graph_free(g);
	pb_ledger_free(l);
}

/* Searched from the supplier: the first hop must give control of it. */
static int control_first(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)data;
	if (hop == 0)
		return e->to == at && (!strcmp(e->kind, "owner") || !strcmp(e->kind, "director"));
	return strcmp(e->kind, "employee") != 0;
}

/* The same question in both row orders: employee and owner of SUP-X. */
static void order_case(int owner_first)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	pb_path path;

	add_rel(l, rin, "OFF-1", "SUP-X", owner_first ? "owner" : "employee", PB_DATE_NONE, PB_DATE_NONE, 2);
	add_rel(l, rin, "OFF-1", "SUP-X", owner_first ? "employee" : "owner", PB_DATE_NONE, PB_DATE_NONE, 3);
	add_rel(l, rin, "P-2", "SUP-X", "employee", PB_DATE_NONE, PB_DATE_NONE, 4);
	pb_ledger_seal(l);
	pb_graph *g = pb_graph_build(l, NULL);
	pb_graph_walk *w = pb_graph_walk_new(g);

	assert_int_equal(pb_graph_walk_path(g, w, S(l, "SUP-X"), S(l, "OFF-1"), PB_DATE_NONE, 2,
					    control_first, NULL, &path), 1);
	assert_int_equal(path.nedges, 1);
	assert_string_equal(path.edges[0]->kind, "owner");
	/* P-2 is only an employee: not reached. */
	assert_int_equal(pb_graph_walk_path(g, w, S(l, "SUP-X"), S(l, "P-2"), PB_DATE_NONE, 2,
					    control_first, NULL, &path), 0);
	size_t n = pb_graph_reach(g, w, S(l, "SUP-X"), PB_DATE_NONE, 2, control_first, NULL);
	assert_int_equal(n, 1);
	assert_ptr_equal(pb_graph_walk_node(w, 0), S(l, "OFF-1"));
	pb_graph_walk_free(w);
	pb_graph_free(g);
	pb_ledger_free(l);
}

static void test_row_order(void **state)
{
	(void)state;
	order_case(0);
	order_case(1);
}

/* A reusable workspace, reach with routes, reversal; the one-off search
 * and the workspace agree, many times over (epochs). */
static void test_walk(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	pb_path path, again;
	(void)state;

	add_rel(l, rin, "OFF-1", "SPOUSE-1", "spouse", PB_DATE_NONE, PB_DATE_NONE, 2);
	add_rel(l, rin, "SPOUSE-1", "SUP-A", "director", PB_DATE_NONE, PB_DATE_NONE, 3);
	add_rel(l, rin, "SUP-A", "SUP-B", "owner", PB_DATE_NONE, PB_DATE_NONE, 4);
	add_rel(l, rin, "LONE-1", "LONE-2", "relative", PB_DATE_NONE, PB_DATE_NONE, 5);
	pb_ledger_seal(l);
	pb_graph *g = pb_graph_build(l, NULL);
	pb_graph_walk *w = pb_graph_walk_new(g);

	size_t n = pb_graph_reach(g, w, S(l, "OFF-1"), PB_DATE_NONE, 2, NULL, NULL);
	assert_int_equal(n, 2); /* SPOUSE-1, SUP-A; SUP-B is three hops away */
	assert_ptr_equal(pb_graph_walk_node(w, 0), S(l, "SPOUSE-1"));
	assert_ptr_equal(pb_graph_walk_node(w, 1), S(l, "SUP-A"));
	pb_graph_walk_route(w, 1, &path);
	assert_int_equal(path.nedges, 2);
	assert_ptr_equal(path.nodes[0], S(l, "OFF-1"));
	pb_path_reverse(&path);
	assert_ptr_equal(path.nodes[0], S(l, "SUP-A"));
	assert_ptr_equal(path.nodes[2], S(l, "OFF-1"));
	assert_string_equal(path.edges[0]->kind, "director");
	assert_string_equal(path.edges[1]->kind, "spouse");
	assert_int_equal(pb_graph_reach(g, w, S(l, "NOBODY"), PB_DATE_NONE, 2, NULL, NULL), 0);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(pb_graph_walk_path(g, w, S(l, "OFF-1"), S(l, "SUP-B"), PB_DATE_NONE, 3,
						    NULL, NULL, &path), 1);
		assert_int_equal(pb_graph_walk_path(g, w, S(l, "OFF-1"), S(l, "LONE-2"), PB_DATE_NONE, 3,
						    NULL, NULL, &path), 0);
	}
	assert_int_equal(pb_graph_path(g, S(l, "OFF-1"), S(l, "SUP-B"), PB_DATE_NONE, 3, NULL, NULL, &again), 1);
	pb_graph_walk_path(g, w, S(l, "OFF-1"), S(l, "SUP-B"), PB_DATE_NONE, 3, NULL, NULL, &path);
	assert_int_equal(again.nedges, 3);
	for (size_t i = 0; i <= again.nedges; i++)
		assert_ptr_equal(again.nodes[i], path.nodes[i]);
	pb_graph_walk_free(w);
	pb_graph_free(g);
	pb_ledger_free(l);
}

static int not_employee(const pb_edge *e, const char *at, size_t hop, void *data)
{
	(void)at;
	(void)hop;
	(void)data;
	return strcmp(e->kind, "employee") != 0;
}

/* The next number of a seeded sequence, below n. */
static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* nlinks random links among `nodes` nodes N-0, N-1...: random kinds, a
 * start on two in three and, with ends, an end on two in three (a link
 * drawn twice is rejected the second time: fine). */
static void random_links(pb_ledger *l, size_t rin, unsigned *seed, uint32_t nlinks,
			 unsigned nodes, int ends)
{
	static const char *const kinds[] = {"owner", "director", "spouse", "employee"};
	char a[16], b[16];

	for (uint32_t i = 0; i < nlinks; i++) {
		snprintf(a, sizeof(a), "N-%u", rnd(seed, nodes));
		snprintf(b, sizeof(b), "N-%u", rnd(seed, nodes));
		pb_date start = rnd(seed, 3) ? (pb_date)(19000 + rnd(seed, 400)) : PB_DATE_NONE;
		pb_date end = ends && rnd(seed, 3) ? (pb_date)(19200 + rnd(seed, 400)) : PB_DATE_NONE;
		const char *kind = kinds[rnd(seed, 4)];
		if (strcmp(a, b))
			put_rel(l, rin, a, b, kind, start, end, i + 2);
	}
}

/* Everything a search found, as text: each node and its route. */
static void reach_text(const pb_graph *g, pb_graph_walk *w, const char *from, pb_date on,
		       pb_buf *out)
{
	size_t n = pb_graph_reach(g, w, from, on, 3, not_employee, NULL);
	pb_path path;

	pb_buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		pb_graph_walk_route(w, i, &path);
		pb_buf_addf(out, "%s:", pb_graph_walk_node(w, i));
		for (size_t k = 0; k <= path.nedges; k++)
			pb_buf_addf(out, " %s", path.nodes[k]);
		pb_buf_addch(out, '\n');
	}
}

/*
 * A workspace that remembers its searches answers as a fresh search
 * would: on a random graph whose links start and end on random dates
 * (or never), 20 000 searches from random nodes on random dates, some
 * inside and some outside the dates a remembered search holds for.
 */
static void test_reach_remembered(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	unsigned seed = 11;
	char a[16];
	pb_buf fresh, kept;
	(void)state;

	random_links(l, rin, &seed, 150, 40, 1);
	pb_ledger_seal(l);
	pb_graph *g = pb_graph_build(l, NULL);
	pb_graph_walk *plain = pb_graph_walk_new(g), *memo = pb_graph_walk_new(g);
	pb_graph_walk_remember(memo, 3, not_employee, NULL);
	pb_buf_init(&fresh);
	pb_buf_init(&kept);
	size_t found = 0;
	for (int q = 0; q < 20000; q++) {
		snprintf(a, sizeof(a), "N-%u", rnd(&seed, 40));
		pb_date on = (pb_date)(18900 + rnd(&seed, 800));
		reach_text(g, plain, S(l, a), on, &fresh);
		reach_text(g, memo, S(l, a), on, &kept);
		assert_string_equal(kept.data ? kept.data : "", fresh.data ? fresh.data : "");
		found += fresh.len > 0;
	}
	assert_true(found > 1000); /* the searches do find something */
	pb_buf_release(&fresh);
	pb_buf_release(&kept);
	pb_graph_walk_free(plain);
	pb_graph_walk_free(memo);
	pb_graph_free(g);
	pb_ledger_free(l);
}

/*
 * Parts of the graph under a filter: two nodes a search with that filter
 * joins, on any date, are in one part; a node whose every edge the filter
 * refuses is a part of its own; an id the graph lacks is in none.
 */
static void test_parts(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	unsigned seed = 5;
	char a[16], b[16];
	pb_path path;
	(void)state;

	random_links(l, rin, &seed, 70, 80, 0);
	add_rel(l, rin, "LONE", "ORG", "employee", PB_DATE_NONE, PB_DATE_NONE, 200);
	pb_ledger_seal(l);
	pb_graph *g = pb_graph_build(l, NULL);
	pb_graph_parts *parts = pb_graph_parts_new(g, not_employee, NULL);
	size_t joined = 0, apart = 0;
	for (unsigned x = 0; x < 80; x++)
		for (unsigned y = 0; y < 80; y++) {
			snprintf(a, sizeof(a), "N-%u", x);
			snprintf(b, sizeof(b), "N-%u", y);
			uint32_t pa = pb_graph_part(parts, S(l, a)), pb = pb_graph_part(parts, S(l, b));
			if (pa == PB_GRAPH_NO_PART || pb == PB_GRAPH_NO_PART || x == y)
				continue;
			if (pb_graph_path(g, S(l, a), S(l, b), PB_DATE_NONE, PB_PATH_MAX, not_employee,
					  NULL, &path)) {
				assert_int_equal(pa, pb);
				joined++;
			} else {
				apart += pa != pb;
			}
		}
	assert_true(joined > 100); /* both cases are really there */
	assert_true(apart > 100);
	/* LONE's one edge is refused: a part of its own, not ORG's */
	assert_int_not_equal(pb_graph_part(parts, S(l, "LONE")), PB_GRAPH_NO_PART);
	assert_int_not_equal(pb_graph_part(parts, S(l, "LONE")), pb_graph_part(parts, S(l, "ORG")));
	assert_int_equal(pb_graph_part(parts, S(l, "NOT-IN-GRAPH")), PB_GRAPH_NO_PART);
	assert_int_equal(pb_graph_part(parts, NULL), PB_GRAPH_NO_PART);
	pb_graph_parts_free(parts);
	pb_graph_free(g);
	pb_ledger_free(l);
}

/* Officials of an organisation: employer_id and employee rows, each
 * person once, rows that ended before the date left out. */
static void test_officials_of(void **state)
{
	pb_ledger *l = pb_ledger_new("EUR");
	size_t rin = pb_ledger_add_input(l, "relationships.csv", "relationships", "csv");
	size_t pin = pb_ledger_add_input(l, "parties.csv", "parties", "csv");
	pb_date y2024 = pb_date_from_ymd(2024, 1, 1);
	pb_official *o;
	(void)state;

	add_official(l, pin, "OFF-1", "MOD");
	add_rel(l, rin, "OFF-1", "MOD", "employee", PB_DATE_NONE, PB_DATE_NONE, 2);
	add_rel(l, rin, "OFF-2", "MOD", "employee", pb_date_from_ymd(2020, 1, 1), PB_DATE_NONE, 3);
	add_rel(l, rin, "OFF-3", "MOD", "employee", PB_DATE_NONE, pb_date_from_ymd(2023, 6, 30), 5);
	add_rel(l, rin, "OFF-4", "MOD", "director", PB_DATE_NONE, PB_DATE_NONE, 6);
	pb_ledger_seal(l);
	size_t n = pb_officials_of(l, S(l, "MOD"), y2024, &o);
	assert_int_equal(n, 2);
	assert_ptr_equal(o[0].id, S(l, "OFF-1"));
	assert_int_equal(o[0].table, PB_T_PARTIES);
	assert_ptr_equal(o[1].id, S(l, "OFF-2"));
	assert_int_equal(o[1].table, PB_T_RELATIONSHIPS);
	free(o);
	n = pb_officials_of(l, S(l, "MOD"), pb_date_from_ymd(2023, 1, 1), &o);
	assert_int_equal(n, 3);
	free(o);
	pb_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_row_order),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_reach_remembered),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_officials_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
