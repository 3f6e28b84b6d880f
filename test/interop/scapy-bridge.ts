// The Node side of test/interop/scapy_esp.py: one long-lived python3 process, JSON lines both ways
// (the protocol is described at the top of the Python file). The process is ended by close(), and,
// should a test run die before that, by an exit hook.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { EspSa } from '../../src/dataplane/esp.js';
import { toHex } from '../util/vectors.js';

/** The Python file sits in the source tree; this module runs from dist/test/interop/. */
const SCRIPT = [
  fileURLToPath(new URL('../../../test/interop/scapy_esp.py', import.meta.url)),
  fileURLToPath(new URL('./scapy_esp.py', import.meta.url)),
].find((p) => existsSync(p));

export const INSTALL_HINT = 'apt-get install python3-scapy python3-cryptography';

export interface Hello {
  hello: boolean;
  scapy?: string;
  cryptography?: string;
  python?: string;
  error?: string;
}

interface Answer {
  id: number;
  ok: boolean;
  packet?: string;
  spi?: number;
  seq?: number;
  error?: string;
}

/** An SA for the bridge: EspSa without key/seq as JS types (the bridge takes hex and a decimal string). */
export type BridgeSa = Omit<EspSa, 'seq' | 'iv'>;

export class ScapyError extends Error {}

export class ScapyBridge {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;
  private stderr = '';
  private readonly killOnExit = (): void => {
    if (!this.exited) this.child.kill('SIGKILL');
  };

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly hello: Hello, lines: AsyncIterableIterator<string>) {
    process.once('exit', this.killOnExit);
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      process.removeListener('exit', this.killOnExit);
      const why = new ScapyError(`scapy bridge exited (code ${code}, signal ${signal}): ${this.stderr.trim()}`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(why);
      }
      this.pending.clear();
    });
    void (async () => {
      for await (const line of lines) {
        let a: Answer;
        try {
          a = JSON.parse(line) as Answer;
        } catch {
          continue;
        }
        const p = this.pending.get(a.id);
        if (!p) continue;
        this.pending.delete(a.id);
        clearTimeout(p.timer);
        p.resolve(a);
      }
    })();
  }

  /**
   * Start the bridge with the first python3 that imports Scapy: $IPSECGW_PYTHON, then Debian's
   * /usr/bin/python3 (where apt's python3-scapy lives, whatever python3 is first on PATH), then python3.
   * Resolves to the bridge, or to the reasons none would start.
   */
  static async open(): Promise<ScapyBridge | { unavailable: string }> {
    if (!SCRIPT) return { unavailable: 'test/interop/scapy_esp.py not found' };
    const candidates = [...new Set([process.env.IPSECGW_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p))];
    const reasons: string[] = [];
    for (const python of candidates) {
      const r = await ScapyBridge.tryStart(python);
      if (r instanceof ScapyBridge) return r;
      reasons.push(`${python}: ${r}`);
    }
    return { unavailable: `python3-scapy not installed (${INSTALL_HINT}); ${reasons.join('; ')}` };
  }

  private static tryStart(python: string): Promise<ScapyBridge | string> {
    return new Promise((resolve) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(python, [SCRIPT!], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      } catch (e) {
        resolve(String(e));
        return;
      }
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const give = (r: ScapyBridge | string): void => {
        clearTimeout(timer);
        if (typeof r === 'string' && child.exitCode === null) child.kill('SIGKILL');
        resolve(r);
      };
      const timer = setTimeout(() => give('no hello within 30 s'), 30_000);
      child.once('error', (e) => give(e.message));
      lines.next().then(
        ({ value, done }) => {
          if (done) return give(`exited before hello: ${stderr.trim().split('\n').pop() ?? ''}`);
          let hello: Hello;
          try {
            hello = JSON.parse(value) as Hello;
          } catch {
            return give(`not a hello: ${value}`);
          }
          if (!hello.hello) return give(hello.error ?? 'refused');
          give(new ScapyBridge(child, hello, lines));
        },
        (e: Error) => give(e.message),
      );
    });
  }

  private request(op: 'encrypt' | 'decrypt', sa: BridgeSa, seq: bigint, iv: Uint8Array | undefined, packet: Uint8Array): Promise<Answer> {
    if (this.exited) return Promise.reject(new ScapyError(`scapy bridge is gone: ${this.stderr.trim()}`));
    const id = this.nextId++;
    const json = {
      spi: sa.spi, mode: sa.mode, src: sa.src, dst: sa.dst, esp: sa.esp, key: typeof sa.key === 'string' ? sa.key.replace(/\s+/g, '') : toHex(sa.key), seq: seq.toString(),
      esn: !!sa.esn, encap: sa.encap ?? null, iv: iv ? toHex(iv) : null,
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ScapyError(`scapy bridge: no answer to request ${id} within 30 s`));
      }, 30_000);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin.write(JSON.stringify({ id, op, sa: json, packet: toHex(packet) }) + '\n');
    });
  }

  /** Scapy's ESP packet for `inner`, carrying sequence number `seq` (and `iv`, else a random one). */
  async encrypt(sa: BridgeSa, seq: bigint, inner: Uint8Array, iv?: Uint8Array): Promise<Uint8Array> {
    const a = await this.request('encrypt', sa, seq, iv, inner);
    if (!a.ok) throw new ScapyError(`scapy encrypt: ${a.error}`);
    return new Uint8Array(Buffer.from(a.packet!, 'hex'));
  }

  /** Scapy's decryption of `outer`, expected to carry sequence number `seq`; throws if Scapy refuses it. */
  async decrypt(sa: BridgeSa, seq: bigint, outer: Uint8Array): Promise<{ inner: Uint8Array; spi: number; seq: number }> {
    const a = await this.request('decrypt', sa, seq, undefined, outer);
    if (!a.ok) throw new ScapyError(`scapy decrypt: ${a.error}`);
    return { inner: new Uint8Array(Buffer.from(a.packet!, 'hex')), spi: a.spi!, seq: a.seq! };
  }

  /** Scapy's answer to a packet it should refuse: the error text, or null if it accepted it. */
  async decryptError(sa: BridgeSa, seq: bigint, outer: Uint8Array): Promise<string | null> {
    const a = await this.request('decrypt', sa, seq, undefined, outer);
    return a.ok ? null : a.error ?? 'error';
  }

  /** End the process: EOF on stdin, then SIGKILL if it has not gone within 2 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
  }
}
