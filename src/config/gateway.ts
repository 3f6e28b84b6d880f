// The `gateway:` section: who we are and where we listen.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { isScalar, isSeq, type Node } from 'yaml';
import type { Address } from '../dataplane/addr.js';
import { formatAddress, parseAddress } from '../dataplane/addr.js';
import { sameAddress } from './prefix.js';
import { MapView, type Ctx } from './reader.js';
import { GATEWAY, keysOf } from './schema.js';
import type { Gateway } from './types.js';
import { readAddress } from './values.js';

/** RFC 8200 §5: IPv6 needs a link MTU of at least 1280. */
export const MIN_MTU_IPV6 = 1280;
/** struct sockaddr_un's sun_path holds 108 bytes with the terminating NUL. */
const SUN_PATH_MAX = 107;

export interface GatewayResult {
  readonly gateway?: Gateway;
  /** For checks that span sections (the MTU against IPv6 selectors). */
  readonly mtuNode?: Node;
  readonly listenNodes: readonly Node[];
}

export function readGateway(ctx: Ctx, node: Node | undefined, anchor: Node | undefined): GatewayResult {
  const g = new MapView(ctx, node, 'gateway', anchor, keysOf(GATEWAY));
  if (!g.ok) {
    if (node === undefined) ctx.r.error(anchor ?? 0, "the configuration needs a 'gateway' section with at least 'name' and 'listen'");
    return { listenNodes: [] };
  }

  const name = g.str('name', true);
  if (name !== undefined && !/^[a-z0-9-]+$/.test(name)) {
    ctx.r.error(g.get('name'), `gateway 'name' may hold only a-z, 0-9 and '-' (it names the control socket), not '${name}'`);
  }

  const tun = g.str('tun') ?? 'ipsec0';
  // Linux dev_valid_name(): 1..15 bytes (IFNAMSIZ - 1), not "." or "..", no '/', ':' or whitespace.
  if (Buffer.byteLength(tun) > 15 || tun === '' || tun === '.' || tun === '..' || /[/:\s]/.test(tun)) {
    ctx.r.error(g.get('tun'), `'tun': '${tun}' is not a Linux interface name (1 to 15 bytes, no '/', ':' or spaces)`);
  }

  const listen: Address[] = [];
  const listenNodes = g.list('listen', true) ?? [];
  if (isSeq(g.get('listen')) && listenNodes.length === 0) ctx.r.error(g.get('listen'), "'listen' needs at least one address");
  for (const n of listenNodes) {
    const a = readAddress(ctx, n, 'listen');
    if (!a) continue;
    if (listen.some((b) => sameAddress(a, b))) ctx.r.error(n, `'listen': ${formatAddress(a)} is listed twice`);
    else listen.push(a);
  }

  const mtu = g.int('mtu', ...GATEWAY.keys.mtu.range) ?? 1400;
  const workers = g.int('workers', ...GATEWAY.keys.workers.range) ?? availableParallelism();
  // The datapath's SA table is fixed at start (shared memory, 2.2 kB an SA): roaming peers need room.
  const maxSas = g.int('max-sas', ...GATEWAY.keys['max-sas'].range);

  const socketText = g.str('socket');
  const socket = socketText !== undefined ? resolve(ctx.dir, socketText) : `/run/ipsecgw/${name ?? ''}.sock`;
  if (Buffer.byteLength(socket) > SUN_PATH_MAX) {
    ctx.r.error(g.get('socket') ?? g.get('name'),
      `the control socket ${socket} is ${Buffer.byteLength(socket)} bytes long; a Unix socket path holds at most ${SUN_PATH_MAX}` +
      (socketText === undefined ? " (shorten 'name' or set 'socket')" : ''));
  }

  const metricsNode = g.get('metrics');
  const metrics = metricsNode === undefined ? undefined : readMetrics(ctx, metricsNode);

  if (name === undefined) return { mtuNode: g.get('mtu'), listenNodes };
  return {
    gateway: { name, tun, listen, mtu, workers, socket, ...(maxSas !== undefined ? { maxSas } : {}), ...(metrics ? { metrics } : {}) },
    mtuNode: g.get('mtu'), listenNodes,
  };
}

/**
 * `metrics: HOST:PORT` — where the Prometheus endpoint listens (TCP): an IPv4 address and port,
 * or an IPv6 address in brackets, as in a URL (RFC 3986 §3.2.2). The endpoint has no
 * authentication, so an address other than loopback gets a warning.
 */
function readMetrics(ctx: Ctx, node: Node): { host: string; port: number } | undefined {
  const example = "write it as 127.0.0.1:9469, or '[::1]:9469' in quotes";
  // Unquoted, YAML reads [::1]:9469 as a list (a flow sequence) and 9469 as a number.
  if (!isScalar(node) || typeof node.value !== 'string') {
    ctx.r.error(node, `'metrics' must be an address and a port, HOST:PORT; ${example}`);
    return undefined;
  }
  const text = node.value.trim();
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined) {
    const bare6 = !text.includes('[') && text.split(':').length > 2;
    ctx.r.error(node, `'metrics': '${text}' is not HOST:PORT${bare6 ? ' (an IPv6 address goes in brackets)' : ''}; ${example}`);
    return undefined;
  }
  let address: Address;
  try {
    address = parseAddress(host);
  } catch {
    ctx.r.error(node, `'metrics': '${host}' is not an IPv4 or IPv6 address; ${example}`);
    return undefined;
  }
  if ((address.family === 6) !== (m[1] !== undefined)) {
    ctx.r.error(node, `'metrics': an IPv6 address goes in brackets and an IPv4 address does not; ${example}`);
    return undefined;
  }
  const port = Number(m[3]);
  if (port < 1 || port > 65535) {
    ctx.r.error(node, `'metrics': port ${m[3]} is not 1..65535`);
    return undefined;
  }
  if (!isLoopback(address)) {
    ctx.r.warn(node, `'metrics': ${text} is not a loopback address; the endpoint has no authentication, so anyone who reaches it reads the gateway's peers and traffic figures`);
  }
  return { host: formatAddress(address), port };
}

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3) and ::1 (RFC 4291 §2.5.3). */
function isLoopback(a: Address): boolean {
  return a.family === 4 ? a.bytes[0] === 127 : a.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}
