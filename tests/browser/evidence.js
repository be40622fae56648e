// tests/browser/evidence.js - findings with more evidence rows than
// report.html shows at first (50; reports/html.c), the rest added 1 000
// a click: on the page of rows from the JSON after the finding's line,
// on the grouped page from its group's data, in rows served and rows the
// script builds alike.  Ledger markup in an added row shows as text.
// Evidence ids end in -K for the supplier K of an address (gen-crowd.awk).
// Usage: node evidence.js rows|grouped REPORT.html RULE ROWS
//   rows: the first RULE finding, ROWS evidence rows, shown 50, 1 050, ROWS
//   grouped: RULE's group, each finding ROWS (51 to 1 050) evidence rows,
//   the first served finding and the first of page 2 shown whole
const { withBrowser, checker } = require('./launch');
const [mode, report, rule, rowsArg] = process.argv.slice(2);
const check = checker('browser evidence ' + mode);
const total = +rowsArg;

// The evidence table's row count, the line under it, and whether any
// element in the table is an <img> (ledger markup made markup).
async function state(p, ev) {
  return ev.evaluate(e => {
    const more = e.querySelector('p.ev-more'), b = more && more.querySelector('button');
    const rows = e.querySelector('table').tBodies[0].rows, id = r => r ? r.cells[2].textContent : null;
    return {
      rows: rows.length,
      ids: [id(rows[50]), id(rows[rows.length - 1])],
      line: more ? more.querySelector('span').textContent : null,
      button: b ? b.textContent : null,
      img: !!e.querySelector('table img'),
      markupAsText: Array.from(e.querySelectorAll('td')).some(td => td.textContent.includes('<img src=x')),
    };
  });
}

async function evidenceOf(p, finding) {
  await finding.click();
  return finding.evaluateHandle(r => r.nextElementSibling);
}

async function showAll(p, finding, label) {
  const ev = await evidenceOf(p, finding);
  let s = await state(p, ev);
  check(s.rows === 50 && s.line === `Rows 1\u201350 of ${total} shown. ` &&
    s.button === (total - 50 > 1000 ? 'Show 1000 more' : `Show the other ${total - 50}`),
  `${label}: 50 of ${total} rows shown at first, and a button (${s.rows}, '${s.line}', '${s.button}')`);
  let clicks = 0;
  while (s.button && clicks++ < 5) {
    await ev.evaluate(e => e.querySelector('p.ev-more button').click());
    const want = Math.min(total, 50 + clicks * 1000);
    s = await state(p, ev);
    check(s.rows === want && s.line === `Rows 1\u2013${want} of ${total} shown. `,
      `${label}: click ${clicks}: ${want} rows (${s.rows}, '${s.line}')`);
  }
  check(s.rows === total && !s.button, `${label}: every row shown, the button gone`);
  check(/-51$/.test(s.ids[0]) && new RegExp(`-${total}$`).test(s.ids[1]),
    `${label}: rows added in order, none twice (row 51 ${s.ids[0]}, row ${total} ${s.ids[1]})`);
  check(!s.img && s.markupAsText, `${label}: ledger markup in an added row shows as text`);
}

withBrowser('browser evidence ' + mode, async ({ page: p, errors }) => {
  await p.goto('file://' + report);
  if (mode === 'rows') {
    check(await p.isHidden(`tr.finding[data-rule="${rule}"] + tr.ev p.ev-more`), 'the line is under the folded evidence');
    await showAll(p, p.locator(`tr.finding[data-rule="${rule}"]`).first(), 'page of rows');
  } else {
    const group = p.locator(`div.group[data-rule="${rule}"]`);
    await showAll(p, group.locator('tr.finding').first(), 'grouped page, a served finding');
    await group.locator('.pager button[data-go="next"]').click();
    await showAll(p, group.locator('tr.finding').first(), 'grouped page, page 2 (built by the script)');
  }
  check(await p.evaluate(() => window.pwned === undefined), 'no ledger markup ran');
  check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors.join('; ') : ''));
});
