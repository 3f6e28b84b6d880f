// `ipsecgw up NAME [--child C]` and `ipsecgw down NAME`: swanctl --initiate / --terminate for the
// running gateway. `up` waits until the connection's CHILD SAs carry traffic and exits 0, or says
// why they do not (no proposal chosen, authentication failed, no answer, time over) and exits 1;
// `down` deletes the connection's SAs (a Delete to the peer) and waits until they are gone.
import type { CommandModule } from 'yargs';
import { request } from '../gateway/control.js';
import type { DownResult, UpResult } from '../gateway/initiate.js';
import { controlFailureCode, EXIT } from './exit-codes.js';
import { formatIkeSas, GATEWAY_OPTIONS, socketPath } from './status.js';

interface UpArgs {
  /** The connection; --name is the gateway's, as for `ipsecgw status`. */
  conn: string;
  child?: string;
  timeout: number;
  socket?: string;
  name?: string;
  json: boolean;
}

type DownArgs = Omit<UpArgs, 'child' | 'timeout'>;

/** A failure's headline, by the event the daemon logged it under (docs/logs.md). */
const HEADLINE: Record<Extract<UpResult, { outcome: 'failed' }>['failure'], string> = {
  'proposal.mismatch': 'no proposal chosen',
  'auth.failed': 'authentication failed',
  'ike.timeout': 'the peer did not answer',
  'ike.failed': 'IKE SA failed',
  'child.failed': 'CHILD SA failed',
  timeout: 'timed out',
};

/** What `up` prints, and its exit code. */
export function describeUp(r: UpResult, timeoutS: number): { text: string; code: number } {
  const children = (list: Array<{ child: string }>): string => [...new Set(list.map((c) => `'${c.child}'`))].join(', ');
  switch (r.outcome) {
    case 'already':
      return { text: `'${r.conn}' is already up (CHILD SA ${children(r.children)})\n${formatIkeSas(r.ike, r.children).join('\n')}`, code: EXIT.SUCCESS };
    case 'established':
      return { text: `'${r.conn}' established in ${(r.ms / 1000).toFixed(1)} s (CHILD SA ${children(r.children)})\n${formatIkeSas(r.ike, r.children).join('\n')}`, code: EXIT.SUCCESS };
    case 'initiated':
      return { text: `'${r.conn}' initiated`, code: EXIT.SUCCESS };
    case 'failed': {
      const what = r.failure === 'timeout' ? `${HEADLINE.timeout} after ${timeoutS} s` : HEADLINE[r.failure];
      return { text: `'${r.conn}'${r.child ? ` (CHILD SA '${r.child}')` : ''}: ${what}: ${r.reason}`, code: EXIT.FAILURE };
    }
  }
}

export function describeDown(r: DownResult): string {
  if (r.outcome === 'not-up') return `'${r.conn}' has no SAs: nothing to terminate`;
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  return `'${r.conn}' terminated: ${n(r.ike, 'IKE SA')} and ${n(r.children, 'CHILD SA')} deleted`;
}

const common = {
  ...GATEWAY_OPTIONS,
  json: { type: 'boolean', default: false, describe: 'print the outcome as JSON' },
} as const;

export const upCommand: CommandModule<object, UpArgs> = {
  command: 'up <conn>',
  describe: 'initiate a connection and wait until its CHILD SAs are established',
  builder: (y) => y
    .positional('conn', { type: 'string', describe: 'the connection (as in the configuration)' })
    .option('child', { type: 'string', describe: 'only this child of the connection' })
    .option('timeout', { type: 'number', default: 30, describe: 'seconds to wait for the SAs' })
    .options(common) as never,
  handler: async (args) => {
    try {
      if (!(args.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
      const ms = Math.round(args.timeout * 1000);
      const r = (await request(socketPath(args), { cmd: 'up', name: args.conn, child: args.child, timeout: ms }, ms + 5000)) as UpResult;
      const { text, code } = describeUp(r, args.timeout);
      if (args.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else (code ? process.stderr : process.stdout).write(`${code ? 'ipsecgw up: ' : ''}${text}\n`);
      process.exitCode = code;
    } catch (err) {
      process.stderr.write(`ipsecgw up: ${(err as Error).message}\n`);
      process.exitCode = controlFailureCode(err);
    }
  },
};

export const downCommand: CommandModule<object, DownArgs> = {
  command: 'down <conn>',
  describe: "delete a connection's SAs (with a Delete to the peer) and wait until they are gone",
  builder: (y) => y
    .positional('conn', { type: 'string', describe: 'the connection (as in the configuration)' })
    .options(common) as never,
  handler: async (args) => {
    try {
      const r = (await request(socketPath(args), { cmd: 'down', name: args.conn }, 15_000)) as DownResult;
      process.stdout.write(args.json ? `${JSON.stringify(r, null, 2)}\n` : `${describeDown(r)}\n`);
    } catch (err) {
      process.stderr.write(`ipsecgw down: ${(err as Error).message}\n`);
      process.exitCode = controlFailureCode(err);
    }
  },
};
