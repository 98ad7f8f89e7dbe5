import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';
import { listenReal, type RealHttp } from '../../helpers/http-burst.js';

const MAX_PER_ADDRESS = 3;
let h: Harness;
let http: RealHttp;
let port: number;
let tenant: Tenant;

beforeAll(async () => {
  h = await createHarness({ env: { REQUEST_TIMEOUT_MS: '800', HEADERS_TIMEOUT_MS: '400', MAX_CONNECTIONS_PER_ADDRESS: String(MAX_PER_ADDRESS) } });
  http = await listenReal(h);
  port = Number(new URL(http.base).port);
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await http?.close();
  await h.close();
});

/** A raw socket from `localAddress`, collecting what the server sends until it closes. */
function rawSocket(localAddress = '127.0.0.1'): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve({ socket, received: () => data, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

const GET_READY = 'GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n';

async function untilAnswered(received: () => string): Promise<string> {
  while (!received().includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 10));
  return received();
}

describe('H7: slow clients and connection floods (real sockets)', () => {
  it('a client trickling a body is answered 408 and disconnected once REQUEST_TIMEOUT_MS has passed', async () => {
    const { socket, received, closed } = await rawSocket();
    // The token endpoint reads its body before any authentication: a trickle keeps it reading.
    socket.write('POST /oauth/v2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('a'), 100);
    await closed;
    clearInterval(trickle);
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a client that never finishes its headers is disconnected too', async () => {
    const { socket, closed, received } = await rawSocket();
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    await closed;
    clearInterval(trickle);
    expect(received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('a long streamed export is not cut by the request timeout (it bounds receiving the request only)', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 5000 });
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${http.base}/v1/organizations/${tenant.organizationId}/voucher-programs/${programId}/codes`, { headers: bearer(tenant.token) }, (res) => {
        // Stop reading for well past REQUEST_TIMEOUT_MS mid-stream, then read the rest.
        res.pause();
        setTimeout(() => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
          res.on('error', reject);
          res.resume();
        }, 2500);
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).codes).toHaveLength(5000);
  });

  it('one connection over MAX_CONNECTIONS_PER_ADDRESS from one address is answered 429 and closed; another address is served', async () => {
    // Addresses of their own (all of 127.0.0.0/8 is loopback): earlier tests' sockets may still be open.
    const held = [];
    for (let i = 0; i < MAX_PER_ADDRESS; i += 1) {
      const s = await rawSocket('127.0.0.3');
      s.socket.write(GET_READY);
      expect(await untilAnswered(s.received)).toMatch(/^HTTP\/1\.1 200 /);
      held.push(s);
    }
    const extra = await rawSocket('127.0.0.3');
    extra.socket.write(GET_READY);
    await extra.closed;
    expect(extra.received()).toMatch(/^HTTP\/1\.1 429 /);
    expect(extra.received()).toMatch(/retry-after: 1/i);
    expect(extra.received()).toContain('"code":"rate_limited"');

    const other = await rawSocket('127.0.0.4');
    other.socket.write(GET_READY);
    expect(await untilAnswered(other.received)).toMatch(/^HTTP\/1\.1 200 /);
    other.socket.destroy();
    for (const s of held) s.socket.destroy();
  });
});

describe('H7: a trusted proxy is exempt from the per-address connection cap', () => {
  it('TRUST_PROXY=127.0.0.5: that proxy holds more connections than the cap; other peers keep the cap', async () => {
    const proxied = await createHarness({ env: { MAX_CONNECTIONS_PER_ADDRESS: '2', TRUST_PROXY: '127.0.0.5' } });
    const server = await listenReal(proxied);
    const serverPort = Number(new URL(server.base).port);
    const open = (localAddress: string) =>
      new Promise<{ socket: Socket; answer: Promise<string> }>((resolve, reject) => {
        let data = '';
        const socket = connect({ host: '127.0.0.1', port: serverPort, localAddress }, () => {
          socket.write(GET_READY);
          resolve({ socket, answer });
        });
        const answer = new Promise<string>((done) => {
          socket.on('data', (chunk) => {
            data += chunk.toString('latin1');
            if (data.includes('\r\n\r\n')) done(data);
          });
          socket.once('close', () => done(data));
        });
        socket.once('error', reject);
      });
    try {
      const viaProxy = await Promise.all(Array.from({ length: 5 }, () => open('127.0.0.5')));
      for (const s of viaProxy) expect(await s.answer).toMatch(/^HTTP\/1\.1 200 /);
      const direct = await Promise.all(Array.from({ length: 3 }, () => open('127.0.0.6')));
      const statuses = (await Promise.all(direct.map((s) => s.answer))).map((a) => a.slice(9, 12)).sort();
      expect(statuses).toEqual(['200', '200', '429']);
      for (const s of [...viaProxy, ...direct]) s.socket.destroy();
    } finally {
      await server.close();
      await proxied.close();
    }
  });
});
