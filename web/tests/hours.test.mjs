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

/** The nearest points' ids in the order the page lists them, and their badges. */
async function listed(page) {
  const results = page.getByTestId('nearest-result');
  return {
    ids: await results.evaluateAll((items) => items.map((li) => li.dataset.pointId)),
    badges: await page.getByTestId('open-badge').allTextContents(),
  };
}

/** Waits until the list answers for departure `at` (and for the open-first choice asked). */
async function waitForAnswer(page, at, openFirst) {
  await page.waitForFunction(
    ([when, first]) => {
      const view = document.querySelector('[data-testid="view-citizen"]');
      return view.dataset.loading === 'false' && view.dataset.at === when && view.dataset.openFirst === String(first);
    },
    [at, openFirst],
    { timeout: 30000 },
  );
}

test('leaving later changes the answer, and open points can come first', { timeout: 180000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  // Saturday 12 December 2026, 13:00 in Hanoi: every desk has closed for the weekend.
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
  await waitForAnswer(page, '2026-12-12T13:00', false);
  const now = await listed(page);
  assert.ok(now.badges.length >= 2, `several points: ${now.badges}`);
  for (const b of now.badges) assert.equal(b, 'Mở cửa lúc 8:00 thứ Hai');

  // Leaving just before Monday's opening: the nearest desk is reached before 08:00 (closed on
  // arrival), a farther one after (open). The minute is found from the server's travel times.
  const search = await (await fetch(`${server.baseUrl}/api/v1/search?q=cau%20giay&limit=8`)).json();
  const origin = search.results[0];
  const probe = await (await fetch(`${server.baseUrl}/api/v1/nearest?lon=${origin.lon}&lat=${origin.lat}&k=3&at=2026-12-14T07:30`)).json();
  const times = probe.results.map((r) => r.travel_s).sort((a, b) => a - b);
  const minutes = Math.floor(times[times.length - 1] / 60);
  assert.ok(minutes * 60 > times[0], `the nearest and the farthest arrive in different minutes: ${times}`);
  const clock = `07:${String(60 - minutes).padStart(2, '0')}`;
  assert.equal(await page.getByTestId('later-picker').isVisible(), false, 'no picker while leaving now');
  await page.getByTestId('when-later').check();
  assert.equal(await page.getByTestId('later-picker').isVisible(), true);
  await page.getByTestId('later-day').selectOption('Mo');
  await page.getByTestId('later-clock').fill(clock);
  await page.getByTestId('later-clock').press('Tab');
  const at = `2026-12-14T${clock}`;
  await waitForAnswer(page, at, false);
  assert.match(await page.getByTestId('leaving-at').textContent(), new RegExp(`Khởi hành Thứ Hai ${clock}`));
  const later = await listed(page);
  const times2 = await page.getByTestId('nearest-result').evaluateAll((items) => items.map((li) => Number(li.dataset.travelS)));
  assert.deepEqual([...times2].sort((a, b) => a - b), times2, 'by travel time');
  assert.equal(later.badges[0], 'Mở cửa lúc 8:00 thứ Hai', 'the nearest is reached before it opens');
  assert.equal(later.badges[later.badges.length - 1], 'Mở cửa khi bạn đến', 'the farthest is open on arrival');
  assert.notDeepEqual(later.badges, now.badges, 'the later time changes the answer');

  // Open points first: the open ones move ahead of the nearer closed one.
  await page.getByTestId('open-first').check();
  await waitForAnswer(page, at, true);
  const first = await listed(page);
  assert.equal(first.badges[0], 'Mở cửa khi bạn đến');
  assert.notDeepEqual(first.ids, later.ids, 'the toggle reorders the list');
  assert.deepEqual([...first.ids].sort(), [...later.ids].sort(), 'the same points');
  assert.ok(first.ids.indexOf(later.ids[0]) > 0, 'the nearest, closed on arrival, is no longer first');
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
