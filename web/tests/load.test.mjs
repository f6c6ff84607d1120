// Load and queues (issue 11): leadership sees the load per point and the fairness figures; the
// planner selects an overloaded point and reads its catchment, load, ρ, wait and counters
// needed, the point marked on the map, the figures the API gives.
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

const baselineService = async () => (await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/coverage`)).json()).service;

test('leadership sees the load per point and the fairness figures', async () => {
  const service = await baselineService();
  assert.ok(service?.points?.length > 0, 'the API answers with load figures');
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/leadership`);
  await page.waitForFunction(() => document.querySelector('[data-testid="view-leadership"]')?.dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForMap(page);

  const bars = page.getByTestId('load-bar');
  assert.equal(await bars.count(), Math.min(20, service.points.length), 'one bar per busiest point');
  const overloaded = service.points.filter((p) => p.level === 'overloaded').length;
  const shownOverloaded = await page.locator('[data-testid="load-bar"][data-level="overloaded"]').count();
  assert.equal(shownOverloaded, Math.min(20, overloaded), 'overloaded points first, in red');
  const summary = page.getByTestId('load-summary');
  assert.equal(await summary.getAttribute('data-overloaded'), String(service.load.points_overloaded));
  assert.match(await summary.textContent(), /quá tải/, 'Vietnamese first');
  const gini = await page.getByTestId('fair-gini').locator('td').textContent();
  assert.equal(gini, new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(service.fairness.travel_min.gini));
  for (const key of ['palma', 'theil', 'worst', 'e2sfca']) {
    assert.notEqual((await page.getByTestId(`fair-${key}`).locator('td').textContent()).trim(), '—', `${key} has a value`);
  }
  await screenshot(page, 'leadership-load');
  assert.deepEqual(errors, [], 'no page errors');
  assert.deepEqual(foreign, [], 'nothing fetched from the internet');
  await context.close();
});

test('the planner reads an overloaded point’s catchment, queue and counters needed', async () => {
  const service = await baselineService();
  const busiest = [...service.points].sort((a, b) => b.residents - a.residents)[0];
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/#/planner`);
  await page.getByTestId('view-planner').waitFor();
  await waitForMap(page);
  await page.getByTestId('load-summary').waitFor({ timeout: 60000 });

  await page.locator(`[data-testid="point-item"][data-point-id="${busiest.id}"] [data-testid="point-select"]`).click();
  const details = page.getByTestId('point-load');
  await details.waitFor();
  assert.equal(await details.getAttribute('data-level'), busiest.level);
  const fmt = new Intl.NumberFormat('vi-VN');
  assert.ok((await page.getByTestId('point-load-catchment').textContent()).includes(fmt.format(Math.round(busiest.residents))), 'catchment residents');
  assert.equal(await page.getByTestId('point-load-counters').textContent(), fmt.format(busiest.counters));
  if (busiest.level === 'overloaded') {
    assert.match(await page.getByTestId('point-load-wait').textContent(), /quá tải/, 'no wait is printed for an overloaded point');
  }
  assert.equal(await page.getByTestId('point-load-needed').textContent(), fmt.format(busiest.counters_needed));

  await screenshot(page, 'planner-point-load');
  assert.deepEqual(errors, [], 'no page errors');
  await context.close();
});
