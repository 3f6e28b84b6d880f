// `ipsecgw status [--json]`: the running gateway's SAs and counters, over its control socket. The
// table follows `swanctl --list-sas` — an IKE SA with its CHILD SAs indented under it — so that a
// strongSwan user reads it at a glance; the manual entries and the datapath workers follow.
import type { CommandModule } from 'yargs';
import { request } from '../gateway/control.js';
import type { GatewayStatus, ManualStatus, WorkerStatus } from '../gateway/status.js';
import type { ChildSaStatus, IkeSaStatus } from '../ike/status.js';
import { controlFailureCode } from './exit-codes.js';

interface StatusArgs {
  socket?: string;
  name?: string;
  json: boolean;
}

export function socketPath(args: { socket?: string; name?: string }): string {
  return args.socket ?? `/run/ipsecgw/${args.name ?? 'ipsecgw'}.sock`;
}

/** How the commands that talk to a running gateway find it (status, up, down, reload). */
export const GATEWAY_OPTIONS = {
  socket: { type: 'string', describe: 'control socket path' },
  name: { type: 'string', describe: 'gateway name (socket /run/ipsecgw/<name>.sock)' },
} as const;

/** "45s", "3m12s", "2h05m", "3d04h": two units at most, as an operator reads a countdown. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

/** "established 12s ago, rekeying in 3h05m, …": only the times that are known. */
function times(parts: Array<[string, number | undefined, 'ago' | 'in']>): string {
  return parts.filter(([, v]) => v !== undefined).map(([what, v, dir]) => (dir === 'ago' ? `${what} ${duration(v!)} ago` : `${what} in ${duration(v!)}`)).join(', ');
}

/** The IKE SA's header line and its details, as swanctl: our SPI carries the '*'. */
function formatIke(sa: IkeSaStatus): string[] {
  const version = sa.version === 1 ? `IKEv1${sa.exchange ? ` ${sa.exchange} mode` : ''}` : 'IKEv2';
  const state = sa.state === 'connecting' ? `CONNECTING (${sa.step})` : sa.state.toUpperCase();
  const spis = `${sa.spiI}_i${sa.role === 'initiator' ? '*' : ''} ${sa.spiR}_r${sa.role === 'responder' ? '*' : ''}`;
  const end = (label: string, e: IkeSaStatus['local'], nat: boolean): string =>
    `  ${label} ${e.id !== undefined ? `'${e.id}' @ ` : ''}${e.address}[${e.port}]${nat ? ' (behind NAT)' : ''}`;
  const lines = [
    `${sa.conn}: #${sa.id}, ${state}, ${version}, ${spis}`,
    end('local ', sa.local, sa.nat.local),
    end('remote', sa.remote, sa.nat.remote),
  ];
  if (sa.proposal) lines.push(`  ${sa.proposal}`);
  const t = times([['established', sa.established, 'ago'], ['rekeying', sa.rekeyIn, 'in'], ['reauth', sa.reauthIn, 'in'], ['expires', sa.expiresIn, 'in']]);
  if (t) lines.push(`  ${t}`);
  return lines;
}

/** One CHILD SA, indented under its IKE SA: state, mode, algorithms, times, both directions' counters, selectors. */
function formatChild(c: ChildSaStatus, indent: string): string[] {
  const mode = `${c.mode.toUpperCase()}${c.encap === 'udp' ? '-in-UDP' : ''}`;
  const dir = (label: string, spi: string, bytes: string, packets: string, last: number | undefined): string =>
    `${indent}  ${label} ${spi.replace(/^0x/, '')}, ${bytes.padStart(10)} bytes, ${packets.padStart(8)} packets${last !== undefined ? `, ${duration(last)} ago` : ''}`;
  return [
    `${indent}${c.child}: ${c.state.toUpperCase()}, ${mode}, ${c.protocol.toUpperCase()}:${c.proposal}`,
    `${indent}  ${times([['installed', c.installed, 'ago'], ['rekeying', c.rekeyIn, 'in'], ['expires', c.expiresIn, 'in']])}`,
    dir('in ', c.spiIn, c.bytesIn, c.packetsIn, c.lastIn),
    dir('out', c.spiOut, c.bytesOut, c.packetsOut, c.lastOut),
    `${indent}  ${c.localTs.join(' ')} === ${c.remoteTs.join(' ')}`,
  ];
}

/**
 * IKE SAs, each with its CHILD SAs; then CHILD SAs without an IKE SA (IKEv1 keeps its IPsec SAs
 * when the ISAKMP SA goes — PFS of identities deletes it at once), grouped by connection.
 */
export function formatIkeSas(ike: readonly IkeSaStatus[], children: readonly ChildSaStatus[]): string[] {
  const lines: string[] = [];
  const key = (version: number, id: number | undefined): string => `${version}#${id}`;
  const owners = new Set(ike.map((sa) => key(sa.version, sa.id)));
  for (const sa of ike) {
    lines.push(...formatIke(sa));
    for (const c of children) if (c.ike !== undefined && key(c.version, c.ike) === key(sa.version, sa.id)) lines.push(...formatChild(c, '  '));
  }
  const orphans = children.filter((c) => c.ike === undefined || !owners.has(key(c.version, c.ike)));
  for (const conn of [...new Set(orphans.map((c) => c.conn))]) {
    const mine = orphans.filter((c) => c.conn === conn);
    lines.push(`${conn}: IKEv${mine[0].version}, no ${mine[0].version === 1 ? 'ISAKMP' : 'IKE'} SA`);
    for (const c of mine) lines.push(...formatChild(c, '  '));
  }
  return lines;
}

function formatManual(m: ManualStatus): string[] {
  const lines = [`${m.name}: manual ${m.protocol.toUpperCase()} ${m.mode}, ${m.local} === ${m.remote}${m.encap === 'udp' ? ' (UDP 4500)' : ''}`];
  for (const [dir, sa] of [['in ', m.in], ['out', m.out]] as const) {
    const drops = Object.entries(sa.drops).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${dir} SPI ${sa.spi} ${sa.state}: ${sa.bytes} bytes, ${sa.packets} packets${drops ? `; dropped: ${drops}` : ''}`);
  }
  lines.push(`  ${m.localTs.join(' ')} === ${m.remoteTs.join(' ')}`);
  return lines;
}

function formatWorker(w: WorkerStatus, i: number): string {
  const drops = Object.entries(w.drops).filter(([, v]) => v !== '0').map(([k, v]) => `${k} ${v}`).join(', ');
  return `worker ${i + 1} (${w.role}): ${w.encap} protected, ${w.decap} accepted${drops ? `; dropped: ${drops}` : ''}`;
}

/** A readable view, in the spirit of `swanctl --list-sas`: IKE SAs with their children, manual entries, workers. */
export function formatStatus(s: GatewayStatus): string {
  const ike = s.ike ?? [], children = s.children ?? [], manual = s.manual ?? [];
  const lines = [`${s.gateway}: up ${duration(s.uptime)}, TUN ${s.tun}`];
  lines.push(...formatIkeSas(ike, children));
  const running = s.ikeMessages && (s.ikeMessages.v1 || s.ikeMessages.v2);
  if (running && ike.length === 0 && children.length === 0) lines.push('no IKE SAs');
  for (const m of manual) lines.push(...formatManual(m));
  (s.datapath ?? []).forEach((w, i) => lines.push(formatWorker(w, i)));
  return lines.join('\n');
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'show IKE SAs, CHILD SAs, manual entries and counters of the running gateway',
  builder: (y) => y
    .options(GATEWAY_OPTIONS)
    .option('json', { type: 'boolean', default: false, describe: 'print the status object as JSON (stable field names, for scripts)' }) as never,
  handler: async (args) => {
    try {
      const status = (await request(socketPath(args), { cmd: 'status' })) as GatewayStatus;
      process.stdout.write(args.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
    } catch (err) {
      process.stderr.write(`ipsecgw status: ${(err as Error).message}\n`);
      process.exitCode = controlFailureCode(err);
    }
  },
};
