// mfa.test.mjs - a user enrols in TOTP from the page, signs out, and signs
// in again with a code from oathtool, as their authenticator app would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE_URL, PASSWORD, pathOf, scenario, screenshot } from './lib.mjs';

// The TOTP code of secret for now + offset seconds.
function totp(secret, offset = 0) {
  const at = Math.floor(Date.now() / 1000) + offset;
  return execFileSync('oathtool', ['--totp', '-b', secret, '-N', `@${at}`]).toString().trim();
}

async function signIn(page, username) {
  await page.goto(`${BASE_URL}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
}

await scenario('mfa: enrol from the page, sign out, sign in with a code', async (page) => {
  await signIn(page, 'driver');
  await page.goto(`${BASE_URL}/profile/mfa`);
  const qr = page.locator('figure.qr svg');
  assert.ok(await qr.isVisible(), 'the QR code is visible');
  const box = await qr.boundingBox();
  assert.ok(box.width >= 150 && box.height >= 150, 'the QR code is large enough to scan');
  const secret = (await page.locator('#mfa-secret').innerText()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await screenshot(page, 'mfa-enrol.png');

  await page.fill('input[name="code"]', totp(secret));
  await page.locator('form[action="/profile/mfa"] button[type="submit"]').click();
  const codes = await page.locator('#recovery-codes li').allInnerTexts();
  assert.equal(codes.length, 10, 'ten recovery codes are shown');
  await screenshot(page, 'mfa-recovery-codes.png');

  await Promise.all([
    page.waitForURL((url) => url.pathname === '/login'),
    page.locator('form[action="/logout"] button').first().click(),
  ]);
  await signIn(page, 'driver');
  assert.equal(pathOf(page), '/login/mfa', 'the password alone is not enough');
  await page.fill('input[name="code"]', totp(secret, 30));
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/accounts'),
    page.locator('form[action="/login/mfa"] button[type="submit"]').click(),
  ]);
  assert.equal(pathOf(page), '/accounts');
});
