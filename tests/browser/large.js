// tests/browser/large.js - a report.html of over 100 000 findings (grouped
// and paged) in headless Chromium: it reaches DOMContentLoaded within
// BOUND_MS, each rule's group shows its first page, the pager reaches the
// last finding of the largest group, filters search every finding, ledger
// markup in rows the script builds shows as text, no script error.
// Usage: node large.js REPORT.html EXPECT.json BOUND_MS LAST_SUBJECT
// EXPECT.json (from findings.csv, by run.sh): {total, low, rules: {id: {n, last}}}.
const fs = require('fs');
const { withBrowser, checker } = require('./launch');
const [report, expectFile, boundArg, lastSubject] = process.argv.slice(2);
const check = checker('browser large');
const bound = +boundArg;

withBrowser('browser large', async ({ page: p, errors }) => {
  const want = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  const rules = Object.keys(want.rules);
  const fig = { bytes: fs.statSync(report).size, findings: want.total };
  let t = Date.now();
  await p.goto('file://' + report, { waitUntil: 'domcontentloaded', timeout: Math.max(60000, 3 * bound) });
  fig.domcontentloaded_ms = Date.now() - t;
  await p.waitForLoadState('load');
  fig.load_ms = Date.now() - t;
  check(fig.domcontentloaded_ms <= bound, `DOMContentLoaded in ${fig.domcontentloaded_ms} ms (bound ${bound} ms)`);

  const groups = await p.$$eval('div.group', gs => gs.map(g => ({
    id: g.id, rule: g.dataset.rule, n: +g.dataset.count,
    rows: g.querySelectorAll('tbody > tr.finding').length,
    info: g.querySelector('.page-info').textContent,
  })));
  check(groups.length === rules.length && groups.every(g => want.rules[g.rule] && want.rules[g.rule].n === g.n),
    `a group per rule that fired, with its count (${groups.map(g => g.rule + ' ' + g.n).join(', ')})`);
  let firstVisible = true;
  for (const g of groups) firstVisible = firstVisible && await p.isVisible(`#${g.id} tr.finding >> nth=0`);
  check(firstVisible && groups.every(g => g.rows === Math.min(g.n, 50)),
    'each group shows its first page (' + groups.map(g => g.rows).join(', ') + ' rows)');
  const notice = await p.textContent('#f-paged');
  check(notice.includes('findings.json') && notice.includes('findings.csv') && notice.includes(String(want.total)),
    'the page says not all is shown at once, and where all is');

  const big = groups.slice().sort((a, b) => b.n - a.n)[0];
  t = Date.now();
  await p.click(`#${big.id} button[data-go="last"]`);
  fig.last_page_ms = Date.now() - t;
  const last = await p.$$eval(`#${big.id} tbody > tr.finding`, r => r.map(x => x.dataset.findingId));
  const info = await p.textContent(`#${big.id} .page-info`);
  const pages = Math.ceil(big.n / 50);
  check(last[last.length - 1] === want.rules[big.rule].last && info.includes(`of ${big.n} (page ${pages} of ${pages})`),
    `the pager reaches the last finding of ${big.rule} (${last[last.length - 1]}, '${info}') in ${fig.last_page_ms} ms`);
  await p.click(`#${big.id} tbody > tr.finding >> nth=-1`);
  const ev = await p.$$eval(`#${big.id} tbody > tr.finding`, r => {
    const e = r[r.length - 1].nextElementSibling;
    return { shown: e.classList.contains('ev') && getComputedStyle(e).display !== 'none', text: e.textContent };
  });
  check(ev.shown && /payments\.csv:\d+/.test(ev.text), 'a paged finding opens its evidence, file:line');

  t = Date.now();
  await p.click(`#${big.id} th[data-sort="message"]`);
  fig.sort_ms = Date.now() - t;
  const msgs = await p.$$eval(`#${big.id} tbody > tr.finding`, r => r.map(x => x.cells[3].textContent.toLowerCase()));
  const least = await p.$eval(`#${big.id}`, g => JSON.parse(document.getElementById(g.dataset.data).textContent)
    .map(f => f.msg.toLowerCase()).sort()[0]);
  const sorted = msgs[0] === least && msgs.every((m, i) => i === 0 || msgs[i - 1] <= m);
  check(sorted && msgs.length === 50 && (await p.textContent(`#${big.id} .page-info`)).includes(`(page 1 of ${pages})`),
    `sorting ${big.rule} by message sorts all ${big.n} and goes back to page 1 (${fig.sort_ms} ms)`);
  t = Date.now();
  await p.selectOption('#f-severity', 'low');
  fig.first_filter_ms = Date.now() - t;
  const low = await p.textContent('#f-count');
  const lowRows = await p.$$eval('div.group:not(.hidden) tbody > tr.finding', r => r.map(x => x.dataset.severity));
  check(low.startsWith(want.low + ' match') && lowRows.length === Math.min(want.low, 50 * rules.length) &&
    lowRows.every(s => s === 'low'), `severity filter over every finding: '${low}' in ${fig.first_filter_ms} ms`);
  await p.selectOption('#f-severity', '');
  await p.selectOption('#f-rule', big.rule);
  const shown = await p.$$eval('div.group:not(.hidden)', gs => gs.map(g => g.dataset.rule));
  check(shown.length === 1 && shown[0] === big.rule && (await p.textContent('#f-count')).startsWith(big.n + ' match'),
    `rule filter shows ${big.rule} alone`);
  await p.selectOption('#f-rule', '');
  t = Date.now();
  await p.fill('#f-text', lastSubject);
  fig.text_filter_ms = Date.now() - t;
  const hits = await p.$$eval('div.group:not(.hidden) tbody > tr.finding', r => r.length);
  check(hits > 0 && hits < 10, `text filter '${lastSubject}': ${hits} findings in ${fig.text_filter_ms} ms`);
  await p.click('div.group:not(.hidden) tbody > tr.finding >> nth=0');
  const marked = await p.evaluate(() => ({
    pwned: typeof window.pwned,
    text: Array.from(document.querySelectorAll('tr.ev.open')).some(e => e.textContent.includes('<script>window.pwned=1</script>')),
  }));
  check(marked.pwned === 'undefined' && marked.text, 'ledger markup in a row the script built shows as text ' + JSON.stringify(marked));
  check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors.join('; ') : ''));
  console.log('figures: ' + JSON.stringify(fig));
});
