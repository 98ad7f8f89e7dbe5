import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  raw: Buffer;
}

export type Responder = (req: IncomingMessage, res: ServerResponse, received: ReceivedRequest) => void;

/**
 * A real HTTP receiver on loopback (port 0) for webhook tests: records every request with its raw
 * body; answers with queued responders, then with the default (200).
 */
export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Responders used in order, one per request; afterwards `fallback`. */
  queue: Responder[];
  fallback: Responder;
  close(): Promise<void>;
}

export const ok: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
};

export const status =
  (code: number, headers: Record<string, string> = {}): Responder =>
  (_req, res) => {
    res.writeHead(code, headers).end(`status ${code}`);
  };

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests: [],
    queue: [],
    fallback: ok,
    close: async () => undefined,
  };
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) };
      receiver.requests.push(received);
      const responder = receiver.queue.shift() ?? receiver.fallback;
      responder(req, res, received);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return receiver;
}
