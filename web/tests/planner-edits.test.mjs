// A planner iterating (issue 9, items 2–4): each edit's change against the last save and the
// current points, what a new point serves and a warning when it covers no one new; unsaved
// edits guarded on language and view switches; a read-only baseline without edit tools; a
// conflict that can be saved as a new scenario; a comparison under one stated rule with a
// difference map. And the journey that used to break: three optimiser models in a row on one
// scenario, accepting and saving in between.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, pixelOf, screenshot, startServer, trackErrors, trackForeignRequests, waitForMap } from './helpers.mjs';

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

async function api(method, path, body) {
  const res = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A page with the write token already in the browser, open on the planner at `id`. */
async function plannerAt(id, { viewport = { width: 1366, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((token) => localStorage.setItem('motcua.token', token), server.token);
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/planner/${encodeURIComponent(id)}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]')?.dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForMap(page);
  await waitForCells(page, 0);
  return { context, page, errors, foreign };
}

const seqOf = async (page) => Number((await page.getByTestId('planner-kpis').getAttribute('data-seq')) ?? 0);

/** Until the evaluation after `previous` has drawn its KPIs and its cells. */
async function waitForCells(page, previous) {
  await page
    .waitForFunction(
    (prev) => {
      const kpis = document.querySelector('[data-testid="planner-kpis"]');
      const map = document.querySelector('[data-testid="view-planner"] [data-testid="map"]');
      const seq = Number(kpis?.dataset.seq ?? 0);
      return seq > prev && !kpis.hasAttribute('aria-busy') && Number(map?.dataset.cellsSeq ?? 0) === seq;
    },
    previous,
    { timeout: 60000 },
  ).catch(async (err) => {
    throw new Error(`${err.message}; the planner says: ${await page.getByTestId('evaluate-status').textContent()}`);
  });
}

async function newScenario(name, extra = {}) {
  const created = await api('POST', '/scenarios', { name, ...extra });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** Adds a point by clicking the map at (lon, lat) with the add tool, as a person would. */
async function addPointAt(page, lonLat) {
  await page.evaluate((center) => window.motcua.maps.main.jumpTo({ center, zoom: 13 }), lonLat);
  await waitForMap(page);
  const seq = await seqOf(page);
  await page.getByTestId('tool-add').click();
  const pixel = await pixelOf(page, lonLat);
  await page.mouse.click(pixel.x, pixel.y);
  await waitForCells(page, seq);
}

test('each edit says what it changed, what the new point serves, and warns when it covers no one new', { timeout: 300000 }, async () => {
  // A tight rule leaves people outside, so a new point has someone to cover.
  const scenario = await newScenario('Từng thay đổi', { rule: { max_minutes: 5, radius_km: 0.5, combine: 'or', radius_kind: 'straight' } });
  const { context, page, errors, foreign } = await plannerAt(scenario.id);
  assert.equal(await page.getByTestId('change-saved').count(), 0, 'nothing changed yet');
  await page.getByTestId('change-baseline').waitFor({ timeout: 60000 });

  // The most populous uncovered cell gets a point.
  const target = await page.evaluate(async () => {
    const data = await window.motcua.maps.main.getSource('cells').getData();
    const cell = data.features.filter((f) => f.properties.status === 'uncovered').sort((a, b) => b.properties.population - a.properties.population)[0];
    const ring = cell.geometry.coordinates[0].slice(0, -1);
    return [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
  });
  await addPointAt(page, target);
  const saved = page.getByTestId('change-saved');
  await saved.waitFor();
  assert.ok(Number(await saved.getAttribute('data-uncovered')) < 0, 'fewer people outside than at the last save');
  assert.match(await saved.textContent(), /^So với lần lưu trước:/);
  const reach = page.getByTestId('point-reach');
  await reach.waitFor();
  const serves = Number(await reach.getAttribute('data-serves'));
  const newly = Number(await reach.getAttribute('data-newly'));
  assert.ok(serves > 0 && newly > 0 && newly <= serves, `the point serves ${serves}, ${newly} newly`);
  assert.match(await reach.textContent(), new RegExp(`phục vụ ${new Intl.NumberFormat('vi-VN').format(serves)} người`));
  assert.equal(await page.getByTestId('point-adds-none').count(), 0);
  // Its reach is drawn: the catchment layer shows the cells it serves.
  const reachDrawn = await page.evaluate(() => {
    const map = window.motcua.maps.main;
    const filter = map.getFilter('cells-catchment-fill');
    return Array.isArray(filter) && filter[2] !== '' && map.getLayoutProperty('cells-catchment-fill', 'visibility') !== 'none';
  });
  assert.ok(reachDrawn, "the new point's reach is on the map");
  await screenshot(page, 'planner-edit-reach');

  // Save: the new point is part of the last save; a second point on the same spot adds no one.
  await page.getByTestId('save-scenario').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.dirty === 'false');
  await addPointAt(page, target);
  const warning = page.getByTestId('point-adds-none');
  await warning.waitFor();
  assert.match(await warning.textContent(), /không phục vụ thêm ai/);
  assert.equal(await page.getByTestId('point-reach').getAttribute('data-newly'), '0');
  await screenshot(page, 'planner-edit-adds-none');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test('unsaved edits are guarded on a language or view switch; the baseline has no edit tools', { timeout: 300000 }, async () => {
  const scenario = await newScenario('Chưa lưu');
  const { context, page, errors } = await plannerAt(scenario.id);
  const seq = await seqOf(page);
  await page.getByTestId('point-delete').first().click();
  await waitForCells(page, seq);
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), true);

  // Declined: the language and the view stay, and so do the edits.
  const asked = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    d.dismiss();
  });
  await page.getByTestId('lang-select').selectOption('en');
  assert.equal(await page.getByTestId('lang-select').inputValue(), 'vi');
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), true, 'the edit is still there');
  page.once('dialog', (d) => {
    asked.push(d.message());
    d.dismiss();
  });
  await page.getByTestId('nav-citizen').click();
  assert.match(await page.evaluate(() => location.hash), /^#\/planner\//);
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), true);
  assert.equal(asked.length, 2, 'asked both times');
  assert.match(asked[0], /Bỏ các thay đổi chưa lưu/);
  await screenshot(page, 'planner-unsaved-kept');

  // The read-only baseline: no tools to add, move or delete; its edits can only become new.
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('scenario-select').selectOption('baseline');
  await page.waitForFunction(() => location.hash === '#/planner/baseline' && document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true');
  assert.equal(await page.getByTestId('readonly-note').isVisible(), true);
  assert.equal(await page.getByTestId('edit-tools').isVisible(), false, 'no add tools');
  assert.equal(await page.getByTestId('point-delete').count(), 0, 'no delete buttons');
  assert.equal(await page.getByTestId('save-scenario').textContent(), 'Lưu thành kịch bản mới');
  await screenshot(page, 'planner-baseline-readonly');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a version conflict can be saved as a new scenario', { timeout: 300000 }, async () => {
  const scenario = await newScenario('Xung đột');
  const { context, page, errors } = await plannerAt(scenario.id);
  const seq = await seqOf(page);
  await page.getByTestId('point-delete').first().click();
  await waitForCells(page, seq);
  const kept = Number(await page.getByTestId('points-title').getAttribute('data-count'));
  // Someone else saves meanwhile.
  const other = await api('PUT', `/scenarios/${scenario.id}`, { name: 'Xung đột', mode: scenario.mode, rule: scenario.rule, points: scenario.points, version: scenario.version });
  assert.equal(other.status, 200);
  await page.getByTestId('save-scenario').click();
  await page.getByTestId('conflict-banner').waitFor();
  assert.match(await page.getByTestId('conflict-banner').textContent(), /kịch bản mới/);
  await screenshot(page, 'planner-conflict');
  await page.getByTestId('conflict-save-new').click();
  await page.waitForFunction((id) => /^#\/planner\//.test(location.hash) && !location.hash.endsWith(id), scenario.id, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true');
  const newId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  const copy = await api('GET', `/scenarios/${newId}`);
  assert.equal(copy.body.points.length, kept, 'the new scenario holds my edits');
  assert.match(copy.body.name, /Xung đột \(bản sao\)/);
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two scenarios with different rules are compared under one stated rule on a difference map', { timeout: 300000 }, async () => {
  const tight = await newScenario('Quy tắc chặt', { rule: { max_minutes: 15, radius_km: 2, combine: 'or', radius_kind: 'straight' } });
  // B drops most points: it loses coverage against A under A's rule.
  const updated = await api('PUT', `/scenarios/${tight.id}`, { name: tight.name, mode: tight.mode, rule: tight.rule, points: tight.points.slice(0, 20), version: tight.version });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  const { context, page, errors } = await plannerAt('baseline');
  await page.getByTestId('compare-a').selectOption('baseline');
  await page.getByTestId('compare-b').selectOption(tight.id);
  await page.getByTestId('compare-run').click();
  const rule = page.getByTestId('compare-rule');
  await rule.waitFor({ timeout: 60000 });
  assert.equal(await rule.getAttribute('data-same-rule'), 'false');
  assert.match(await rule.textContent(), /theo quy tắc của A: Quy tắc: trong 30 phút hoặc 5 km/);
  assert.match(await rule.textContent(), /Quy tắc riêng của B \(Quy tắc: trong 15 phút hoặc 2 km/);
  const lost = Number(await page.getByTestId('compare-gains').getAttribute('data-lost'));
  assert.ok(lost > 0, `B loses people under A's rule (${lost})`);
  await waitForMap(page, 'compare');
  const box = await page.getByTestId('compare-map').boundingBox();
  assert.ok(box.width > 800 && box.height > 500, `the difference map is large (${Math.round(box.width)}×${Math.round(box.height)})`);
  const losses = await page.evaluate(async () => (await window.motcua.maps.compare.getSource('difference').getData()).features.filter((f) => f.properties.change === 'loss').length);
  assert.ok(losses > 0, 'red cells where B loses');
  assert.equal(await page.getByTestId('difference-legend').isVisible(), true);
  await screenshot(page, 'planner-compare-difference');
  assert.deepEqual(errors, []);
  await context.close();
});

test('three optimiser models in a row on one scenario, accepting and saving in between', { timeout: 900000 }, async () => {
  const scenario = await newScenario('Ba mô hình', { rule: { max_minutes: 15, radius_km: 2, combine: 'or', radius_kind: 'straight' } });
  const { context, page, errors } = await plannerAt(scenario.id);
  const names = new Set();
  for (const model of ['pmedian', 'mclp', 'lscp']) {
    await page.getByTestId('opt-model').selectOption(model);
    await page.getByTestId('opt-add').fill('2');
    await page.getByTestId('opt-run').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="opt-accept"]') || document.querySelector('[data-testid="opt-nothing"]') || /lỗi|thất bại|failed/i.test(document.querySelector('[data-testid="opt-status"]')?.textContent ?? ''),
      null,
      { timeout: 240000 },
    );
    assert.doesNotMatch((await page.getByTestId('opt-status').textContent()) ?? '', /thất bại|used twice/, `${model} runs`);
    const suggestions = await page.getByTestId('opt-suggestion').locator('strong').allTextContents();
    assert.ok(suggestions.length > 0, `${model} suggests points`);
    for (const name of suggestions) {
      assert.ok(!names.has(name), `${model}: "${name}" is a new name`);
      names.add(name);
    }
    const before = Number(await page.getByTestId('points-title').getAttribute('data-count'));
    const seq = await seqOf(page);
    await page.getByTestId('opt-accept').click();
    assert.equal(Number(await page.getByTestId('points-title').getAttribute('data-count')), before + suggestions.length);
    await waitForCells(page, seq);
    await page.getByTestId('save-scenario').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.dirty === 'false', null, { timeout: 20000 });
    await screenshot(page, `planner-three-models-${model}`);
  }
  const saved = await api('GET', `/scenarios/${scenario.id}`);
  const ids = saved.body.points.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'every point id is unique');
  assert.equal(saved.body.version, scenario.version + 3, 'three saves');
  assert.deepEqual(errors, []);
  await context.close();
});
