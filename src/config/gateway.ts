// The `gateway:` section: who we are and where we listen.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { isSeq, type Node } from 'yaml';
import type { Address } from '../dataplane/addr.js';
import { formatAddress } from '../dataplane/addr.js';
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

  if (name === undefined) return { mtuNode: g.get('mtu'), listenNodes };
  return { gateway: { name, tun, listen, mtu, workers, socket, ...(maxSas !== undefined ? { maxSas } : {}) }, mtuNode: g.get('mtu'), listenNodes };
}
