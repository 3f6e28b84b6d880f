// `ipsecgw bench micro`: the benchmark runner. Writes JSON (--out) and prints a Markdown table;
// progress goes to stderr while it runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import { microTable, runMicro, SIZES } from '../../bench/micro.js';

interface BenchArgs {
  kind: 'micro';
  seconds: number;
  out: string;
  openssl: boolean;
  filter?: string;
  sizes: number[];
  json: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench <kind>',
  describe: 'run a benchmark: micro (crypto core, one core, against node:crypto and openssl speed)',
  builder: (y) => y
    .positional('kind', { choices: ['micro'] as const, demandOption: true })
    .option('seconds', { type: 'number', default: 0.5, describe: 'time spent on each figure' })
    .option('out', { type: 'string', default: 'bench-results/micro.json', describe: 'where to write the JSON report' })
    .option('openssl', { type: 'boolean', default: true, describe: 'measure the `openssl speed` ceiling (--no-openssl to skip)' })
    .option('filter', { type: 'string', describe: 'only suites whose name contains this' })
    .option('sizes', { type: 'number', array: true, default: SIZES, describe: 'packet sizes in bytes' })
    .option('json', { type: 'boolean', default: false, describe: 'print the JSON report instead of the table' }) as never,
  handler: (args) => {
    const report = runMicro({
      seconds: args.seconds,
      openssl: args.openssl,
      filter: args.filter,
      sizes: args.sizes,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${microTable(report)}\n\nJSON: ${args.out}\n`);
  },
};
