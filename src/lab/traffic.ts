// Traffic through a lab topology (netns.ts): ping and iperf3 between the sites, run asynchronously
// so that a caller's signal handlers and timers keep running meanwhile (the demo stops on Ctrl-C
// in the middle of a throughput test). Every process is started with `t.spawn`, so `t.destroy()`
// kills whatever is still running.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topology } from './netns.js';

export interface Ran {
  /** The exit code; null when a signal ended it (or the timeout did). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command in a namespace to its end (or `timeoutMs`, then SIGKILL); never rejects on its exit status. */
export function runIn(t: Topology, ns: string, cmd: string, args: string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve) => {
    const c = t.spawn(ns, cmd, args);
    let stdout = '', stderr = '', timedOut = false;
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${err.message}`, timedOut });
    });
    c.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

export interface PingResult {
  sent: number;
  received: number;
  /** Average round trip of the replies, ms (none without replies). */
  rttMs?: number;
}

/** `count` echo requests from namespace `ns` to `to`, `intervalS` apart, each waited for up to 1 s. */
export async function ping(t: Topology, ns: string, to: string, count = 4, intervalS = 0.2): Promise<PingResult> {
  const r = await runIn(t, ns, 'ping', ['-n', '-q', '-c', String(count), '-i', String(intervalS), '-W', '1', to], (count * intervalS + 10) * 1000);
  // iputils: "4 packets transmitted, 4 received, …" and "rtt min/avg/max/mdev = 0.041/0.052/0.068/0.010 ms"
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
  if (!counts) throw new Error(`ping ${to} from ${ns}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  return { sent: Number(counts[1]), received: Number(counts[2]), ...(rtt ? { rttMs: Number(rtt[1]) } : {}) };
}

/** Waits until `from` gets an answer from `to` (routes, SAs and neighbours in place); throws after `tries`. */
export async function reachable(t: Topology, from: string, to: string, tries = 30): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if ((await ping(t, from, to, 1)).received > 0) return;
    await sleep(200);
  }
  throw new Error(`${to} unreachable from ${from}`);
}

export const haveIperf3 = (): boolean => {
  try {
    execFileSync('iperf3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export interface IperfResult {
  /** What the receiver got, Gbit/s. */
  gbps: number;
  /** TCP retransmissions of the sender. */
  retransmits: number;
}

/** TCP from hA to hB with iperf3, `streams` parallel streams for `seconds`. */
export async function iperf(t: Topology, streams: number, seconds: number): Promise<IperfResult> {
  const server = t.spawn(t.hB, 'iperf3', ['-s', '-1', '-B', t.addr.hB.lan4]);
  try {
    await sleep(300); // the server listening
    // A stalled tunnel stalls iperf3's closing exchange too: give up a while after the test's end.
    const r = await runIn(t, t.hA, 'iperf3', ['-c', t.addr.hB.lan4, '-t', String(seconds), '-P', String(streams), '-J'], (seconds + 15) * 1000);
    if (r.timedOut) throw new Error(`iperf3 did not finish within ${seconds + 15} s`);
    let report: { error?: string; end?: { sum_received?: { bits_per_second: number }; sum_sent?: { retransmits?: number } } };
    try {
      report = JSON.parse(r.stdout) as typeof report;
    } catch {
      throw new Error(`iperf3: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    }
    if (report.error || !report.end?.sum_received) throw new Error(`iperf3: ${report.error ?? 'no result'}`);
    return { gbps: report.end.sum_received.bits_per_second / 1e9, retransmits: report.end.sum_sent?.retransmits ?? 0 };
  } finally {
    server.kill();
  }
}
