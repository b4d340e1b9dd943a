// accounts.test.mjs - a person signs in, sees their account, signs out.
import assert from 'node:assert/strict';
import { BASE_URL, PASSWORD, linkTo, pathOf, scenario, screenshot } from './lib.mjs';

await scenario('accounts: sign in via redirect, see own account and subsections, sign out',
  async (page) => {
    await page.goto(`${BASE_URL}/accounts`);
    assert.equal(pathOf(page), '/login', 'an anonymous visit should land on the login page');
    await screenshot(page, 'login.png');

    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', PASSWORD);
    const loginForm = page.locator('form:has(input[name="password"])');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/accounts'),
      loginForm.locator('button, input[type="submit"]').first().click(),
    ]);
    assert.equal(pathOf(page), '/accounts');

    const h1 = page.locator('h1');
    assert.equal(await h1.count(), 1, 'exactly one h1');
    assert.ok(await h1.isVisible(), 'h1 visible');
    assert.ok((await h1.innerText()).trim(), 'h1 has text');
    assert.ok(await page.getByText('Northwind Fleet').first().isVisible(),
      'the customer name is visible');
    for (const p of ['/users', '/customers']) {
      assert.ok(await linkTo(page, p).first().isVisible(), `a visible link to ${p}`);
    }
    await screenshot(page, 'accounts.png');

    const signOut = page.locator('form[action="/logout"] button, '
      + 'form[action="/logout"] input[type="submit"]').first();
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/login'),
      signOut.click(),
    ]);
    assert.equal(pathOf(page), '/login', 'signing out goes back to the login page');

    await page.goto(`${BASE_URL}/accounts`);
    assert.equal(pathOf(page), '/login', 'after sign-out /accounts asks for login again');
  });
