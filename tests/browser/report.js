// tests/browser/report.js - the samples' report.html in headless Chromium:
// every finding of findings.json has its row, evidence rows expand,
// filters (severity, family, rule, text, entity) and sorting work, the
// charts are drawn, a party named with markup shows as text, and the page
// raises no script error.
// Usage: node report.js REPORT.html FINDINGS.json   (run through run.sh)
const fs = require('fs');
const { withBrowser, checker } = require('./launch');
const [report, json] = process.argv.slice(2);
const check = checker('browser');
const visible = (p) => p.$$eval('tr.finding', r => r.filter(x => !x.classList.contains('hidden')).length);

withBrowser('browser', async ({ page: p, errors }) => {
  const want = JSON.parse(fs.readFileSync(json, 'utf8')).findings;
  await p.goto('file://' + report);
  const ids = await p.$$eval('tr.finding', r => r.map(x => x.dataset.findingId));
  const total = ids.length;
  check(total === want.length && want.every(f => ids.includes(f.id)),
    `every finding of findings.json has a row (${total} rows, ${want.length} findings)`);
  const hiddenEv = await p.$$eval('tr.ev', r => r.filter(x => getComputedStyle(x).display === 'none').length);
  check(hiddenEv === total, 'evidence rows are folded at first');
  await p.click('tr.finding >> nth=0');
  const openEv = await p.$$eval('tr.ev', r => r.filter(x => getComputedStyle(x).display !== 'none').length);
  check(openEv === 1, 'clicking a finding opens its evidence');

  await p.selectOption('#f-severity', 'critical');
  const crit = await visible(p);
  const count = await p.textContent('#f-count');
  check(crit === want.filter(f => f.severity === 'critical').length && count === crit + ' shown',
    `severity filter: ${crit} critical, count says '${count}'`);
  await p.selectOption('#f-severity', '');
  const rule = 'payments.duplicate';
  await p.selectOption('#f-rule', rule);
  const dup = await visible(p);
  const dupOk = await p.$$eval('tr.finding', r => r.filter(x => !x.classList.contains('hidden'))
    .every(x => x.dataset.rule === 'payments.duplicate'));
  check(dup === want.filter(f => f.rule === rule).length && dup > 0 && dupOk, `rule filter: ${dup} ${rule}`);
  await p.selectOption('#f-rule', '');
  await p.selectOption('#f-family', 'conflicts');
  const fam = await visible(p);
  check(fam === want.filter(f => f.family === 'conflicts').length, `family filter: ${fam} conflicts`);
  await p.selectOption('#f-family', '');
  await p.fill('#f-text', 'SUP-ORION');
  const orion = await visible(p);
  check(orion > 0 && orion < total, `text filter: ${orion} rows mention SUP-ORION`);
  await p.fill('#f-text', '');
  check(await visible(p) === total, 'clearing the filters shows every row again');

  await p.click('th[data-sort="score"]');
  const scores = await p.$$eval('tr.finding', r => r.map(x => +x.dataset.score));
  check(scores.every((v, i) => i === 0 || scores[i - 1] >= v), 'score sort is descending at first');
  await p.click('th[data-sort="severity"]');
  const sev = await p.$$eval('tr.finding', r => r.map(x => x.dataset.severity));
  check(sev[0] === 'critical', 'severity sort puts critical first');
  await p.click('tr.entity >> nth=0');
  const ent = await visible(p);
  check(ent > 0 && ent < total, `clicking an entity filters the findings (${ent})`);
  check(await p.$$eval('svg.chart', r => r.length) > 0, 'charts drawn');

  const marked = await p.evaluate(() => ({
    pwned: typeof window.pwned,
    text: document.body.textContent.includes('<script>window.pwned=1</script>'),
    scripts: Array.from(document.scripts).filter(s => s.textContent.includes('pwned')).length,
  }));
  check(marked.pwned === 'undefined' && marked.text && marked.scripts === 0,
    'a party named with <script> shows as text and runs nothing ' + JSON.stringify(marked));
  check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors.join('; ') : ''));
});
