// Journey 1: a citizen on a phone-sized screen, in Vietnamese, searches "cau giay" (no
// diacritics), picks the result and sees the nearest receiving points ranked by travel time
// with a route drawn on the map.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, trackForeignRequests, screenshot, startServer, trackErrors, waitForMap } from './helpers.mjs';

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

test('citizen finds the nearest receiving points from "cau giay" on a 390 px phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/`);

  // Vietnamese is the default language and the citizen view the default view.
  await page.getByTestId('view-citizen').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
  assert.match(await page.getByTestId('nav-citizen').textContent(), /Người dân/);
  await waitForMap(page);
  assert.match(await page.locator('.maplibregl-ctrl-attrib').textContent(), /OpenStreetMap/);

  // Map on top, results below on a phone.
  const mapBox = await page.getByTestId('map').boundingBox();
  const panelBox = await page.locator('.view-citizen .panel').boundingBox();
  assert.ok(mapBox.width <= 390 && mapBox.width > 300, `map spans the phone width (${mapBox.width})`);
  assert.ok(panelBox.y >= mapBox.y + mapBox.height - 1, 'the panel sits below the map');

  await page.getByTestId('search-input').fill('cau giay');
  await page.getByTestId('search-submit').click();
  const firstResult = page.getByTestId('search-result').first();
  await firstResult.waitFor({ timeout: 20000 });
  assert.match(await firstResult.textContent(), /Cầu Giấy/, 'the diacritic-free query finds "Cầu Giấy"');
  await screenshot(page, 'citizen-search');
  await firstResult.click();

  const results = page.getByTestId('nearest-result');
  await results.first().waitFor({ timeout: 30000 });
  const count = await results.count();
  assert.ok(count >= 1, 'at least one nearest point');
  const times = await results.evaluateAll((items) => items.map((li) => Number(li.dataset.travelS)));
  assert.deepEqual([...times].sort((a, b) => a - b), times, 'ranked by travel time');
  const firstText = await results.first().textContent();
  assert.match(firstText, /phút/, 'time shown in minutes, in Vietnamese');
  assert.match(firstText, /m\b|km/, 'distance shown');
  assert.equal(await page.getByTestId('open-badge').count(), count, 'each point has an open-now badge');
  const inView = await results.first().evaluate((li) => {
    const r = li.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  assert.ok(inView, 'the first answer is brought into view on the phone');

  await page.waitForFunction(() => Number(document.querySelector('[data-testid="map"]').dataset.routes) > 0, null, { timeout: 10000 });
  const routeFeatures = await page.evaluate(async () => (await window.motcua.maps.main.getSource('routes').getData()).features.length);
  assert.ok(routeFeatures >= 1, 'a route is drawn');
  await waitForMap(page);
  await screenshot(page, 'citizen-results');
  await page.getByTestId('nearest-results').scrollIntoViewIfNeeded();
  await page.screenshot({ path: new URL('../test-results/citizen-results-full.png', import.meta.url).pathname, fullPage: true });

  // Switching the travel mode recomputes the list.
  await page.getByTestId('mode-walk').check();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-citizen"]').dataset.loading === 'false', null, { timeout: 30000 });
  assert.ok((await results.count()) >= 1);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});
