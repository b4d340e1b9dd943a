// customers.test.mjs - an administrator creates a nested customer and finds
// it in the Customers tab (screenshots: customer.png, customers.png).
import assert from 'node:assert/strict';
import { BASE_URL, PASSWORD, linkTo, pathOf, scenario, screenshot } from './lib.mjs';

await scenario('customers: create a nested customer under Denmark and see it in the list',
  async (page) => {
    await page.goto(`${BASE_URL}/login`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/accounts'),
      page.locator('form:has(input[name="password"]) button[type="submit"]').click(),
    ]);

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/customers'),
      page.locator('nav.main-nav').getByRole('link', { name: 'Customers' }).click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), 'Customers');

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/customers/new'),
      linkTo(page, '/customers/new').first().click(),
    ]);
    // every field is reachable by its label, as a person (or a screen reader) finds it
    await page.getByLabel('Company name').fill('Odense Charging');
    await page.getByLabel('Main work e-mail').fill('odense@northwind.example');
    await page.getByLabel('Country').selectOption('DK');
    await page.getByLabel('Time zone').selectOption('Europe/Copenhagen');
    await page.getByLabel('Time format').selectOption('24h');
    await page.getByLabel('Units').selectOption('metric');
    await page.getByLabel('Parent customer')
      .selectOption({ label: 'Northwind Fleet › Northwind Denmark' });
    await page.getByLabel('Require MFA for every user of this customer and below').check();
    await Promise.all([
      page.waitForURL((url) => /^\/customers\/\d+$/.test(url.pathname)),
      page.getByRole('button', { name: 'Create customer' }).click(),
    ]);

    const flash = page.locator('.flash');
    assert.ok(await flash.isVisible(), 'a confirmation is shown after creating');
    assert.match(await flash.innerText(), /Odense Charging/);
    assert.equal(await page.locator('h1').innerText(), 'Odense Charging');
    assert.ok(await page.getByText('Northwind Fleet › Northwind Denmark › Odense Charging')
      .isVisible(), 'the new customer sits under Denmark');
    await screenshot(page, 'customer.png');

    await page.goto(`${BASE_URL}/customers`);
    assert.equal(pathOf(page), '/customers');
    const row = page.locator('tbody tr', { hasText: 'Odense Charging' });
    assert.equal(await row.count(), 1, 'the new customer is listed once');
    assert.ok(await row.getByText('MFA required').isVisible());
    assert.ok(await page.getByText('5 customers').isVisible(), 'the count includes it');
    assert.equal(await page.getByText('Contoso').count(), 0, 'no other account shows');
    await screenshot(page, 'customers.png');
  });
