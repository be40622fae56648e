// tests/browser/report.js - drives report.html in headless Chromium: the
// evidence rows expand, filters and sorting work, the entity table filters
// the findings, the charts are drawn, and the page raises no script error.
// Run through tests/browser/run.sh.
const { chromium } = require('playwright-core');
const report = process.argv[2];
const fail = (msg) => { console.log('FAIL browser: ' + msg); process.exitCode = 1; };
(async () => {
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const p = await b.newPage();
  const errors = [];
  p.on('pageerror', e => errors.push(e.message));
  p.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  await p.goto('file://' + report);
  const total = await p.$$eval('tr.finding', r => r.length);
  const hiddenEv = await p.$$eval('tr.ev', r => r.filter(x => getComputedStyle(x).display === 'none').length);
  await p.click('tr.finding >> nth=0');
  const openEv = await p.$$eval('tr.ev', r => r.filter(x => getComputedStyle(x).display !== 'none').length);
  await p.selectOption('#f-severity', 'critical');
  const crit = await p.$$eval('tr.finding', r => r.filter(x => !x.classList.contains('hidden')).length);
  const count = await p.textContent('#f-count');
  await p.selectOption('#f-severity', '');
  await p.fill('#f-text', 'SUP-ORION');
  const orion = await p.$$eval('tr.finding', r => r.filter(x => !x.classList.contains('hidden')).length);
  await p.fill('#f-text', '');
  await p.click('th[data-sort="score"]');
  const scores1 = await p.$$eval('tr.finding', r => r.map(x => +x.dataset.score));
  await p.click('th[data-sort="severity"]');
  const sev = await p.$$eval('tr.finding', r => r.map(x => x.dataset.severity));
  await p.click('tr.entity >> nth=0');
  const ent = await p.$$eval('tr.finding', r => r.filter(x => !x.classList.contains('hidden')).length);
  const entId = await p.getAttribute('tr.entity >> nth=0', 'data-entity');
  const svg = await p.$$eval('svg.chart', r => r.length);
  if (total === 0) fail('no finding rows');
  if (hiddenEv !== total) fail('evidence rows are not folded at first');
  if (openEv !== 1) fail('clicking a finding does not open its evidence');
  if (count !== crit + ' shown') fail('the count does not follow the severity filter');
  if (!scores1.every((v, i) => i === 0 || scores1[i - 1] >= v)) fail('score sort is not descending at first');
  if (sev[0] !== 'critical') fail('severity sort does not put critical first');
  if (ent === 0 || ent === total) fail('clicking an entity does not filter the findings');
  if (svg === 0) fail('no chart drawn');
  if (errors.length) fail('script errors: ' + errors.join('; '));
  if (!process.exitCode) console.log('ok   browser: ' + JSON.stringify({ total, crit, orion, entId, ent, svg }));
  await b.close();
})();
