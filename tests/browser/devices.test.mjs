// devices.test.mjs - an administrator registers two devices, pastes their
// ids (and one unknown id) into "Manage devices", previews, and processes.
import assert from 'node:assert/strict';
import { BASE_URL, PASSWORD, pathOf, scenario, screenshot } from './lib.mjs';

async function submit(page, form) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator(`${form} button[type="submit"]`).first().click(),
  ]);
}

await scenario('devices: register, paste ids, preview, process', async (page) => {
  await page.goto(`${BASE_URL}/login`);
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/accounts'),
    page.locator('form[action="/login"] button').click()]);

  for (const unit of ['BRW-0001', 'BRW-0002']) {
    await page.goto(`${BASE_URL}/devices/new`);
    await page.fill('#unit_id', unit);
    await page.fill('#name', `Truck ${unit}`);
    await page.selectOption('#customer_id', { label: 'Northwind Fleet › Northwind Denmark' });
    await Promise.all([page.waitForURL((u) => /^\/devices\/\d+$/.test(u.pathname)),
      page.locator('form[action="/devices/new"] button[type="submit"]').click()]);
    assert.ok(await page.locator('.flash').isVisible(), 'a confirmation is shown');
  }

  await page.goto(`${BASE_URL}/devices/manage?mode=text`);
  await page.selectOption('#customer_id', { label: 'Northwind Fleet › Northwind Sweden' });
  await page.fill('#ids', 'BRW-0001\nBRW-0002, NO-SUCH-UNIT\n');
  await submit(page, 'form[action="/devices/manage"]');
  assert.equal(await page.locator('h1').innerText(),
    'Preview: move devices to Northwind Fleet › Northwind Sweden');
  assert.equal(await page.locator('table tbody tr').count(), 2, 'two devices will move');
  assert.ok(await page.getByText('NO-SUCH-UNIT').isVisible(), 'the unknown id is listed');
  await screenshot(page, 'devices-preview.png');

  await Promise.all([page.waitForURL((u) => u.pathname === '/devices'),
    page.getByRole('button', { name: 'Process' }).click()]);
  assert.match(await page.locator('.flash').innerText(), /2 devices moved/);
  assert.equal(pathOf(page), '/devices');
  await screenshot(page, 'devices.png');
});
