// `ipsecgw reload [--name N | --socket S]`: the running gateway reads the file it was started with
// (`run -c FILE`) again and applies it, as on SIGHUP — connections and manual SAs whose
// configuration changed are set up anew, the others keep their SAs and traffic. Prints what was
// kept, replaced, added and removed; a file with errors changes nothing: its errors are printed as
// FILE:LINE:COL: message and the exit code is 1.
import type { CommandModule } from 'yargs';
import { request } from '../gateway/control.js';
import type { ReloadResult } from '../gateway/reload.js';
import { controlFailureCode, EXIT } from './exit-codes.js';
import { GATEWAY_OPTIONS, socketPath } from './status.js';

interface ReloadArgs {
  socket?: string;
  name?: string;
  json: boolean;
}

/** Tearing down SAs and setting them up again takes longer than a status query. */
const RELOAD_TIMEOUT_MS = 60_000;

export function formatReload(r: ReloadResult): string {
  const list = (names: string[]): string => (names.length ? names.join(', ') : '-');
  const lines = [`kept:     ${list(r.kept)}`, `replaced: ${list(r.replaced)}`, `added:    ${list(r.added)}`, `removed:  ${list(r.removed)}`];
  if (r.restart.length) lines.push(`needs a restart (running values kept): ${r.restart.join(', ')}`);
  return lines.join('\n');
}

export const reloadCommand: CommandModule<object, ReloadArgs> = {
  command: 'reload',
  describe: 're-read the running gateway\'s configuration file; unchanged connections keep their SAs',
  builder: (y) => y
    .options(GATEWAY_OPTIONS)
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
    .conflicts('socket', 'name')
    .example('$0 reload --name site-a', 'apply the edited configuration of gateway site-a') as never,
  handler: async (args) => {
    let answer: ReloadResult | { errors: string[] };
    try {
      answer = (await request(socketPath(args), { cmd: 'reload' }, RELOAD_TIMEOUT_MS)) as typeof answer;
    } catch (err) {
      process.stderr.write(`ipsecgw reload: ${(err as Error).message}\n`);
      process.exitCode = controlFailureCode(err);
      return;
    }
    if (args.json) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    if ('errors' in answer) {
      if (!args.json) process.stderr.write(`${answer.errors.join('\n')}\nipsecgw reload: the configuration has errors; nothing changed\n`);
      process.exitCode = EXIT.CONFIG;
      return;
    }
    if (!args.json) process.stdout.write(`${formatReload(answer)}\n`);
  },
};
