// `ipsecgw check -c FILE`: validate a configuration without running anything. Prints every
// diagnostic as FILE:LINE:COL: message in file order (errors and warnings together, as compilers
// do), then a summary line; exits 1 (EXIT.FAILURE, DESIGN.md) when there is an error and 0 otherwise
// (warnings included), so scripts and CI can gate on it.
import type { CommandModule } from 'yargs';
import { formatDiagnostic, loadConfig } from '../config/load.js';
import { EXIT } from './exit-codes.js';

interface CheckArgs {
  config: string;
  json: boolean;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'validate a configuration file; print every error and warning as FILE:LINE:COL: message',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', demandOption: true, describe: 'the gateway configuration (YAML)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the diagnostics as a JSON array' })
    .example('$0 check -c config/site-a.yaml', 'validate site-a')
    .epilog('Exit status: 0 when the configuration is valid (warnings do not fail it), 1 when it has errors.') as never,
  handler: (args) => {
    const { diagnostics } = loadConfig(args.config);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    if (args.json) {
      process.stdout.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
    } else {
      const lines = diagnostics.map(formatDiagnostic);
      const tally = warnings > 0 ? ` (${count(warnings, 'warning')})` : '';
      lines.push(errors > 0 ? `${args.config}: ${count(errors, 'error')}${tally}` : `${args.config}: ok${tally}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.exitCode = errors > 0 ? EXIT.FAILURE : EXIT.SUCCESS;
  },
};
