// `ipsecgw check -c FILE`: validate a configuration without running anything. Prints every
// diagnostic as FILE:LINE:COL: message (errors first, each in file order), or "FILE: ok" with
// any warnings; exits 1 when there is an error, so scripts and CI can gate on it.
import type { CommandModule } from 'yargs';
import { formatDiagnostic, loadConfig } from '../config/load.js';

interface CheckArgs {
  config: string;
  json: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'validate a configuration file; print every error as FILE:LINE:COL: message',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', demandOption: true, describe: 'the gateway configuration (YAML)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the diagnostics as a JSON array' })
    .example('$0 check -c config/site-a.yaml', 'validate site-a') as never,
  handler: (args) => {
    const { diagnostics } = loadConfig(args.config);
    const failed = diagnostics.some((d) => d.severity === 'error');
    if (args.json) {
      process.stdout.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
    } else {
      const lines = diagnostics.map(formatDiagnostic);
      if (!failed) lines.push(`${args.config}: ok`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.exitCode = failed ? 1 : 0;
  },
};
