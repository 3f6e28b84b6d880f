// `ipsecgw run -c FILE`: the gateway in the foreground. pino JSON logs on stdout (--pretty for
// people). SIGTERM / SIGINT stop it cleanly (IKE SAs deleted with a Delete to each peer, SAs wiped,
// devices and sockets closed) and exit 0; SIGHUP — like `ipsecgw reload` — reads FILE again and
// applies it (unchanged entries keep their SAs and traffic). Exit codes: exit-codes.ts (78 the
// configuration, 77 a permission, 71 a device or socket that would not open).
import type { CommandModule } from 'yargs';
import { loadConfig } from '../config/load.js';
import type { LoadResult } from '../config/types.js';
import { Gateway, logDiagnostics } from '../gateway/gateway.js';
import { createLogger } from '../log.js';
import { EXIT, startFailureCode } from './exit-codes.js';

interface RunArgs {
  config: string;
  pretty: boolean;
  'log-level': string;
  socket?: string;
}

/** Loads the file, with the control socket of --socket in place of the file's. */
function load(file: string, socket?: string): LoadResult {
  const r = loadConfig(file);
  if (!r.config || !socket) return r;
  return { ...r, config: { ...r.config, gateway: { ...r.config.gateway, socket } } };
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run the gateway in the foreground',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', demandOption: true, describe: 'the gateway configuration (YAML)' })
    .option('pretty', { type: 'boolean', default: false, describe: 'human-readable logs instead of JSON lines' })
    .option('log-level', { type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error'] })
    .option('socket', { type: 'string', describe: 'control socket path (default /run/ipsecgw/<name>.sock)' }) as never,
  handler: async (args) => {
    const log = createLogger({ level: args['log-level'], pretty: args.pretty });
    const { config, diagnostics } = load(args.config, args.socket);
    logDiagnostics(log, diagnostics);
    if (!config) {
      log.fatal({ event: 'gateway.failed', reason: 'configuration has errors', exit: EXIT.CONFIG }, 'configuration has errors: not starting');
      process.exitCode = EXIT.CONFIG;
      return;
    }
    const gateway = new Gateway(config, log, () => load(args.config, args.socket));
    try {
      await gateway.start();
    } catch (err) {
      const exit = startFailureCode(err);
      log.fatal({ event: 'gateway.failed', reason: (err as Error).message, exit }, 'gateway failed to start');
      await gateway.stop().catch(() => undefined);
      process.exitCode = exit;
      return;
    }
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'gateway.stopping', signal }, 'stopping');
      try {
        await gateway.stop();
      } catch (err) {
        log.error({ event: 'gateway.stop_failed', reason: (err as Error).message }, 'stop failed');
        process.exit(EXIT.FAILURE);
      }
      process.exit(EXIT.SUCCESS);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => {
      if (stopping) return;
      log.info({ event: 'config.reloading', signal: 'SIGHUP' }, 'reloading the configuration');
      gateway.rereadConfig().catch((err) => log.error({ event: 'config.reload_failed', reason: (err as Error).message }, 'reload failed'));
    });
  },
};
