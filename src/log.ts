// Logging: pino, JSON lines on stdout (`--pretty` for people). Events have stable names in `event`
// (ike.established, child.rekeyed, …; docs/logs.md lists them all) and the fields an operator
// greps for. Key material never reaches a log line: the code passes none to the logger, and as a
// second line of defence every log object is scrubbed before it is written — fields named like
// secrets are censored wherever they nest, and byte arrays (which in this program are keys, nonces
// or packets) are shown only by their length.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Field names that hold secrets anywhere in a log object (compared case-insensitively). */
const SECRET_FIELD = /^(?:key|keys|keyin|keyout|psk|secret|password|passphrase|keymat|privatekey|gxy|ka)$|^skeyid|^sk_/i;
/** Nesting beyond this is not walked (nor printed): log objects are shallow. */
const MAX_DEPTH = 6;

/**
 * The log object as it may be written. pino's own redaction (@pinojs/redact) is not used: its
 * wildcard paths throw on a Buffer anywhere in the object, and it would print a Uint8Array's bytes.
 */
export function scrub(value: unknown, ancestors: object[] = []): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) return value; // pino's err serializer: type, message, stack
  // What JSON would print (a Date's ISO string), scrubbed in turn.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return scrub(toJSON.call(value), [...ancestors, value]);
  if (ancestors.includes(value) || ancestors.length >= MAX_DEPTH) return '[…]';
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((v) => scrub(v, inner));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : scrub(v, inner);
  return out;
}

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  /** Defaults to stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    formatters: { log: (o) => scrub(o) as Record<string, unknown> },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const logger = opts.pretty ? pino(options, prettyStream(opts.destination ?? process.stdout))
    : opts.destination ? pino(options, opts.destination)
    : pino(options);
  // pino applies no formatter to a child's bindings: they are scrubbed here, for every descendant
  // (a child is created from its parent's prototype chain, so it inherits this `child`).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, scrub(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return logger;
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One JSON log line as `--pretty` shows it: "12:00:01 INFO event msg k=v …". It sees the line
 * after redaction, so it can show no more than the JSON does; a line that is not JSON passes as is.
 */
export function formatPretty(line: string): string {
  try {
    const { time, level, msg, event, pid: _pid, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    const t = typeof time === 'string' ? time.slice(11, 19) : '';
    return `${t} ${LEVELS[level as number] ?? level} ${event ?? ''} ${msg ?? ''} ${fields}`.replace(/\s+$/, '') + '\n';
  } catch {
    return line;
  }
}

/** The --pretty stream, without another dependency. */
function prettyStream(out: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => void out.write(formatPretty(line)) };
}
