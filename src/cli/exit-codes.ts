// The exit codes of every `ipsecgw` command, in one place (docs/service.md has the table). Beyond 0
// and 1 they are BSD's sysexits(3) codes, which systemd knows by name (`status=78/CONFIG` in
// `systemctl status`) and which say what an operator must do: fix the file (78), fix the unit or the
// command line (77, 64), start the gateway (69) — or wait for a restart (71, 1). The unit
// (contrib/systemd/ipsecgw@.service) restarts on failure except after 64, 77 and 78: those do not
// go away by themselves.

export const EXIT = {
  /** Done; `run`: stopped by SIGTERM / SIGINT after deleting its SAs. */
  SUCCESS: 0,
  /** An unexpected error (Node's own code for an uncaught exception too); `check`: the file has errors (DESIGN.md). */
  FAILURE: 1,
  /** EX_USAGE: the command line is wrong (unknown option, missing argument). */
  USAGE: 64,
  /** EX_UNAVAILABLE: no gateway answers on the control socket (`status`, `up`, `down`, `reload`). */
  UNAVAILABLE: 69,
  /** EX_OSERR: `run` could not open its TUN device or sockets (address not configured, port in use, …). */
  START_FAILED: 71,
  /** EX_NOPERM: not allowed — a capability missing at start (EPERM / EACCES), or the control socket's mode. */
  NO_PERMISSION: 77,
  /** EX_CONFIG: the configuration has errors; `run` does not start. */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const errnoOf = (err: unknown): string | undefined => (err as { code?: unknown } | null)?.code as string | undefined;

/** Why `run` could not start: a permission (a capability missing), or anything else the system refused. */
export function startFailureCode(err: unknown): ExitCode {
  const code = errnoOf(err);
  return code === 'EPERM' || code === 'EACCES' ? EXIT.NO_PERMISSION : EXIT.START_FAILED;
}

/**
 * A control-socket request that failed: nobody listens (no socket, refused, no answer), the socket's
 * mode keeps us out, or the gateway answered with an error (an unknown connection name, …).
 */
export function controlFailureCode(err: unknown): ExitCode {
  switch (errnoOf(err)) {
    case 'ENOENT': case 'ECONNREFUSED': case 'ENOTSOCK': case 'ETIMEDOUT': return EXIT.UNAVAILABLE;
    case 'EACCES': case 'EPERM': return EXIT.NO_PERMISSION;
    default: return EXIT.FAILURE;
  }
}
