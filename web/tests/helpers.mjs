// Shared test plumbing: start the real motcua server on a free port with a fresh data dir,
// launch Debian's headless Chromium, and save screenshots under web/test-results/.
//
// Environment:
//   MOTCUA_BIN    server binary (default $CARGO_TARGET_DIR/release/motcua, then <repo>/target/release/motcua)
//   MOTCUA_URL    use an already running server instead of starting one (then MOTCUA_TOKEN gives its token)
//   MOTCUA_AREA_DATA_DIR  study-area data for the started server (default <repo>/data when it has areas/)
//   CHROMIUM_BIN  browser binary (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(WEB_DIR, '..');
export const RESULTS_DIR = path.join(WEB_DIR, 'test-results');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // MapLibre needs WebGL; without a GPU, Chromium renders it in software with SwiftShader.
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export function serverBinary() {
  if (process.env.MOTCUA_BIN) return process.env.MOTCUA_BIN;
  const candidates = [];
  if (process.env.CARGO_TARGET_DIR) candidates.push(path.join(process.env.CARGO_TARGET_DIR, 'release', 'motcua'));
  candidates.push(path.join(REPO_DIR, 'target', 'release', 'motcua'));
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

/** Whether `motcua serve --help` lists `flag`. */
function serveAccepts(bin, flag) {
  const help = spawnSync(bin, ['serve', '--help'], { encoding: 'utf8', timeout: 10000 });
  return `${help.stdout ?? ''}${help.stderr ?? ''}`.includes(flag);
}

/** A port that was free a moment ago: listen on 0, read the port, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`motcua serve exited with code ${child.exitCode} before /health answered`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) return;
      lastError = new Error(`/health answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`motcua serve did not answer ${baseUrl}/health within ${timeoutMs} ms: ${lastError?.message}`);
}

async function readToken(dataDir, timeoutMs = 10000) {
  const file = path.join(dataDir, 'token');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) {
      const token = fs.readFileSync(file, 'utf8').trim();
      if (token) return token;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server wrote no token to ${file}`);
}

/**
 * Start `motcua serve` (or use MOTCUA_URL). Resolves to {baseUrl, token, stop()}. `serveArgs`
 * are further flags of `motcua serve` (an area, an OSM file of offices).
 * The server's output is kept in test-results/server-<port>.log for failures.
 */
export async function startServer({ timeoutMs = 180000, serveArgs = [] } = {}) {
  if (process.env.MOTCUA_URL) {
    const baseUrl = process.env.MOTCUA_URL.replace(/\/$/, '');
    await waitForHealth(baseUrl, null, timeoutMs);
    return { baseUrl, token: process.env.MOTCUA_TOKEN ?? '', stop: async () => {} };
  }
  const bin = serverBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(`server binary not found at ${bin}; build it with 'cargo build --release' or set MOTCUA_BIN`);
  }
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-web-test-'));
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const log = fs.openSync(path.join(RESULTS_DIR, `server-${port}.log`), 'w');
  const args = ['serve', '--port', String(port), '--bind', '127.0.0.1', '--data-dir', dataDir, ...serveArgs];
  // Serve this checkout's web/ (the binary's default is the web/ of the tree it was built from).
  if (serveAccepts(bin, '--web-dir')) args.push('--web-dir', WEB_DIR);
  // Likewise the study-area data: this checkout's data/ when it has areas, or MOTCUA_AREA_DATA_DIR.
  const areaDataDir = process.env.MOTCUA_AREA_DATA_DIR ?? (fs.existsSync(path.join(REPO_DIR, 'data', 'areas')) ? path.join(REPO_DIR, 'data') : null);
  if (areaDataDir && serveAccepts(bin, '--area-data-dir')) args.push('--area-data-dir', areaDataDir);
  // Without MOTCUA_TOKEN the server makes a token and writes it to <data dir>/token.
  const env = { ...process.env };
  delete env.MOTCUA_TOKEN;
  const child = spawn(bin, args, { cwd: REPO_DIR, env, stdio: ['ignore', log, log] });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    fs.closeSync(log);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, timeoutMs);
    const token = await readToken(dataDir);
    return { baseUrl, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

export async function screenshot(page, name) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: false });
}

/** Wait until the named map has drawn its basemap and is idle. */
export async function waitForMap(page, name = 'main', timeout = 60000) {
  await page.waitForFunction((n) => window.motcua?.maps?.[n]?.loaded?.() && window.motcua.maps[n].getContainer().dataset.ready === 'true', name, { timeout });
  await page.evaluate(
    (n) =>
      new Promise((resolve) => {
        const map = window.motcua.maps[n];
        if (map.loaded() && !map.isMoving()) resolve();
        else map.once('idle', resolve);
        setTimeout(resolve, 5000);
      }),
    name,
  );
}

/** Page-pixel position of (lon, lat) on the named map, to click like a person would. */
export async function pixelOf(page, lonLat, name = 'main') {
  return page.evaluate(
    ([lon, lat, n]) => {
      const map = window.motcua.maps[n];
      const p = map.project([lon, lat]);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
    [lonLat[0], lonLat[1], name],
  );
}

/** Collect page errors so a journey fails on an uncaught exception in the app. */
export function trackErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/**
 * Record every request the page makes to another origin. The app must work offline: its
 * library, basemap and data all come from the motcua server itself.
 */
export function trackForeignRequests(page, baseUrl) {
  const origin = new URL(baseUrl).origin;
  const foreign = [];
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}
