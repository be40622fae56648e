// tests/browser/launch.js - headless Chromium as this machine needs it:
// Debian's /usr/bin/chromium, no sandbox (root), no GPU, no background
// network traffic (the network is closed), and a fresh profile each run.
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', d => { errors.push('dialog opened: ' + d.message()); d.dismiss(); });
  const close = async () => { await ctx.close(); fs.rmSync(dir, { recursive: true, force: true }); };
  return { ctx, page, errors, close };
}

// "ok" or "FAIL" lines in the style of the shell tests; exit code 1 on a failure.
function checker(name) {
  return (cond, msg) => {
    console.log((cond ? 'ok   ' : 'FAIL ') + name + ': ' + msg);
    if (!cond) process.exitCode = 1;
  };
}

// Runs body(session) in a fresh browser: a thrown error (a selector that
// never appears, a timeout) is one FAIL line, and the browser and its
// profile go away either way, so a failing check leaves nothing running.
async function withBrowser(name, body) {
  let s;
  try {
    s = await launch();
    await body(s);
  } catch (e) {
    console.log('FAIL ' + name + ': ' + e.message);
    process.exitCode = 1;
  } finally {
    if (s) await s.close().catch(() => {});
  }
}

module.exports = { launch, checker, withBrowser };
