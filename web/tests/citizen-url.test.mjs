// Issue 9 item 10: the citizen's start and choices live in the address, so an answer can be
// shared and reloaded, survives a switch of language, and a map tap says in the search box that
// the start is now the tapped point.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, screenshot, startServer, trackErrors, trackForeignRequests, waitForMap } from './helpers.mjs';

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

/** Wait for a finished nearest answer and return what the list shows: point ids and times. */
async function shownResults(page) {
  await page.getByTestId('nearest-result').first().waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="view-citizen"]').dataset.loading === 'false', null, { timeout: 30000 });
  return page.getByTestId('nearest-result').evaluateAll((items) => items.map((li) => `${li.dataset.pointId}:${li.dataset.travelS}`));
}

function hashParams(page) {
  const hash = new URL(page.url()).hash;
  return Object.fromEntries(new URLSearchParams(hash.slice(hash.indexOf('?') + 1)));
}

test('a citizen link restores the start and the answer, across a language switch, a map tap and a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);

  // Opening a shared link shows its answer at once, with its travel mode and choices.
  await page.goto(`${server.baseUrl}/#/citizen?lon=105.85250&lat=21.03000&mode=walk&day=Sa&clock=10:00&open_first=1`);
  await page.getByTestId('view-citizen').waitFor();
  const opened = await shownResults(page);
  assert.ok(opened.length >= 1, 'the link shows the nearest points without a search');
  assert.equal(await page.getByTestId('mode-walk').isChecked(), true, 'the travel mode comes from the link');
  assert.equal(await page.getByTestId('when-later').isChecked(), true, 'leaving later comes from the link');
  assert.equal(await page.getByTestId('later-day').inputValue(), 'Sa');
  assert.equal(await page.getByTestId('later-clock').inputValue(), '10:00');
  assert.equal(await page.getByTestId('open-first').isChecked(), true, 'open points first comes from the link');
  assert.match(await page.getByTestId('view-citizen').getAttribute('data-at'), /T10:00$/, 'the answer is for Saturday 10:00');
  assert.equal(await page.getByTestId('view-citizen').getAttribute('data-open-first'), 'true');
  assert.equal(await page.getByTestId('search-input').inputValue(), 'Điểm đã chọn trên bản đồ', 'an unnamed start is described in the search box');
  assert.match(await page.getByTestId('origin-label').textContent(), /Xuất phát từ/);

  // A switch of language keeps the start and the answer.
  await page.getByTestId('lang-select').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const switched = await shownResults(page);
  assert.deepEqual(switched, opened, 'the same answer after switching to English');
  assert.match(await page.getByTestId('origin-label').textContent(), /Starting from/);
  assert.equal(await page.getByTestId('search-input').inputValue(), 'Point picked on the map');
  assert.equal(await page.getByTestId('mode-walk').isChecked(), true);
  assert.equal(await page.getByTestId('open-first').isChecked(), true);
  assert.equal(hashParams(page).lon, '105.85250', 'the address still holds the start');

  // A tap on the map moves the start: the address and the search box follow, without a new
  // history entry.
  await waitForMap(page);
  await page.getByTestId('search-input').fill('hoan kiem');
  const historyBefore = await page.evaluate(() => history.length);
  const target = await page.evaluate(() => {
    const map = window.motcua.maps.main;
    const rect = map.getCanvas().getBoundingClientRect();
    const px = { x: rect.width / 2 - 80, y: rect.height / 2 + 60 };
    const ll = map.unproject([px.x, px.y]);
    return { x: rect.left + px.x, y: rect.top + px.y, lon: ll.lng, lat: ll.lat };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction(() => !location.hash.includes('lon=105.85250'), null, { timeout: 10000 });
  const tapped = await shownResults(page);
  assert.ok(tapped.length >= 1);
  const params = hashParams(page);
  assert.match(params.lon, /^\d+\.\d{5}$/, `longitude with 5 decimals: ${params.lon}`);
  assert.match(params.lat, /^\d+\.\d{5}$/, `latitude with 5 decimals: ${params.lat}`);
  assert.ok(Math.abs(Number(params.lon) - target.lon) < 1e-4 && Math.abs(Number(params.lat) - target.lat) < 1e-4, `the address holds the tapped point ${JSON.stringify({ params, target })}`);
  assert.equal(params.mode, 'walk');
  assert.equal(params.open_first, '1');
  assert.equal(await page.getByTestId('search-input').inputValue(), 'Point picked on the map', 'the search box no longer shows the old query');
  await page.waitForTimeout(1000);
  assert.equal(await page.getByTestId('search-result').count(), 0, 'the search typed before the tap lists nothing');
  assert.equal(await page.evaluate(() => history.length), historyBefore, 'a tap adds no history entry');
  await screenshot(page, 'citizen-url-tapped');

  // A reload gives the same answer.
  await page.reload();
  await page.getByTestId('view-citizen').waitFor();
  const reloaded = await shownResults(page);
  assert.deepEqual(reloaded, tapped, 'the same answer after a reload');
  assert.equal(await page.getByTestId('search-input').inputValue(), 'Point picked on the map');
  assert.equal(await page.getByTestId('mode-walk').isChecked(), true);

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});

test('a searched start keeps its name in the link, and a broken link opens the plain view', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/`);
  await page.getByTestId('search-input').fill('cau giay');
  await page.getByTestId('search-submit').click();
  const first = page.getByTestId('search-result').first();
  await first.waitFor({ timeout: 20000 });
  const name = await first.locator('.result-name').textContent();
  await first.click();
  const picked = await shownResults(page);
  assert.equal(hashParams(page).place, name, 'the searched name rides along in the link');

  await page.reload();
  assert.deepEqual(await shownResults(page), picked, 'the same answer after a reload');
  assert.equal(await page.getByTestId('search-input').inputValue(), name, 'the search box shows the searched name again');
  assert.match(await page.getByTestId('origin-label').textContent(), new RegExp(name));

  await page.goto(`${server.baseUrl}/#/citizen?lon=abc&lat=999&mode=plane&clock=25:99`);
  await page.reload();
  await page.getByTestId('view-citizen').waitFor();
  assert.equal(await page.getByTestId('nearest-result').count(), 0, 'no start from a broken link');
  assert.equal(await page.getByTestId('when-now').isChecked(), true);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
