// Journey 3: leadership opens the dashboard, reads the KPI cards, sorts and searches the
// per-ward table, sees the phase comparison, and the page is ready to print.
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

const foldText = (s) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

test('leadership reads the dashboard, sorts and searches the ward table', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/leadership`);
  await page.getByTestId('view-leadership').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-leadership"]').dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForMap(page);

  // KPI cards, numbers grouped the Vietnamese way.
  for (const id of ['kpi-covered-share', 'kpi-uncovered', 'kpi-mean', 'kpi-p95', 'kpi-points']) {
    assert.ok(await page.getByTestId(id).isVisible(), `${id} card is shown`);
  }
  assert.match(await page.getByTestId('kpi-covered-share').textContent(), /100/, 'the 100 % target is shown');
  const meta = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/coverage`)).json();
  const expectedTotal = new Intl.NumberFormat('vi-VN').format(Math.round(meta.summary.population_total));
  assert.ok((await page.getByTestId('kpi-covered-share').textContent()).includes(expectedTotal), `total population shown as ${expectedTotal}`);

  const rows = page.getByTestId('ward-row');
  const total = await rows.count();
  assert.equal(total, meta.wards.length, 'one row per ward');
  assert.ok(total >= 2, 'several wards');

  // Sort by population: numbers sort largest first, a second click reverses.
  const populations = async () => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.children[1].textContent.replace(/\D/g, ''))));
  const sortState = () => page.locator('th:has([data-testid="sort-population"])').getAttribute('aria-sort');
  await page.getByTestId('sort-population').click();
  let values = await populations();
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'descending by population');
  assert.equal(await sortState(), 'descending');
  await page.getByTestId('sort-population').click();
  values = await populations();
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'ascending by population');
  assert.equal(await sortState(), 'ascending');
  await page.getByTestId('sort-name').click();
  const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.ward));
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'vi')), 'A to Z by ward name');

  // Search without diacritics.
  const someWard = meta.wards[Math.floor(meta.wards.length / 2)].name;
  const query = foldText(someWard).split(' ').slice(-2).join(' ');
  await page.getByTestId('ward-search').fill(query);
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.ward));
  assert.ok(shown.includes(someWard), `"${query}" finds ${someWard}`);
  assert.ok(shown.every((n) => foldText(n).includes(query)), 'only matching wards remain');
  assert.ok(shown.length < total || total === 1, 'the search narrows the table');
  await screenshot(page, 'leadership-search');
  await page.getByTestId('ward-search').fill('');
  assert.equal(await rows.count(), total);

  // Phase comparison: the Decision's real networks, in order, the 2024 desks for reference.
  await page.getByTestId('phase-row').first().waitFor({ timeout: 60000 });
  const phases = await page.getByTestId('phase-row').evaluateAll((rows) => rows.map((r) => r.dataset.phase));
  assert.deepEqual(phases, ['head_office', 'branches', 'communes', 'desks_2024']);
  // The scope of every figure is on screen, and no share reads 100 % while anyone is unknown.
  const scope = await page.getByTestId('leader-scope').textContent();
  assert.match(scope, /8\.053\.663|8,053,663/, `scope line: ${scope}`);
  const unknown = Number(await page.getByTestId('kpi-grid').getAttribute('data-unknown'));
  if (unknown > 0) {
    const share = await page.getByTestId('kpi-covered-share-value').textContent();
    assert.ok(!/^100/.test(share.trim()), `covered share ${share} with ${unknown} unknown`);
  }
  // The map draws the study extent and where the road data reaches, and the legend names both.
  const extentKinds = await page.evaluate(() => {
    const map = window.motcua.maps.main;
    return ['extent-line', 'road-data-line'].map((id) => map.queryRenderedFeatures({ layers: [id] }).length);
  });
  assert.ok(extentKinds.every((n) => n > 0), `study extent and road data drawn: ${extentKinds}`);
  const extentLegend = await page.getByTestId('legend-extent').textContent();
  assert.match(extentLegend, /Vùng nghiên cứu/);
  assert.match(extentLegend, /dữ liệu đường \(OpenStreetMap \d{4}/, extentLegend);
  // Isochrones of the scenario drawn on request.
  await page.getByTestId('isochrone-toggle').check();
  const isoStatus = page.getByTestId('isochrone-status');
  await page.waitForFunction(() => ['drawn', 'error'].includes(document.querySelector('[data-testid="isochrone-status"]').dataset.state), null, { timeout: 120000 });
  assert.equal(await isoStatus.getAttribute('data-state'), 'drawn', `isochrones load without error: ${await isoStatus.textContent()}`);
  assert.ok(Number(await isoStatus.getAttribute('data-features')) > 0, 'isochrone features drawn');
  await waitForMap(page);
  await screenshot(page, 'leadership');

  // The print stylesheet hides the app chrome.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByTestId('app-header').isVisible(), false, 'no header on paper');
  assert.equal(await page.getByTestId('print-button').isVisible(), false, 'no print button on paper');
  await page.screenshot({ path: new URL('../test-results/leadership-print.png', import.meta.url).pathname, fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // English switch, remembered, with English number grouping.
  await page.getByTestId('lang-select').selectOption('en');
  await page.waitForFunction(() => document.querySelector('[data-testid="view-leadership"]')?.dataset.loaded === 'true', null, { timeout: 60000 });
  assert.match(await page.getByTestId('nav-leadership').textContent(), /Leadership/);
  const expectedEn = new Intl.NumberFormat('en-US').format(Math.round(meta.summary.population_total));
  assert.ok((await page.getByTestId('kpi-covered-share').textContent()).includes(expectedEn), `total shown as ${expectedEn}`);
  await page.reload();
  await page.getByTestId('view-leadership').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'language remembered');

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});

test('the online background says so when it cannot load', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  // Whatever this machine's network, tiles from outside fail, as they do offline.
  await page.route((url) => !url.href.startsWith(server.baseUrl), (route) => route.abort('internetdisconnected'));
  await page.goto(`${server.baseUrl}/#/leadership`);
  await waitForMap(page);
  assert.equal(await page.getByTestId('osm-status').isVisible(), false, 'nothing is said before the switch');
  await page.getByTestId('osm-toggle').check();
  await page.getByTestId('osm-status').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.getByTestId('osm-status').textContent(), /cần kết nối Internet/);
  await page.getByTestId('osm-toggle').uncheck();
  assert.equal(await page.getByTestId('osm-status').isVisible(), false, 'the message goes with the background');
  await screenshot(page, 'leadership-osm-offline');
  // Failed tiles are reported by the map, not thrown at the page.
  assert.deepEqual(errors.filter((e) => !/tile|Failed to fetch|AJAXError|ERR_INTERNET/i.test(String(e))), []);
  await context.close();
});

test('a link to a deleted scenario says so and shows the current points', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  for (const view of ['leadership', 'planner']) {
    await page.goto(`${server.baseUrl}/#/${view}/da-xoa-123`);
    const toast = page.locator('.toast');
    await toast.waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await toast.textContent(), /Kịch bản "da-xoa-123" không còn/, `${view}: said in Vietnamese`);
    await page.waitForFunction((v) => location.hash === `#/${v}/baseline`, view, { timeout: 20000 });
    await page.waitForFunction((v) => document.querySelector(`[data-testid="view-${v}"]`)?.dataset.loaded === 'true', view, { timeout: 60000 });
    const select = view === 'leadership' ? 'leader-scenario' : 'scenario-select';
    assert.ok((await page.getByTestId(select).locator('option').count()) >= 1, `${view}: the scenario list is filled`);
    assert.equal(await page.getByTestId(select).inputValue(), 'baseline');
  }
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
