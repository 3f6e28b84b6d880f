// `ipsecgw status [--json]`: the running gateway's SAs and counters, over its control socket.
import type { CommandModule } from 'yargs';
import { request } from '../gateway/control.js';

interface StatusArgs {
  socket?: string;
  name?: string;
  json: boolean;
}

interface SaView {
  spi: string;
  state: string;
  packets: string;
  bytes: string;
  drops: Record<string, number>;
}
interface ManualView {
  name: string;
  mode: string;
  protocol: string;
  local: string;
  remote: string;
  encap: string;
  localTs: string[];
  remoteTs: string[];
  in: SaView;
  out: SaView;
}
interface StatusView {
  gateway: string;
  uptime: number;
  tun: string;
  manual: ManualView[];
  datapath: Array<{ drops: Record<string, string>; encap: string; decap: string }>;
}

export function socketPath(args: { socket?: string; name?: string }): string {
  return args.socket ?? `/run/ipsecgw/${args.name ?? 'ipsecgw'}.sock`;
}

/** A readable view, in the spirit of `swanctl --list-sas`. */
export function formatStatus(s: StatusView): string {
  const lines = [`${s.gateway}: up ${s.uptime}s, TUN ${s.tun}`];
  for (const m of s.manual) {
    lines.push(`${m.name}: manual ${m.protocol.toUpperCase()} ${m.mode}, ${m.local} === ${m.remote}${m.encap === 'udp' ? ' (UDP 4500)' : ''}`);
    for (const [dir, sa] of [['in ', m.in], ['out', m.out]] as const) {
      const drops = Object.entries(sa.drops).map(([k, v]) => `${k} ${v}`).join(', ');
      lines.push(`  ${dir} SPI ${sa.spi} ${sa.state}: ${sa.bytes} bytes, ${sa.packets} packets${drops ? `; dropped: ${drops}` : ''}`);
    }
    lines.push(`  ${m.localTs.join(' ')} === ${m.remoteTs.join(' ')}`);
  }
  s.datapath.forEach((w, i) => {
    const drops = Object.entries(w.drops).filter(([, v]) => v !== '0').map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`worker ${i + 1}: ${w.encap} protected, ${w.decap} accepted${drops ? `; dropped: ${drops}` : ''}`);
  });
  return lines.join('\n');
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'show SAs, selectors and counters of the running gateway',
  builder: (y) => y
    .option('socket', { type: 'string', describe: 'control socket path' })
    .option('name', { type: 'string', describe: 'gateway name (socket /run/ipsecgw/<name>.sock)' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as never,
  handler: async (args) => {
    try {
      const status = (await request(socketPath(args), { cmd: 'status' })) as StatusView;
      process.stdout.write(args.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
    } catch (err) {
      process.stderr.write(`ipsecgw status: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  },
};
