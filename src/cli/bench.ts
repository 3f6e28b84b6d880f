// `ipsecgw bench micro|e2e|ike`: the benchmark runner. Writes JSON (--out) and prints a Markdown table;
// progress goes to stderr while it runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import type { CommandModule } from 'yargs';
import { microTable, runMicro, SIZES } from '../../bench/micro.js';
import { E2E_ENCAP, E2E_ENCAPS, E2E_STREAMS, E2E_SUITES, E2E_WORKERS, e2eTable, runE2e } from '../../bench/e2e.js';
import { ESP_PROPOSAL, IKE_PROPOSAL, ikeTable, runIke } from '../../bench/ike.js';
import { EXIT } from './exit-codes.js';

interface BenchArgs {
  kind: 'micro' | 'e2e' | 'ike';
  seconds?: number;
  out?: string;
  openssl: boolean;
  strongswan: boolean;
  filter?: string;
  sizes: number[];
  suites: string[];
  streams: number[];
  encap: (typeof E2E_ENCAPS)[number];
  workers: number;
  json: boolean;
  sas: number;
  concurrency: number;
  concurrent?: number;
  sources: number;
  runs?: number;
  responders: string[];
  swanTableSize: number;
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

/**
 * A list option of positive whole numbers, given as `--sizes 64 1400` or `--sizes 64,1400`; anything
 * else is a usage error naming the option (it used to reach the benchmark as NaN).
 */
function positiveIntegers(name: string): (values: Array<string | number>) => number[] {
  return (values) => {
    const words = values.flatMap((v) => String(v).split(',')).filter((w) => w !== '');
    const numbers = words.map(Number);
    if (!numbers.length || numbers.some((n) => !Number.isInteger(n) || n <= 0)) {
      throw new Error(`--${name}: positive whole numbers, as in --${name} 1 4 or --${name} 1,4 (given: ${values.join(' ')})`);
    }
    return numbers;
  };
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <kind>',
  describe: 'run a benchmark: micro (crypto core and ESP engine, one core), e2e (iperf3 through tunnels in namespaces) or ike (IKE SA setup rate and memory per SA, ipsecgw and strongSwan as responders)',
  builder: (y) => y
    .positional('kind', { choices: ['micro', 'e2e', 'ike'] as const, demandOption: true })
    .option('seconds', { type: 'number', describe: 'time per figure (micro: 0.5, e2e: 5; ike: stop starting SAs after this long, default: no limit)' })
    .option('out', { type: 'string', describe: 'where to write the JSON report (default bench-results/<kind>.json)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the JSON report instead of the table' })
    .option('filter', { type: 'string', describe: 'micro: only suites whose name contains this' })
    .option('sizes', { type: 'string', array: true, default: SIZES, coerce: positiveIntegers('sizes'), describe: 'micro: packet sizes in bytes' })
    .option('openssl', { type: 'boolean', default: true, describe: 'micro: measure the `openssl speed` ceiling (--no-openssl to skip)' })
    .option('suites', { type: 'string', array: true, default: E2E_SUITES, describe: 'e2e: ESP proposals' })
    .option('streams', { type: 'string', array: true, default: E2E_STREAMS, coerce: positiveIntegers('streams'), describe: 'e2e: parallel TCP streams' })
    .option('encap', { choices: E2E_ENCAPS, default: E2E_ENCAP, describe: "e2e: ipsecgw ↔ ipsecgw's ESP in UDP 4500 or plain (strongSwan's kernel-libipsec always uses UDP)" })
    .option('workers', { type: 'number', default: E2E_WORKERS, describe: "e2e: datapath workers of each ipsecgw gateway (gateway.workers; both gateways share this machine's CPUs)" })
    .option('strongswan', { type: 'boolean', default: true, describe: 'e2e: measure strongSwan ↔ strongSwan too; ike: strongSwan as a responder too (--no-strongswan to skip)' })
    .option('sas', { type: 'number', default: 10000, describe: 'ike: IKE SAs (each with one CHILD SA) per measurement (fewer mostly measure V8 warming up)' })
    .option('concurrency', { type: 'number', default: 24, describe: 'ike: IKE SAs under way at once (above 30 both responders ask for cookies)' })
    .option('concurrent', { type: 'number', describe: 'ike: check N concurrent SAs instead (ipsecgw must stay under 500 MB); same as --sas N with the target checked' })
    .option('sources', { type: 'number', default: 32, describe: 'ike: source addresses of the load generator (ipsecgw allows 5 half-open SAs per address; strongSwan 5, and asks for cookies from 3)' })
    .option('runs', { type: 'number', describe: 'ike: measurements per responder, alternating (default 3); e2e: rounds, each measuring every setup once (default 1): the table gives medians' })
    .option('responders', { type: 'string', array: true, choices: ['ipsecgw', 'strongswan'], default: ['ipsecgw', 'strongswan'], describe: 'ike: which responders to measure (--no-strongswan drops strongSwan)' })
    .option('swan-table-size', { type: 'number', default: 32768, describe: "ike: strongSwan's charon.ikesa_table_size (its default 1 is one list for every IKE SA; 0 keeps it)" }) as never,
  handler: async (args) => {
    if (args.kind === 'micro') {
      const r = runMicro({ seconds: args.seconds ?? 0.5, openssl: args.openssl, filter: args.filter, sizes: args.sizes, progress });
      report(args, r, microTable(r));
      return;
    }
    if (args.kind === 'ike') {
      const sas = args.concurrent ?? args.sas;
      const responders = (['ipsecgw', 'strongswan'] as const).filter((r) => args.responders.includes(r) && (r === 'ipsecgw' || args.strongswan))
        .map((r) => (r === 'strongswan' ? 'strongSwan' as const : r));
      const o = { sas, concurrency: args.concurrency, seconds: args.seconds, sources: args.sources, runs: args.runs ?? 3, responders, swanTableSize: args.swanTableSize };
      const r = await runIke({ ...o, progress });
      const limitMb = 500;
      const target = args.concurrent !== undefined ? r.measurements.filter((m) => m.responder === 'ipsecgw').map((m) => ({
        run: m.run, established: m.load.established, rssMb: m.rssAfterKb / 1024, ok: m.load.established >= sas && m.rssAfterKb / 1024 < limitMb,
      })) : undefined;
      const data = {
        kind: 'ike', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length,
        proposals: { ike: IKE_PROPOSAL, esp: ESP_PROPOSAL }, options: o, ...r,
        ...(target ? { concurrentTarget: { sas, limitMb, runs: target, met: target.every((x) => x.ok) } } : {}),
      };
      const head = `ipsecgw bench ike — ${data.cpu}, ${data.cpus} CPUs shared by the generator and the responder; ${sas} IKE SAs ` +
        `(${IKE_PROPOSAL}, PSK, one ${ESP_PROPOSAL} CHILD SA each) per run, ${args.concurrency} in flight from ${args.sources} addresses`;
      const tail = target ? `\n\n${sas} concurrent SAs under ${limitMb} MB (ipsecgw): ${target.map((x) => `run ${x.run}: ${x.established} up, ${x.rssMb.toFixed(1)} MB ${x.ok ? 'ok' : 'MISSED'}`).join('; ')}` : '';
      report(args, data, `${head}\n\n${ikeTable(r)}${tail}`);
      if (target && !data.concurrentTarget!.met) process.exitCode = EXIT.FAILURE;
      return;
    }
    const seconds = args.seconds ?? 5, runs = args.runs ?? 1;
    const rows = await runE2e({ seconds, suites: args.suites, streams: args.streams, strongswan: args.strongswan, encap: args.encap, workers: args.workers, runs, progress });
    const data = { kind: 'e2e', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, seconds, encap: args.encap, workers: args.workers, runs, rows };
    const esp = args.encap === 'udp' ? 'ESP in UDP 4500' : 'plain ESP';
    report(args, data, `ipsecgw bench e2e — ${data.cpu}, ${data.cpus} CPUs shared by both gateways and iperf3, ${seconds} s per figure` +
      `${runs > 1 ? `, medians of ${runs} rounds` : ''}; ipsecgw: ${esp}, ${args.workers} worker${args.workers === 1 ? '' : 's'} a gateway\n\n${e2eTable(rows)}`);
  },
};
