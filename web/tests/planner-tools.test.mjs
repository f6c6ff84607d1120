// The planner's other tools on the real server: run the optimiser with a progress bar and accept
// its suggestion, compare two scenarios side by side, and download the exports.
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

test('planner runs the optimiser, accepts a suggestion, compares and exports', { timeout: 300000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/planner/baseline`);
  await page.getByTestId('view-planner').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true', null, { timeout: 30000 });
  await waitForMap(page);
  const pointsBefore = Number(await page.getByTestId('points-title').getAttribute('data-count'));
  // The optimiser runs only with the write token.
  await page.getByTestId('token-input').fill(server.token);
  await page.getByTestId('token-input').press('Tab');

  // Optimiser: one point that cuts travel times most (under the baseline rule everyone with
  // road data is already covered, so a covering model has nothing to add).
  await page.getByTestId('opt-model').selectOption('pmedian');
  await page.getByTestId('opt-add').fill('2');
  await page.getByTestId('opt-run').click();
  await page.getByTestId('opt-accept').waitFor({ timeout: 240000 });
  const suggestions = await page.getByTestId('opt-suggestion').count();
  assert.equal(suggestions, 2, 'the optimiser suggests two points');
  assert.match(await page.getByTestId('opt-explanation').first().textContent(), /^phục vụ [\d.]+ người/, 'explained in Vietnamese');
  assert.doesNotMatch(await page.getByTestId('opt-suggestions').textContent(), /\bnull\b|\bundefined\b|NaN/);
  // The map is framed on the suggestions.
  const framed = await page.evaluate(async () => {
    const map = window.motcua.maps.main;
    const b = map.getBounds();
    const data = await map.getSource('suggestions').getData();
    return data.features.length > 0 && data.features.every((f) => b.contains(f.geometry.coordinates));
  });
  assert.ok(framed, 'every suggestion is in view');
  await screenshot(page, 'planner-optimiser');
  // Suggestions are accepted one by one: leave the second out.
  await page.getByTestId('opt-suggestion-pick').nth(1).uncheck();
  assert.match(await page.getByTestId('opt-accept').textContent(), /1\/2/);
  await page.getByTestId('opt-accept').click();
  assert.equal(Number(await page.getByTestId('points-title').getAttribute('data-count')), pointsBefore + 1, 'the picked suggestion joins the draft');
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), true);

  // Compare the baseline with itself: every ward differs by zero.
  await page.getByTestId('compare-a').selectOption('baseline');
  await page.getByTestId('compare-b').selectOption('baseline');
  await page.getByTestId('compare-run').click();
  await page.getByTestId('compare-table').waitFor({ timeout: 60000 });
  const diffs = await page.getByTestId('compare-row').evaluateAll((rows) => rows.map((r) => r.lastElementChild.textContent.trim()));
  assert.ok(diffs.length > 0, 'one row per ward');
  assert.ok(diffs.every((d) => d === '0'), 'no difference between a scenario and itself');
  assert.equal(await page.getByTestId('compare-rule').getAttribute('data-same-rule'), 'true', 'one rule, and it is said');
  assert.equal(await page.getByTestId('compare-gains').getAttribute('data-gained'), '0');
  await waitForMap(page, 'compare');
  await screenshot(page, 'planner-compare');

  // Exports of the saved baseline.
  for (const [testid, format] of [['export-csv', 'csv'], ['export-geojson', 'geojson']]) {
    const href = await page.getByTestId(testid).getAttribute('href');
    assert.equal(href, `/api/v1/scenarios/baseline/export?format=${format}`);
    const res = await fetch(`${server.baseUrl}${href}`);
    assert.equal(res.status, 200, `${format} export answers`);
    assert.ok((await res.text()).length > 0);
  }

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});

test('planner asks where one 24/7 point adds most person-hours over the week', { timeout: 300000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/#/planner/baseline`);
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]')?.dataset.loaded === 'true', null, { timeout: 30000 });
  await page.getByTestId('token-input').fill(server.token);
  await page.getByTestId('token-input').press('Tab');
  // The new points' hours come prefilled from the server's defaults.
  assert.match(await page.getByTestId('opt-hours').inputValue(), /Mo-Fr/);
  await page.getByTestId('opt-model').selectOption('mclp');
  await page.getByTestId('opt-add').fill('1');
  await page.getByTestId('opt-when').selectOption('week');
  await page.getByTestId('opt-hours').fill('24/7');
  await page.getByTestId('opt-run').click();
  await page.getByTestId('opt-accept').waitFor({ timeout: 240000 });
  assert.match(await page.getByTestId('opt-summary').textContent(), /người·giờ/, 'the figures say they are person-hours');
  assert.match(await page.getByTestId('opt-suggestion').first().textContent(), /người·giờ mỗi tuần/);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
