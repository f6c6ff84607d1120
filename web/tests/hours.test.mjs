// The citizen's "open now" at a fixed clock: on Saturday 12 December 2026 at 13:00 in Hanoi the
// ward desks (Mo-Fr 08:00-17:00; Sa 08:00-12:00) have closed, and each answer says when it
// opens next, "Mở cửa lúc 8:00 thứ Hai", as the server computed it for the page's clock. The
// dashboard draws the week as an hour × weekday heat map with the worst hours.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, trackErrors, waitForMap } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('on a Saturday afternoon the citizen sees when the desks open again', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  // 13:00 in Hanoi is 06:00 UTC.
  await page.clock.setFixedTime(new Date('2026-12-12T06:00:00Z'));
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/`);
  await page.getByTestId('view-citizen').waitFor();
  await waitForMap(page);
  await page.getByTestId('search-input').fill('cau giay');
  await page.getByTestId('search-submit').click();
  const firstResult = page.getByTestId('search-result').first();
  await firstResult.waitFor({ timeout: 20000 });
  await firstResult.click();
  const results = page.getByTestId('nearest-result');
  await results.first().waitFor({ timeout: 30000 });
  const badges = await page.getByTestId('open-badge').allTextContents();
  assert.ok(badges.length >= 1);
  for (const b of badges) assert.equal(b, 'Mở cửa lúc 8:00 thứ Hai', `badge: ${b}`);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('the dashboard shows coverage through the week, hour by weekday', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/#/leadership`);
  await page.getByTestId('week-map').waitFor({ timeout: 120000 });
  assert.equal(await page.getByTestId('week-cell').count(), 168);
  // Monday 10:00 (office hours) is covered, Monday 03:00 is not.
  const share = (hour) => page.locator(`[data-testid="week-cell"][data-hour="${hour}"]`).getAttribute('data-share');
  assert.ok(Number(await share(10)) > 0.5);
  assert.equal(Number(await share(3)), 0);
  assert.ok((await page.getByTestId('week-worst').locator('li').count()) >= 1);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
