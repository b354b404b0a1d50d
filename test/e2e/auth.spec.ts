/**
 * @file End-to-end: the headless host refuses every request without its token — the page, media and
 * the WebSocket upgrade — and accepts the token once as `?token=`, then as the cookie it sets.
 * Plain HTTP, no browser.
 */
import { request as httpRequest } from 'node:http';
import { expect, test } from './fixtures';

/** Sends a WebSocket upgrade by hand and returns the HTTP status the host answers with. */
function upgradeStatus(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('requests without the token are refused', async ({ host }) => {
  const refused = (s: number) => s === 401 || s === 403;
  for (const path of ['/', '/index.html', '/media/thumb/0000000000000000', '/media/original/1/a.jpg']) {
    const res = await fetch(`${host.origin}${path}`, { redirect: 'manual' });
    expect(refused(res.status), `${path} → ${res.status}`).toBe(true);
  }
  const wrong = await fetch(`${host.origin}/?token=not-the-token`, { redirect: 'manual' });
  expect(refused(wrong.status)).toBe(true);

  expect(refused(await upgradeStatus(host.port))).toBe(true);
  expect(refused(await upgradeStatus(host.port, { cookie: 'shoebox_token=wrong' }))).toBe(true);
});

test('the token opens the page once and the cookie carries it on', async ({ host }) => {
  const first = await fetch(host.url, { redirect: 'manual' });
  expect([200, 302, 303]).toContain(first.status);
  const cookie = first.headers.get('set-cookie')?.split(';')[0];
  expect(cookie, 'the host sets a cookie').toBeTruthy();
  expect(first.headers.get('set-cookie')).toMatch(/HttpOnly/i);

  const page = await fetch(`${host.origin}/`, { headers: { cookie: cookie ?? '' } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  expect(await upgradeStatus(host.port, { cookie: cookie ?? '', origin: host.origin })).toBe(101);
  // A cross-site page cannot open the socket even with the cookie.
  const evil = await upgradeStatus(host.port, { cookie: cookie ?? '', origin: 'http://evil.example' });
  expect(evil === 401 || evil === 403).toBe(true);
});
