// `ipsecgw bench micro|e2e`: the benchmark runner. Writes JSON (--out) and prints a Markdown table;
// progress goes to stderr while it runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import type { CommandModule } from 'yargs';
import { microTable, runMicro, SIZES } from '../../bench/micro.js';
import { E2E_STREAMS, E2E_SUITES, e2eTable, runE2e } from '../../bench/e2e.js';

interface BenchArgs {
  kind: 'micro' | 'e2e';
  seconds?: number;
  out?: string;
  openssl: boolean;
  strongswan: boolean;
  filter?: string;
  sizes: number[];
  suites: string[];
  streams: number[];
  json: boolean;
}

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function report(args: BenchArgs, data: object, table: string): void {
  const out = args.out ?? `bench-results/${args.kind}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(data, null, 2)}\n` : `${table}\n\nJSON: ${out}\n`);
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <kind>',
  describe: 'run a benchmark: micro (crypto core and ESP engine, one core) or e2e (iperf3 through tunnels in namespaces)',
  builder: (y) => y
    .positional('kind', { choices: ['micro', 'e2e'] as const, demandOption: true })
    .option('seconds', { type: 'number', describe: 'time per figure (micro: 0.5, e2e: 5)' })
    .option('out', { type: 'string', describe: 'where to write the JSON report (default bench-results/<kind>.json)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the JSON report instead of the table' })
    .option('filter', { type: 'string', describe: 'micro: only suites whose name contains this' })
    .option('sizes', { type: 'number', array: true, default: SIZES, describe: 'micro: packet sizes in bytes' })
    .option('openssl', { type: 'boolean', default: true, describe: 'micro: measure the `openssl speed` ceiling (--no-openssl to skip)' })
    .option('suites', { type: 'string', array: true, default: E2E_SUITES, describe: 'e2e: ESP proposals' })
    .option('streams', { type: 'number', array: true, default: E2E_STREAMS, describe: 'e2e: parallel TCP streams' })
    .option('strongswan', { type: 'boolean', default: true, describe: 'e2e: measure strongSwan ↔ strongSwan too (--no-strongswan to skip)' }) as never,
  handler: async (args) => {
    if (args.kind === 'micro') {
      const r = runMicro({ seconds: args.seconds ?? 0.5, openssl: args.openssl, filter: args.filter, sizes: args.sizes, progress });
      report(args, r, microTable(r));
      return;
    }
    const seconds = args.seconds ?? 5;
    const rows = await runE2e({ seconds, suites: args.suites, streams: args.streams, strongswan: args.strongswan, progress });
    const data = { kind: 'e2e', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, seconds, rows };
    report(args, data, `ipsecgw bench e2e — ${data.cpu}, ${data.cpus} CPUs shared by both gateways and iperf3, ${seconds} s per figure\n\n${e2eTable(rows)}`);
  },
};
