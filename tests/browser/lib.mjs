// lib.mjs - shared helpers for the browser tests (run through run.sh).
//
// BASE_URL comes from arbor_stack.py serve; screenshots go to ARTIFACTS
// (default tests/artifacts). Debian's chromium is driven by playwright-core,
// which downloads no browser of its own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const PASSWORD = 'arbor-demo-password';
export const ARTIFACTS = process.env.ARTIFACTS ?? path.resolve(here, '../artifacts');
export const BASE_URL = process.env.BASE_URL?.replace(/\/$/, '');
if (!BASE_URL) {
  console.error('BASE_URL is not set: run the tests through tests/browser/run.sh');
  process.exit(2);
}

// The stack's state folder (arbor_stack.py serve sets ARBOR_VAR): its mail
// spool is ARBOR_VAR/mail. arborctl(...args) runs bin/arborctl on the
// stack's arbor.conf and returns its standard output.
export const ARBOR_VAR = process.env.ARBOR_VAR;
export const MAIL_SPOOL = ARBOR_VAR && path.join(ARBOR_VAR, 'mail');
export function arborctl(...args) {
  const bin = process.env.BIN ?? path.resolve(here, '../../bin');
  return execFileSync(path.join(bin, 'arborctl'), args, { env: process.env }).toString();
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// The path of the page's URL, e.g. '/accounts'.
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

// Links to a path on this site, written relative or absolute.
export function linkTo(page, p) {
  return page.locator(`a[href="${p}"], a[href="${BASE_URL}${p}"]`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

// Run one scenario in a fresh browser context. Console errors (a CSP
// violation, a script error) and failed loads (but a missing favicon) fail
// the scenario; so does any thrown error.
// Prints 'ok'/'not ok' and sets a non-zero exit code on failure.
export async function scenario(name, fn) {
  const browser = await launch();
  const problems = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    page.on('console', (m) => {
      // a failed load is reported below, with its URL
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (r.status() >= 400 && url.pathname !== '/favicon.ico') {
        problems.push(`${r.status()} for ${url.pathname}`);
      }
    });
    await fn(page);
    if (problems.length) throw new Error(problems.join('\n'));
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}\n${e.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
