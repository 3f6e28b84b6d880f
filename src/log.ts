// Logging: pino, JSON lines on stdout (`--pretty` for people). Events have stable names in `event`
// (ike.established, child.rekeyed, …) and the fields an operator greps for. Key material never
// reaches a log line: the fields that could carry it are censored by name, wherever they nest.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Field names that hold secrets anywhere in a log object. */
const SECRET_FIELDS = ['key', 'keys', 'psk', 'secret', 'password', 'keymat', 'skeyid'];
const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  /** Defaults to stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) return pino({ ...options, transport: undefined }, prettyStream());
  return pino(options);
}

/** A small human-readable stream for --pretty, without another dependency: "12:00:01 INFO event msg k=v". */
function prettyStream(): pino.DestinationStream {
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string): void {
      try {
        const { time, level, msg, event, pid: _pid, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
        const t = typeof time === 'string' ? time.slice(11, 19) : '';
        process.stdout.write(`${t} ${levels[level as number] ?? level} ${event ?? ''} ${msg ?? ''} ${fields}`.replace(/\s+$/, '') + '\n');
      } catch {
        process.stdout.write(line);
      }
    },
  };
}
