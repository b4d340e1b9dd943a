// users.test.mjs - an administrator creates a user with the welcome mail;
// the mail sender spools it; the new user opens the set-up link from the
// .eml file, chooses a password and signs in. Screenshots of the Users tab
// and the form.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE_URL, MAIL_SPOOL, PASSWORD, arborctl, pathOf, scenario, screenshot }
  from './lib.mjs';

const NEW_PASSWORD = 'Amber-Lighthouse-Quill-6034';

async function signIn(page, username, password) {
  await page.goto(`${BASE_URL}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
}

// The body of the one spooled message to address (the .eml is 8bit UTF-8).
function spooledMail(address) {
  assert.ok(MAIL_SPOOL, 'ARBOR_VAR is not set: run through tests/browser/run.sh');
  const found = fs.readdirSync(MAIL_SPOOL).filter((f) => f.endsWith('.eml'))
    .map((f) => fs.readFileSync(path.join(MAIL_SPOOL, f), 'utf8'))
    .filter((text) => text.includes(`\r\nTo: ${address}\r\n`));
  assert.equal(found.length, 1, `one message to ${address}`);
  return found[0];
}

await scenario('users: create with the welcome mail, set the password by the link, sign in',
  async (page) => {
    await signIn(page, 'admin', PASSWORD);
    await page.goto(`${BASE_URL}/users`);
    assert.equal(await page.locator('h1').innerText(), 'Users');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/users/new'),
      page.getByRole('link', { name: 'Create user' }).click(),
    ]);
    await page.getByLabel('E-mail (required)').fill('nina.new@example.test');
    await page.getByLabel('Username (required)').fill('nina.new');
    await page.getByLabel('Customer (required)').selectOption({ label: 'Northwind Fleet › Northwind Denmark › Aarhus' });
    await page.getByLabel('Fleet Management').check();
    await page.getByLabel('Send a welcome e-mail with a set-up link').check();
    await page.getByLabel('Full name').fill('Nina Nyström');
    await screenshot(page, 'user-form.png');
    await Promise.all([
      page.waitForURL((url) => /^\/users\/\d+$/.test(url.pathname)),
      page.getByRole('button', { name: 'Create user' }).click(),
    ]);
    assert.match(await page.locator('.flash').innerText(), /welcome e-mail/);

    await page.goto(`${BASE_URL}/users?sort=username`);
    const row = page.locator('tr', { hasText: 'nina.new@example.test' });
    assert.ok(await row.isVisible(), 'the new user is listed');
    assert.match(await row.innerText(), /Aarhus/);
    assert.match(await row.innerText(), /Fleet Management/);
    await screenshot(page, 'users.png');

    // the sender writes the welcome mail into the spool
    assert.match(arborctl('mail', 'send'), /1 sent/);
    const mail = spooledMail('nina.new@example.test');
    const link = mail.match(/https?:\/\/\S+\/password\/setup\/[A-Za-z0-9_-]{43}/);
    assert.ok(link, 'the mail holds a set-up link');
    assert.ok(mail.includes('Hello Nina Nyström'), 'the body is UTF-8');

    // the new user, in a browser of their own, follows the link
    const other = await page.context().browser().newContext();
    const user = await other.newPage();
    await user.goto(link[0]);
    assert.equal(await user.locator('h1').innerText(), 'Set your password');
    await user.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await user.getByLabel('New password again').fill(NEW_PASSWORD);
    await Promise.all([
      user.waitForURL((url) => url.pathname === '/login'),
      user.getByRole('button', { name: 'Set password' }).click(),
    ]);
    assert.match(await user.locator('.flash').innerText(), /password is set/);
    await signIn(user, 'nina.new', NEW_PASSWORD);
    assert.equal(pathOf(user), '/accounts', 'the new user lands on Accounts');
    await screenshot(user, 'users-new-user-accounts.png');

    // the link works once
    const again = await other.newPage();
    const r = await again.goto(link[0]);
    assert.equal(r.status(), 404);
    assert.match(await again.locator('h1').innerText(), /expired or was already used/);
    await other.close();
  });
