// The guides in docs/ do what they say: each one's two configurations, exactly as written, run in
// the lab (hA — gwA ==== gwB — hB, src/lab/netns.ts, which uses the guides' addresses; with a NAT
// between the gateways for the NAT guide) and carry a ping from 10.1.0.2 to 10.2.0.2. The
// certificates come from the certificate guide's own openssl commands. Only the control socket is
// moved, into the test's directory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runGateway, type RunningGateway } from '../src/lab/gateways.js';
import { canUseNat, canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { DOCS, materialize, yamlBlocks } from './util/docs.js';

interface Guide {
  readonly doc: string;
  /** Titles of the blocks (their first comment line) that run in gwA and in gwB. */
  readonly a: string;
  readonly b: string;
  readonly nat?: boolean;
  /** Make the certificates with the guide's first sh block that calls openssl. */
  readonly pki?: boolean;
  /** What else the guide says, checked on the two gateways' log events once the ping went through. */
  readonly says?: (a: Event[], b: Event[]) => void;
}

type Event = Record<string, unknown>;
const established = (events: Event[]): Event | undefined => events.find((e) => e.event === 'ike.established');

const GUIDES: Guide[] = [
  { doc: 'site-to-site-psk.md', a: 'site-a.yaml (gw-a)', b: 'site-b.yaml (gw-b)' },
  { doc: 'site-to-site-certificates.md', a: 'site-a.yaml (gw-a)', b: 'site-b.yaml (gw-b)', pki: true },
  {
    doc: 'roaming.md', a: 'home-1.yaml (a client)', b: 'hq.yaml (the hub)',
    says: (_, hub) => assert.equal(established(hub)?.conn, 'home-1', "the client's identity picks its connection"),
  },
  {
    doc: 'nat-traversal.md', a: 'site-a.yaml (gw-a, behind the NAT)', b: 'site-b.yaml (gw-b, public)', nat: true,
    says: (a, b) => {
      assert.equal((established(a)?.nat as { local?: boolean } | undefined)?.local, true, 'gw-a knows it is behind a NAT');
      assert.equal((established(b)?.nat as { remote?: boolean } | undefined)?.remote, true, 'gw-b knows gw-a is behind a NAT');
    },
  },
  { doc: 'manual-keying.md', a: 'site-a.yaml (gw-a)', b: 'site-b.yaml (gw-b)' },
];

const shBlocks = (doc: string): string[] =>
  [...readFileSync(join(DOCS, doc), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);

/** Pings until one answer comes back (the tunnel is negotiated meanwhile), then three that must all. */
function pingThrough(t: Topology, dst: string): string {
  for (let i = 0; i < 20; i++) {
    if (/1 received/.test(t.exec(t.hA, 'ping', ['-c', '1', '-W', '1', dst], { allowFail: true }))) break;
  }
  return t.exec(t.hA, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', dst], { allowFail: true });
}

describe('the guides in docs/ run in the lab', () => {
  for (const g of GUIDES) {
    const skip = (g.nat ? canUseNat() : canUseNetns()) ?? false;
    test(`docs/${g.doc}: ${g.a} and ${g.b} carry a ping`, { skip, timeout: 120_000 }, async () => {
      const blocks = yamlBlocks(g.doc);
      const t = createTopology({ nat: g.nat ?? false });
      const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-docs-lab-'));
      const running: RunningGateway[] = [];
      let passed = false;
      try {
        let certs: string | undefined;
        if (g.pki) {
          certs = join(dir, 'pki');
          mkdirSync(certs);
          const script = shBlocks(g.doc).find((s) => s.includes('openssl genpkey'));
          assert.ok(script, `docs/${g.doc} has no sh block with openssl commands`);
          execFileSync('bash', ['-e', '-c', script], { cwd: certs, stdio: 'pipe' });
        }
        const start = async (title: string, ns: string, side: string): Promise<void> => {
          const block = blocks.find((b) => b.title === title);
          assert.ok(block, `docs/${g.doc} has no yaml block titled '# ${title}'`);
          const d = join(dir, side);
          mkdirSync(d);
          const { env } = materialize(d, block.text, certs);
          assert.deepEqual(env, {}, 'the guides keep secrets in files');
          const socket = join(d, 'gw.sock');
          const config = join(d, 'config.yaml');
          writeFileSync(config, block.text.replace(/^gateway:\n/m, `gateway:\n  socket: ${socket}\n`), { mode: 0o600 });
          running.push(await runGateway(t, ns, config, socket));
        };
        // The responding side first, so the initiator finds it listening.
        await start(g.b, t.gwB, 'b');
        await start(g.a, t.gwA, 'a');
        const out = pingThrough(t, t.addr.hB.lan4);
        const events = () => running.map((r) => r.events().map((e) => `${String(e.event)} ${String(e.msg)} ${e.reason ? String(e.reason) : ''}`).join('\n')).join('\n---\n');
        assert.match(out, / 0% packet loss/, `${out}\n${events()}`);
        if (g.says) {
          // Logs arrive a little later than the packets (pino writes asynchronously).
          const [b, a] = running;
          for (let i = 0; i < 50 && !(established(a.events()) && established(b.events())); i++) await sleep(100);
          g.says(a.events(), b.events());
        }
        passed = true;
      } finally {
        const stops = await Promise.allSettled(running.map((r) => r.stop()));
        t.destroy();
        rmSync(dir, { recursive: true, force: true });
        // A gateway that would not stop fails the test, unless it failed already for a better reason.
        const stuck = stops.find((r) => r.status === 'rejected');
        if (passed && stuck) throw (stuck as PromiseRejectedResult).reason;
      }
    });
  }
});
