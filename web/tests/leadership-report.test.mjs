// The leadership report as a leader meets it: printed to PDF with its map, title block, page
// numbers and table headers; the ward table's tooltips, roll-up by district and search; the
// isochrone bands with their legend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR, launchBrowser, screenshot, startServer, trackErrors, waitForMap } from './helpers.mjs';

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

/** The leadership dashboard loaded, its map idle with the coverage cells drawn. */
async function openDashboard(viewport = { width: 1400, height: 900 }, hash = '#/leadership') {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = trackErrors(page);
  await page.goto(`${server.baseUrl}/${hash}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="view-leadership"]')?.dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForMap(page);
  await page.waitForFunction(() => window.motcua.maps.main.querySourceFeatures('cells').length > 0, null, { timeout: 60000 });
  await waitForMap(page);
  return { context, page, errors };
}

test('the printed report has the map, a title block, page numbers and table headers on every page', async () => {
  const { context, page, errors } = await openDashboard();
  const meta = await (await fetch(`${server.baseUrl}/api/v1/meta`)).json();

  // The print button takes the map's picture, then opens the print dialog.
  await page.evaluate(() => {
    window.print = () => {
      window.__printed = (window.__printed ?? 0) + 1;
    };
  });
  await page.getByTestId('print-button').click();
  await page.waitForFunction(() => window.__printed === 1, null, { timeout: 20000 });
  const picture = await page.evaluate(async () => {
    const img = document.querySelector('[data-testid="report-map"]');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    // Colours on a coarse grid of samples, quantised: a blank canvas has one.
    const colours = new Set();
    let painted = 0;
    let samples = 0;
    for (let y = 0; y < canvas.height; y += 7) {
      for (let x = 0; x < canvas.width; x += 7) {
        const i = (y * canvas.width + x) * 4;
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        samples += 1;
        colours.add(`${r >> 4},${g >> 4},${b >> 4},${a >> 4}`);
        // Anything but the map's background (#f3f1ec): wards, cells, points.
        if (Math.abs(r - 0xf3) + Math.abs(g - 0xf1) + Math.abs(b - 0xec) > 40) painted += 1;
      }
    }
    return { width: img.naturalWidth, height: img.naturalHeight, colours: colours.size, painted, samples, src: img.src };
  });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'leadership-report-map.png'), Buffer.from(picture.src.split(',')[1], 'base64'));
  assert.ok(picture.width > 0 && picture.height > 0, `the map picture has a size: ${JSON.stringify(picture)}`);
  assert.ok(picture.colours >= 8, `the map picture is not blank: ${picture.colours} colours`);
  assert.ok(picture.painted > picture.samples / 5, `the study area is drawn in the picture: ${picture.painted} of ${picture.samples} samples`);

  await page.emulateMedia({ media: 'print' });
  // On paper: the title block and the map picture, not the live map nor the controls.
  for (const id of ['report-facts', 'report-map', 'ward-table']) assert.ok(await page.getByTestId(id).isVisible(), `${id} is printed`);
  assert.equal(await page.getByTestId('map').isVisible(), false, 'the live map is not printed');
  assert.equal(await page.getByTestId('print-button').isVisible(), false, 'no print button on paper');
  const facts = await page.getByTestId('report-facts').innerText();
  assert.match(await page.getByTestId('report-scenario').textContent(), /Hiện trạng/, facts);
  assert.match(await page.getByTestId('report-rule').textContent(), /30 phút hoặc 5 km/, facts);
  assert.match(await page.getByTestId('report-rule').textContent(), /đường chim bay/, facts);
  assert.equal(await page.getByTestId('report-mode').textContent(), 'Xe máy');
  assert.ok((await page.getByTestId('report-roads').textContent()).includes(meta.area.roads_vintage), facts);
  assert.equal(await page.getByTestId('report-population').textContent(), meta.area.population_scope_vi);
  assert.match(await page.getByTestId('report-printed').textContent(), /\d{4}/, 'the date printed');
  // The header the table repeats on each page holds the column names.
  const head = await page.evaluate(() => {
    const thead = document.querySelector('[data-testid="ward-table"] thead');
    return { display: getComputedStyle(thead).display, names: [...thead.querySelectorAll('th')].map((th) => th.innerText.trim()) };
  });
  assert.equal(head.display, 'table-header-group');
  assert.ok(head.names.length >= 5 && head.names.every((n) => n.length > 0), `column names: ${head.names}`);
  // Page numbers in the page margin.
  const pageNumbers = await page.evaluate(() => {
    for (const sheet of document.styleSheets) {
      let rules;
      try {
        rules = [...sheet.cssRules];
      } catch {
        continue;
      }
      const flat = rules.flatMap((r) => (r instanceof CSSMediaRule ? [...r.cssRules] : [r]));
      for (const rule of flat) {
        if (!(rule instanceof CSSPageRule)) continue;
        for (const inner of rule.cssRules ?? []) if (/counter\(page\)/.test(inner.cssText)) return inner.cssText;
      }
    }
    return null;
  });
  assert.ok(pageNumbers, 'an @page margin box numbers the pages');
  assert.match(pageNumbers, /counter\(pages\)/, pageNumbers);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const pdf = await page.pdf({ path: path.join(RESULTS_DIR, 'leadership-report.pdf'), preferCSSPageSize: true, printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
  assert.ok(pages > 1, `the report runs over ${pages} pages`);
  await page.screenshot({ path: path.join(RESULTS_DIR, 'leadership-report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.getByTestId('report-map').isVisible(), false, 'the picture is for paper only');
  assert.ok(await page.getByTestId('map').isVisible(), 'the live map is back on screen');

  // Ctrl+P, without the button, takes the picture too.
  await page.evaluate(() => {
    document.querySelector('[data-testid="report-map"]').removeAttribute('src');
    window.dispatchEvent(new Event('beforeprint'));
  });
  assert.ok(await page.evaluate(() => document.querySelector('[data-testid="report-map"]').src.startsWith('data:image/png')), 'beforeprint takes the picture');
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('cells and wards explain themselves on hover, in the page language', async () => {
  const { context, page, errors } = await openDashboard();
  /** A cell of `status` brought to the map's centre at street zoom, where a cell is wide. */
  const target = async (status) =>
    page.evaluate(async (wanted) => {
      const map = window.motcua.maps.main;
      // A covered cell reached by road, so that the tooltip has a travel time to show.
      const f = map.querySourceFeatures('cells').find((c) => c.properties.status === wanted && c.properties.ward && (wanted !== 'covered' || typeof c.properties.travel_s === 'number'));
      if (!f) return null;
      const ring = f.geometry.coordinates[0];
      const lon = ring.slice(0, -1).reduce((a, p) => a + p[0], 0) / (ring.length - 1);
      const lat = ring.slice(0, -1).reduce((a, p) => a + p[1], 0) / (ring.length - 1);
      map.jumpTo({ center: [lon, lat], zoom: 15 });
      await new Promise((resolve) => map.once('idle', resolve));
      const canvas = map.getCanvas().getBoundingClientRect();
      const [x, y] = [Math.round(canvas.width / 2), Math.round(canvas.height / 2)];
      const under = map.queryRenderedFeatures([x, y], { layers: ['cells-fill'] })[0];
      return under ? { x: canvas.left + x, y: canvas.top + y, props: under.properties } : null;
    }, status);
  const covered = await target('covered');
  assert.ok(covered, 'a covered cell is on screen');
  await page.mouse.move(covered.x - 3, covered.y - 3);
  await page.mouse.move(covered.x, covered.y, { steps: 3 });
  const tip = page.getByTestId('map-tooltip');
  await tip.waitFor({ state: 'visible', timeout: 10000 });
  assert.equal(await tip.getAttribute('data-cell'), covered.props.h3, 'the tooltip is of the cell under the pointer');
  const vi = new Intl.NumberFormat('vi-VN');
  assert.equal(await page.getByTestId('tip-population').textContent(), `Dân số: ${vi.format(Math.round(covered.props.population))} người`);
  assert.match(await page.getByTestId('tip-travel').textContent(), /^Đến điểm gần nhất: \d+ phút$/);
  assert.equal(await page.getByTestId('tip-status').textContent(), 'Được phục vụ');
  assert.equal(await page.getByTestId('tip-ward').textContent(), covered.props.ward);
  const coverage = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/coverage`)).json();
  const ward = coverage.wards.find((w) => w.name === covered.props.ward);
  const share = new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ward.covered_share);
  assert.equal(await page.getByTestId('tip-ward-share').textContent(), `${share} dân số được phục vụ`);
  await screenshot(page, 'leadership-tooltip');
  // Leaving the map takes the tooltip away.
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'detached', timeout: 5000 });

  // In English, an uncovered cell if the map shows one.
  await page.getByTestId('lang-select').selectOption('en');
  await page.waitForFunction(() => document.querySelector('[data-testid="view-leadership"]')?.dataset.loaded === 'true', null, { timeout: 60000 });
  await waitForMap(page);
  await page.waitForFunction(() => window.motcua.maps.main.querySourceFeatures('cells').length > 0, null, { timeout: 60000 });
  await waitForMap(page);
  const other = (await target('uncovered')) ?? (await target('covered'));
  await page.mouse.move(other.x - 3, other.y - 3);
  await page.mouse.move(other.x, other.y, { steps: 3 });
  await tip.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await page.getByTestId('tip-population').textContent(), /^Population: [\d,]+$/);
  assert.equal(await page.getByTestId('tip-status').textContent(), other.props.status === 'uncovered' ? 'Outside the rule' : 'Served');
  assert.match(await page.getByTestId('tip-ward-share').textContent(), /of residents served$/);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('the ward table rolls up by former district and finds names typed without diacritics', async () => {
  const { context, page, errors } = await openDashboard();
  const coverage = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/coverage`)).json();
  assert.ok(coverage.districts.some((d) => d.name === 'Quận Đống Đa'), 'the evaluation has the former district');
  // Typed in the ward view, a former district's name finds no ward but offers the district view.
  await page.getByTestId('ward-search').fill('quan dong da');
  assert.equal(await page.getByTestId('ward-row').count(), 0);
  const offer = page.getByTestId('ward-search-districts');
  assert.ok(await offer.isVisible(), 'the district view is offered');
  await offer.click();
  assert.equal(await page.getByTestId('table-level-district').getAttribute('aria-pressed'), 'true');
  const found = await page.getByTestId('district-row').evaluateAll((rows) => rows.map((r) => r.dataset.district));
  assert.deepEqual(found, ['Quận Đống Đa'], '"quan dong da" finds Quận Đống Đa');
  const row = page.getByTestId('district-row').first();
  const expected = coverage.districts.find((d) => d.name === 'Quận Đống Đa');
  assert.equal(Number((await row.locator('td').first().textContent()).replace(/\D/g, '')), Math.round(expected.population), 'its population');
  assert.match(await page.locator('#leader-wards-title').textContent(), /quận\/huyện cũ/);
  assert.match(await page.getByTestId('sort-name').textContent(), /Quận\/huyện/);
  await screenshot(page, 'leadership-districts');
  // Every former district, and back to the wards.
  await page.getByTestId('ward-search').fill('');
  assert.equal(await page.getByTestId('district-row').count(), coverage.districts.length);
  assert.match(await page.getByTestId('ward-count').textContent(), new RegExp(`${coverage.districts.length}/${coverage.districts.length} quận/huyện`));
  await page.getByTestId('sort-population').click();
  const pops = await page.getByTestId('district-row').evaluateAll((rows) => rows.map((r) => Number(r.children[1].textContent.replace(/\D/g, ''))));
  assert.deepEqual(pops, [...pops].sort((a, b) => b - a), 'districts sort by population');
  await page.getByTestId('table-level-ward').click();
  assert.equal(await page.getByTestId('ward-row').count(), coverage.wards.length);
  assert.match(await page.locator('#leader-wards-title').textContent(), /phường\/xã/);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('figures do not break between a number and its unit on a phone', async () => {
  const { context, page, errors } = await openDashboard({ width: 390, height: 844 });
  const broken = await page.evaluate(() => {
    const lines = (el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    };
    const figures = [
      ...document.querySelectorAll('[data-testid="ward-table"] td'),
      ...document.querySelectorAll('.kpi-value'),
      ...document.querySelectorAll('[data-testid="phase-table"] td'),
    ].filter((el) => el.textContent.trim());
    return { count: figures.length, broken: figures.filter((el) => lines(el) > 1).map((el) => el.textContent) };
  });
  assert.ok(broken.count > 10, `figures checked: ${broken.count}`);
  assert.deepEqual(broken.broken, [], 'every figure on one line');
  const mean = await page.getByTestId('kpi-mean-value').textContent();
  assert.match(mean, /\d phút$/);
  await screenshot(page, 'leadership-phone-figures');
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('isochrones are filled bands with a legend entry each, from the API defaults', async () => {
  const { context, page, errors } = await openDashboard();
  const meta = await (await fetch(`${server.baseUrl}/api/v1/meta`)).json();
  const minutes = meta.defaults.isochrone_minutes;
  assert.ok(minutes.length >= 2, `bands: ${minutes}`);
  assert.ok((await page.getByTestId('isochrone-label').textContent()).includes(minutes.join(', ')), 'the toggle names the API bands');
  assert.equal(await page.getByTestId('legend-isochrones').isVisible(), false, 'no isochrone legend before they are drawn');
  await page.getByTestId('isochrone-toggle').check();
  await page.waitForFunction(() => ['drawn', 'error'].includes(document.querySelector('[data-testid="isochrone-status"]').dataset.state), null, { timeout: 120000 });
  assert.equal(await page.getByTestId('isochrone-status').getAttribute('data-state'), 'drawn', await page.getByTestId('isochrone-status').textContent());
  await waitForMap(page);
  const legend = page.getByTestId('legend-isochrones');
  assert.ok(await legend.isVisible(), 'the isochrone legend shows');
  const bands = await legend.getByTestId('legend-isochrone-band').evaluateAll((rows) => rows.map((r) => [Number(r.dataset.minutes), r.textContent, getComputedStyle(r.firstChild).backgroundColor]));
  assert.deepEqual(bands.map((b) => b[0]), minutes, 'one entry per band');
  assert.deepEqual(bands.map((b) => b[1]), minutes.map((m) => `≤ ${m} phút`));
  assert.equal(new Set(bands.map((b) => b[2])).size, minutes.length, 'each band its own colour');
  // Drawn as fills, one colour per band.
  const drawn = await page.evaluate(() => {
    const map = window.motcua.maps.main;
    const fills = map.queryRenderedFeatures({ layers: ['isochrones-fill'] });
    return { fills: fills.length, minutes: [...new Set(fills.map((f) => f.properties.minutes))].sort((a, b) => a - b), colour: map.getPaintProperty('isochrones-fill', 'fill-color') };
  });
  assert.ok(drawn.fills > 0, 'isochrone fills drawn');
  assert.deepEqual(drawn.minutes, minutes, 'every band drawn');
  assert.equal(drawn.colour[0], 'match', 'graded colour per band');
  // The bands as served: smoothed (no hexagon staircase of 120° turns only) and without pinholes.
  const geo = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/isochrones?minutes=${minutes.join(',')}`)).json();
  const rings = geo.features.flatMap((f) => f.geometry.coordinates.flat(1));
  let turns = 0;
  let hexTurns = 0;
  for (const ring of rings) {
    const k = Math.cos((ring[0][1] * Math.PI) / 180);
    for (let i = 1; i + 1 < ring.length; i += 1) {
      const a = Math.atan2(ring[i][1] - ring[i - 1][1], (ring[i][0] - ring[i - 1][0]) * k);
      const b = Math.atan2(ring[i + 1][1] - ring[i][1], (ring[i + 1][0] - ring[i][0]) * k);
      const turn = Math.abs((((b - a) * 180) / Math.PI + 540) % 360 - 180);
      turns += 1;
      if (Math.abs(turn - 60) < 4) hexTurns += 1;
    }
  }
  assert.ok(turns > 0, 'the bands have outlines');
  assert.ok(hexTurns < turns / 3, `smoothed: ${hexTurns} of ${turns} turns are a hexagon's 60°`);
  await page.evaluate(async () => {
    const map = window.motcua.maps.main;
    map.getContainer().scrollIntoView({ block: 'center' });
    map.jumpTo({ center: [105.835, 21.02], zoom: 12 });
    await new Promise((resolve) => map.once('idle', resolve));
  });
  await screenshot(page, 'leadership-isochrones');
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});

test('each table downloads as its own file, CSV for Excel, GeoJSON with geometry, with its metadata', async () => {
  const { context, page, errors } = await openDashboard();
  const coverage = await (await fetch(`${server.baseUrl}/api/v1/scenarios/baseline/coverage`)).json();
  const fetchLink = async (testid) => {
    const href = await page.getByTestId(testid).getAttribute('href');
    const res = await fetch(`${server.baseUrl}${href}`);
    assert.equal(res.status, 200, `${testid}: ${href}`);
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  for (const [table, rows] of [['points', null], ['wards', coverage.wards.length], ['districts', coverage.districts.length]]) {
    const { res, bytes } = await fetchLink(`download-${table}-csv`);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.match(res.headers.get('content-disposition'), new RegExp(`-baseline-${table}\\.csv`));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${table}.csv starts with a byte-order mark`);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\n');
    if (rows !== null) assert.equal(lines.length - 1, rows, `one row per ${table}`);
    assert.ok(!lines[0].startsWith('record'), 'one kind of row per file');
    const geo = await fetchLink(`download-${table}-geojson`);
    const collection = JSON.parse(geo.bytes.toString('utf8'));
    assert.equal(collection.type, 'FeatureCollection');
    assert.ok(collection.features.length > 0 && collection.features.every((f) => f.type === 'Feature' && f.geometry), `${table}: features with geometry`);
  }
  const wards = JSON.parse((await fetchLink('download-wards-geojson')).bytes.toString('utf8'));
  assert.ok(wards.features.every((f) => ['Polygon', 'MultiPolygon'].includes(f.geometry.type)), 'wards with their polygons');
  const metadata = JSON.parse((await fetchLink('download-metadata')).bytes.toString('utf8'));
  assert.equal(metadata.scenario.id, 'baseline');
  assert.equal(metadata.mode, 'motorbike');
  assert.ok(metadata.roads.vintage && metadata.population.source && metadata.exported_at, JSON.stringify(metadata));
  // A person sees the links in Vietnamese.
  assert.match(await page.getByTestId('download-wards-csv').textContent(), /phường\/xã \(CSV\)/);
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  await context.close();
});
