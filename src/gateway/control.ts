// The local control socket (DESIGN.md: /run/ipsecgw/<name>.sock, --socket overrides): one JSON
// request per line, one JSON answer per line. Only root (and whoever the socket's mode lets in) can
// connect; nothing secret is ever answered.
import { createServer, createConnection, type Server } from 'node:net';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Request {
  cmd: string;
  [arg: string]: unknown;
}

export type Handler = (req: Request) => Promise<unknown> | unknown;

/** Serves requests on a Unix socket at `path` (replacing a stale one). */
export async function serveControl(path: string, handle: Handler): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((conn) => {
    let buffered = '';
    conn.setEncoding('utf8');
    conn.on('data', async (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let answer: unknown;
        try {
          answer = { ok: true, result: await handle(JSON.parse(line) as Request) };
        } catch (err) {
          answer = { ok: false, error: (err as Error).message };
        }
        conn.write(`${JSON.stringify(answer, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
      }
    });
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

/** Sends one request and returns the result (throws the server's error message). */
export function request(path: string, req: Request, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let buffered = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(Object.assign(new Error(`no answer on ${path} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
    conn.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      conn.end();
      const answer = JSON.parse(buffered.slice(0, nl)) as { ok: boolean; result?: unknown; error?: string };
      if (answer.ok) resolve(answer.result);
      else reject(new Error(answer.error));
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const absent = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      reject(absent ? Object.assign(new Error(`no gateway answers on ${path} (is it running? --name or --socket name another)`), { code: err.code }) : err);
    });
  });
}
