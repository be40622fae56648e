// tests/browser/history.js - deciding in a report.html made with --history.
//   node history.js decide REPORT.html OUT.json
//     sets a decision on two findings in the page (on a grouped page: the
//     first of the largest group, and the first of its second page, then
//     back, to see paging keeps the choice) and saves decisions.json
//     through the page's download button.
//   node history.js check REPORT.html DECISIONS.json BY
//     the page made after importing it shows each decision, by BY, with
//     its note as text.
// Run through run.sh.
const fs = require('fs');
const { withBrowser, checker } = require('./launch');
const [mode, report, file, by] = process.argv.slice(2);
const check = checker('browser history');
const NOTES = ['checked with the buyer, see "file 9" <script>window.pwned=1</script>', 'one payment cancelled & refunded'];
const STATUSES = ['confirmed', 'false-positive'];

async function decide(p, id, status, note) {
  const row = `tr.finding[data-finding-id="${id}"]`;
  await p.click(row + ' td:nth-child(3)');
  await p.selectOption(row + ' + tr.ev select', status);
  await p.fill(row + ' + tr.ev textarea', note);
}

async function runDecide(p) {
  const grouped = await p.$('div.group') !== null;
  let ids;
  if (grouped) {
    const g = await p.evaluate(() => {
      const gs = Array.from(document.querySelectorAll('div.group'));
      return gs.sort((a, b) => b.dataset.count - a.dataset.count)[0].id;
    });
    ids = [await p.getAttribute(`#${g} tr.finding >> nth=0`, 'data-finding-id')];
    await decide(p, ids[0], STATUSES[0], NOTES[0]);
    await p.click(`#${g} button[data-go="next"]`);
    ids.push(await p.getAttribute(`#${g} tr.finding >> nth=0`, 'data-finding-id'));
    check(ids[1] !== ids[0], 'the pager shows the second page');
    await decide(p, ids[1], STATUSES[1], NOTES[1]);
    await p.click(`#${g} button[data-go="prev"]`);
    const kept = await p.inputValue(`tr.finding[data-finding-id="${ids[0]}"] + tr.ev select`);
    check(kept === STATUSES[0], `a choice survives paging away and back (${kept})`);
    await p.selectOption('#f-decision', 'edited');
    const n = await p.$$eval('tr.finding', r => r.length);
    check(n === 2, `decision filter "edited" finds the two (${n})`);
    await p.selectOption('#f-decision', '');
  } else {
    ids = await p.$$eval('tr.finding', r => r.slice(0, 2).map(x => x.dataset.findingId));
    for (let i = 0; i < 2; i++) await decide(p, ids[i], STATUSES[i], NOTES[i]);
  }
  const pending = await p.textContent('#d-count');
  check(pending === '2 decisions set in this page', `the page counts them ('${pending}')`);
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('#d-export')]);
  await dl.saveAs(file);
  const got = JSON.parse(fs.readFileSync(file, 'utf8'));
  check(dl.suggestedFilename() === 'decisions.json' && got.format === 'probity-decisions/1' &&
    got.decisions.length === 2 && ids.every((id, i) => got.decisions.some(d => d.finding === id &&
      d.status === STATUSES[i] && d.note === NOTES[i] && /^[0-9a-f]{64}$/.test(d.evidence_hash))),
  `decisions.json downloaded from the page (${ids.join(', ')})`);
}

async function runCheck(p) {
  const want = JSON.parse(fs.readFileSync(file, 'utf8')).decisions;
  for (const d of want) {
    await p.selectOption('#f-decision', d.status);
    const row = `tr.finding[data-finding-id="${d.finding}"]`;
    const got = await p.$eval(row, r => ({
      decision: r.dataset.decision, by: r.dataset.decisionBy, note: r.dataset.decisionNote,
      cell: r.querySelector('td.decision').textContent, shown: !r.classList.contains('hidden') && !r.classList.contains('xhide'),
    })).catch(() => null);
    check(got && got.shown && got.decision === d.status && got.by === by && got.note === d.note &&
      got.cell.includes(d.note), `the new page shows ${d.finding} as ${d.status} by ${by} ` + JSON.stringify(got));
  }
  check(await p.evaluate(() => typeof window.pwned) === 'undefined', 'a note with <script> runs nothing');
}

withBrowser('browser history', async ({ page: p, errors }) => {
  await p.goto('file://' + report);
  if (mode === 'decide') await runDecide(p);
  else await runCheck(p);
  check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors.join('; ') : ''));
});
