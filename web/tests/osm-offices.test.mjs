// A planner loads the offices OpenStreetMap maps as a scenario: the tag list comes prefilled,
// the counts per tag and the ODbL attribution are shown, the draft is evaluated at once and is
// saved as a new scenario; a list matching nothing is answered with the server's message.
// The server searches tests/fixtures/ingest/offices.osm (a town hall, two post offices and a
// government office near Hoàn Kiếm lake): the shipped roads map no offices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO_DIR, launchBrowser, screenshot, startServer, trackErrors, trackForeignRequests, waitForMap } from './helpers.mjs';

let server;
let browser;

before(async () => {
  const offices = path.join(REPO_DIR, 'tests', 'fixtures', 'ingest', 'offices.osm');
  server = await startServer({ serveArgs: ['--area', 'hanoi-central', '--points-osm', offices] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Wait until an evaluation later than `previousSeq` has drawn its figures. */
async function waitForKpis(page, previousSeq) {
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid="planner-kpis"]');
      return el && Number(el.dataset.seq ?? 0) > prev && !el.hasAttribute('aria-busy');
    },
    previousSeq,
    { timeout: 60000 },
  );
}

const seqOf = async (page) => Number((await page.getByTestId('planner-kpis').getAttribute('data-seq')) ?? 0);

test('planner loads the offices from OpenStreetMap, evaluates them and saves them', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = trackErrors(page);
  const foreign = trackForeignRequests(page, server.baseUrl);
  await page.goto(`${server.baseUrl}/#/planner`);
  await page.getByTestId('view-planner').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForKpis(page, 0);
  const baselineUncovered = Number(await page.getByTestId('planner-kpis').getAttribute('data-uncovered'));

  const meta = await (await fetch(`${server.baseUrl}/api/v1/meta`)).json();
  await page.getByTestId('offices-panel').locator('summary').click();
  assert.equal(await page.getByTestId('offices-tags').inputValue(), meta.defaults.osm_offices.tags, 'the tags come from /meta');
  assert.equal(Number(await page.getByTestId('offices-within').inputValue()), meta.defaults.osm_offices.replace_within_m);

  // A list that matches nothing: the server's message, naming the tags, and nothing opened.
  await page.getByTestId('offices-tags').fill('amenity=library');
  await page.getByTestId('offices-load').click();
  await page.waitForFunction(() => /amenity=library/.test(document.querySelector('[data-testid="offices-status"]').textContent), null, { timeout: 30000 });
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), false);

  const seq = await seqOf(page);
  await page.getByTestId('offices-tags').fill(meta.defaults.osm_offices.tags);
  await page.getByTestId('offices-load').click();
  await page.getByTestId('offices-summary').waitFor({ timeout: 30000 });
  const counts = await page.getByTestId('offices-count').evaluateAll((els) => els.map((e) => [e.dataset.tag, Number(e.dataset.count)]));
  assert.deepEqual(counts, [
    ['amenity=townhall', 1],
    ['amenity=post_office', 2],
    ['office=government', 1],
  ]);
  assert.match(await page.getByTestId('offices-attribution').textContent(), /OpenStreetMap.*ODbL/);
  assert.match(await page.getByTestId('offices-attribution').textContent(), /offices\.osm/);

  // Opened as an unsaved scenario and evaluated.
  await waitForKpis(page, seq);
  assert.equal(Number(await page.getByTestId('points-title').getAttribute('data-count')), 4);
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), true, 'the draft is flagged unsaved');
  assert.equal(await page.getByTestId('point-item').filter({ hasText: 'Bưu điện Hà Nội' }).count(), 1);
  const uncovered = Number(await page.getByTestId('planner-kpis').getAttribute('data-uncovered'));
  assert.ok(Number.isFinite(uncovered) && uncovered !== baselineUncovered, `four offices cover otherwise than the area's points (${baselineUncovered} -> ${uncovered})`);
  await waitForMap(page);
  await screenshot(page, 'planner-osm-offices');

  // Saved as a new scenario, it reopens with the same four offices.
  await page.getByTestId('token-input').fill(server.token);
  await page.getByTestId('token-input').press('Tab');
  assert.equal(await page.getByTestId('save-scenario').isEnabled(), true);
  await page.getByTestId('save-scenario').click();
  await page.waitForFunction(() => /^#\/planner\/(?!baseline|osm-offices)[^/]+$/.test(location.hash), null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="view-planner"]').dataset.loaded === 'true', null, { timeout: 20000 });
  const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  const saved = await (await fetch(`${server.baseUrl}/api/v1/scenarios/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${server.token}` } })).json();
  assert.equal(saved.points.length, 4);
  assert.ok(saved.points.every((p) => p.approximate === false && /^osm-(node|way)-/.test(p.id)));
  assert.equal(await page.getByTestId('dirty-indicator').isVisible(), false);

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  assert.deepEqual(foreign, [], 'nothing is fetched from outside the motcua server');
  await context.close();
});
