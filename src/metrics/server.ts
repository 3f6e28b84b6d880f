// The metrics endpoint: plain HTTP on the configured address (`gateway.metrics`), GET /metrics in
// Prometheus' text format, 404 for any other path. No authentication and no TLS, as is usual for
// an exporter on loopback: the configuration warns about any other address.
import { createServer, type Server } from 'node:http';
import type { Logger } from '../log.js';
import type { GatewayMetrics } from './registry.js';

export interface MetricsServer {
  /** The address and port it listens on (the port the kernel chose, when 0 was asked for). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

export async function serveMetrics(host: string, port: number, metrics: GatewayMetrics, log: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n');
      return;
    }
    metrics.scrape().then((text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, (err: Error) => {
      log.error({ event: 'metrics.failed', err: err.message }, 'metrics scrape failed');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
    });
  });
  // A scrape is small and quick: a client that takes longer to send its request is not a scraper.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const refused = (err: Error): void => reject(new Error(`metrics endpoint: cannot listen on ${hostPort(host, port)}: ${err.message}`));
    server.once('error', refused);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', refused);
      server.on('error', (err) => log.warn({ event: 'metrics.error', err: err.message }, 'metrics endpoint error'));
      resolve();
    });
  });
  const bound = server.address();
  const address = { host, port: typeof bound === 'object' && bound ? bound.port : port };
  log.info({ event: 'metrics.listening', address: hostPort(host, address.port) }, `metrics at http://${hostPort(host, address.port)}/metrics`);
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections of a scraper would hold close() up until they time out.
      server.closeAllConnections();
    }),
  };
}

/** "127.0.0.1:9469", "[::1]:9469". */
export const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
