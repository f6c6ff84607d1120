// The planner at a time (issue 12, items 4 and 5): the evaluation is asked for the rush hour or
// a weekday and time, the moment's speed band and closed points stand beside the figures and
// the map colours the cells of that moment; a mobile unit with two stops at different hours
// serves from the stop that stands then.
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

async function evaluationSeq(page) {
  return Number((await page.getByTestId('planner-kpis').getAttribute('data-seq')) ?? 0);
}

/** Wait until the evaluation after `previousSeq` has landed with its cells on the map. */
async function waitForEvaluation(page, previousSeq) {
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid="planner-kpis"]');
      const map = document.querySelector('[data-testid="view-planner"] [data-testid="map"]');
      return el && Number(el.dataset.seq ?? 0) > prev && !el.hasAttribute('aria-busy') && Number(map.dataset.cellsSeq ?? 0) === Number(el.dataset.seq);
    },
    previousSeq,
    { timeout: 60000 },
  );
}

/** Each cell's status as the map draws it, in the grid's order. */
async function cellStatuses(page) {
  return page.evaluate(async () => (await window.motcua.maps.main.getSource('cells').getData()).features.map((f) => f.properties.status));
}

const covered = (statuses) => statuses.filter((s) => s === 'covered').length;

/** Chooses a weekday and time in the planner's time panel and waits for its evaluation. */
async function evaluateAt(page, day, clock) {
  const seq = await evaluationSeq(page);
  await page.getByTestId('eval-time').selectOption('pick');
  await page.getByTestId('eval-day').selectOption(day);
  await page.getByTestId('eval-clock').fill(clock);
  await page.getByTestId('eval-clock').press('Tab');
  await page.waitForFunction((at) => document.querySelector('[data-testid="planner-kpis"]').dataset.at === at, `${day} ${clock}`, { timeout: 20000 });
  await waitForEvaluation(page, seq);
}

test('the planner evaluates at the rush hour and on a Sunday, and the map follows', { timeout: 240000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/planner/baseline`);
  await page.getByTestId('view-planner').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForEvaluation(page, 0);
  await waitForMap(page);
  assert.equal(await page.getByTestId('eval-moment').isVisible(), false, 'no moment without a time');
  assert.equal(await page.getByTestId('eval-picker').isVisible(), false, 'no weekday and time to pick');
  const planned = await cellStatuses(page);
  const pointCount = Number(await page.getByTestId('points-title').getAttribute('data-count'));

  // The rush hour the server names (Monday 08:00): the morning band slows every trip.
  const meta = await (await fetch(`${server.baseUrl}/api/v1/meta`)).json();
  assert.equal(meta.defaults.peak_at, 'Mo 08:00');
  let seq = await evaluationSeq(page);
  assert.match(await page.getByTestId('eval-time').locator('option[value="peak"]').textContent(), /Giờ cao điểm \(Thứ Hai 08:00\)/);
  await page.getByTestId('eval-time').selectOption('peak');
  await waitForEvaluation(page, seq);
  assert.equal(await page.getByTestId('planner-kpis').getAttribute('data-at'), 'Mo 08:00');
  const band = await page.getByTestId('moment-band').textContent();
  assert.match(band, /Thứ Hai 08:00: giờ cao điểm sáng, tốc độ × 0,65/);
  const rush = await cellStatuses(page);
  assert.equal(rush.length, planned.length, 'the same grid');
  assert.ok(covered(rush) <= covered(planned), `the rush hour covers no more cells (${covered(rush)} vs ${covered(planned)})`);
  await waitForMap(page);
  await screenshot(page, 'planner-rush-hour');

  // Sunday 10:00: every desk is closed, the moment lists them all, no cell is covered.
  await evaluateAt(page, 'Su', '10:00');
  const closed = page.getByTestId('moment-closed');
  assert.equal(Number(await closed.getAttribute('data-count')), pointCount);
  assert.match(await closed.locator('summary').textContent(), new RegExp(`${pointCount} điểm đóng cửa`));
  assert.match(await page.getByTestId('moment-band').textContent(), /Chủ nhật 10:00: cuối tuần/);
  const sunday = await cellStatuses(page);
  assert.equal(covered(sunday), 0, 'nobody is served on a Sunday morning');
  assert.ok(covered(planned) > 0);
  await waitForMap(page);
  await screenshot(page, 'planner-sunday');

  // Back to "as planned": no time, the first figures again; the scenario was never edited.
  seq = await evaluationSeq(page);
  await page.getByTestId('eval-time').selectOption('none');
  await waitForEvaluation(page, seq);
  assert.equal(await page.getByTestId('planner-kpis').getAttribute('data-at'), '');
  assert.equal(await page.getByTestId('eval-moment').isVisible(), false);
  assert.equal(await page.getByTestId('eval-picker').isVisible(), false);
  assert.deepEqual(await cellStatuses(page), planned);
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), false, 'choosing a time is no edit');

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});

test('a mobile unit with two stops serves from the stop that stands at the time asked', { timeout: 240000 }, async () => {
  // A scenario of one far-off desk, so that the two stops make the difference.
  const base = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline`)).json();
  const created = await fetch(`${server.baseUrl}/api/v1/scenarios`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ name: `Xe lưu động ${Date.now()}`, points: base.points.slice(0, 1) }),
  });
  assert.equal(created.status, 201);
  const { id } = await created.json();

  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
  await context.addInitScript((token) => localStorage.setItem('motcua.token', token), server.token);
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/#/planner/${encodeURIComponent(id)}`);
  await page.getByTestId('view-planner').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForEvaluation(page, 0);
  await waitForMap(page);
  const alone = await cellStatuses(page);

  // Two stops of one unit: Hà Đông on Tuesday mornings, Long Biên on Thursday mornings.
  const stops = [
    { at: [105.7794, 20.9713], hours: 'Tu 08:00-12:00', unit: 'Xe số 1' },
    { at: [105.8880, 21.0450], hours: 'Th 08:00-12:00', unit: 'Xe số 1' },
  ];
  const ids = [];
  for (const stop of stops) {
    const seq = await evaluationSeq(page);
    await page.evaluate((center) => window.motcua.maps.main.jumpTo({ center, zoom: 13 }), stop.at);
    await page.getByTestId('add-kind').selectOption('flexible_point');
    await page.getByTestId('tool-add-centre').click();
    await page.getByTestId('point-editor').waitFor();
    await waitForEvaluation(page, seq);
    // The hours first: a stop of a unit without hours is refused by the server.
    await page.getByTestId('point-hours').fill(stop.hours);
    await page.getByTestId('point-hours').press('Tab');
    const before = await evaluationSeq(page);
    await page.getByTestId('point-unit').fill(stop.unit);
    await page.getByTestId('point-unit').press('Tab');
    await waitForEvaluation(page, before);
    ids.push(await page.locator('[data-testid="point-item"].selected').getAttribute('data-point-id'));
  }
  // A last edit may still be evaluating: wait until it has answered before reading its status.
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="planner-kpis"]').hasAttribute('aria-busy') && document.querySelector('[data-testid="evaluate-status"]').textContent !== 'Đang tính…',
    null,
    { timeout: 60000 },
  );
  assert.equal(await page.getByTestId('evaluate-status').textContent(), '', 'the server took both stops');
  // The list holds the unit's stops together under its name.
  const group = page.getByTestId('unit-group');
  assert.equal(await group.count(), 1);
  assert.equal(await group.getAttribute('data-unit'), 'Xe số 1');
  assert.equal(await group.getAttribute('data-stops'), '2');
  assert.match(await group.textContent(), /Đơn vị lưu động Xe số 1: 2 điểm dừng/);
  const order = await page.getByTestId('point-item').evaluateAll((items) => items.map((li) => li.dataset.pointId));
  assert.deepEqual(order.slice(-2), ids, 'the stops follow their unit');
  await screenshot(page, 'planner-mobile-unit');

  // Without a time every stop counts; on Tuesday at 10:00 only the Hà Đông stop stands.
  const planned = await cellStatuses(page);
  await evaluateAt(page, 'Tu', '10:00');
  const tuesday = await cellStatuses(page);
  const closedTu = await page.getByTestId('moment-closed').locator('li').allTextContents();
  await evaluateAt(page, 'Th', '10:00');
  const thursday = await cellStatuses(page);
  const closedTh = await page.getByTestId('moment-closed').locator('li').allTextContents();
  assert.deepEqual(closedTu, ['Điểm mới 2'], 'on Tuesday the Long Biên stop is closed');
  assert.deepEqual(closedTh, ['Điểm mới 1'], 'on Thursday the Hà Đông stop is closed');
  assert.notDeepEqual(tuesday, thursday, 'the unit covers other cells on Tuesday than on Thursday');
  assert.ok(covered(planned) >= covered(tuesday) && covered(planned) >= covered(thursday), 'without a time both stops count');
  assert.ok(covered(tuesday) > covered(alone) || covered(thursday) > covered(alone), 'a stop adds coverage when it stands');
  await waitForMap(page);
  await screenshot(page, 'planner-mobile-unit-thursday');

  // Saved and read back with its unit.
  await page.getByTestId('save-scenario').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.dirty === 'false', null, { timeout: 20000 });
  const saved = await (await fetch(`${server.baseUrl}/api/v1/scenarios/${encodeURIComponent(id)}`)).json();
  assert.deepEqual(
    saved.points.filter((p) => p.unit).map((p) => [p.unit, p.opening_hours]),
    stops.map((s) => [s.unit, s.hours]),
  );
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
