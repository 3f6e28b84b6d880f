// `ipsecgw run -c FILE`: the gateway in the foreground. pino JSON logs on stdout (--pretty for
// people). SIGTERM / SIGINT stop it cleanly (SAs wiped, devices and sockets closed); SIGHUP reloads
// the configuration (unchanged entries keep their SAs and traffic).
import type { CommandModule } from 'yargs';
import { formatDiagnostic } from '../config/diagnostics.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { Gateway } from '../gateway/gateway.js';
import { createLogger, type Logger } from '../log.js';

interface RunArgs {
  config: string;
  pretty: boolean;
  'log-level': string;
  socket?: string;
}

/** Loads the file; logs every diagnostic; the config, or undefined when there are errors. */
function load(file: string, log: Logger, socket?: string): Config | undefined {
  const { config, diagnostics } = loadConfig(file);
  for (const d of diagnostics) {
    const line = formatDiagnostic(d);
    if (d.severity === 'error') log.error({ event: 'config.error', file: d.file, line: d.line, col: d.col }, line);
    else log.warn({ event: 'config.warning', file: d.file, line: d.line, col: d.col }, line);
  }
  if (!config || !socket) return config;
  return { ...config, gateway: { ...config.gateway, socket } };
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
    const config = load(args.config, log, args.socket);
    if (!config) {
      log.fatal({ event: 'gateway.failed', reason: 'configuration has errors' }, 'configuration has errors: not starting');
      process.exitCode = 1;
      return;
    }
    const gateway = new Gateway(config, log);
    try {
      await gateway.start();
    } catch (err) {
      log.fatal({ event: 'gateway.failed', reason: (err as Error).message }, 'gateway failed to start');
      await gateway.stop().catch(() => undefined);
      process.exitCode = 1;
      return;
    }
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'gateway.stopping', signal }, 'stopping');
      await gateway.stop();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => {
      const next = load(args.config, log, args.socket);
      if (!next) log.error({ event: 'config.reload_failed', reason: 'configuration has errors' }, 'configuration has errors: keeping the running one');
      else void gateway.reload(next).catch((err) => log.error({ event: 'config.reload_failed', reason: (err as Error).message }, 'reload failed'));
    });
  },
};
