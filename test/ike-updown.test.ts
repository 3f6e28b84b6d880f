// `ipsecgw up` / `down` (src/gateway/initiate.ts) on two IKE daemons in one process (util/ike-pair.ts),
// both versions: the connection comes up and the answer carries its SAs; a second `up` finds it up;
// the reasons of the failures an operator meets first — no proposal chosen, authentication failed,
// no answer — come back by name; `down` leaves no SA behind. And both daemons' status in one shape.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { down, up, type IkeControl, type UpResult } from '../src/gateway/initiate.js';
import type { ChildSaStatus, IkeDaemonStatus, IkeSaStatus } from '../src/ike/status.js';
import { ADDR, createPair, sideConfig, sideOf, type Pair, type WireFilter } from './util/ike-pair.js';

const PSK = 'in-process up/down test key, not a secret';

interface Opts {
  version: 1 | 2;
  ikeB?: string;
  espB?: string;
  pskB?: string;
  pfs?: string;
}

function yaml(side: 'A' | 'B', o: Opts): string {
  const { me, peer, lts, rts, head } = sideOf(side);
  return [
    ...head,
    '  site:',
    `    version: ${o.version}`,
    `    local: { address: ${me}, id: ${side.toLowerCase()}.example, auth: psk }`,
    `    remote: { address: ${peer}, id: ${side === 'A' ? 'b' : 'a'}.example, auth: psk }`,
    '    psk: { file: psk.txt }',
    '    ike:',
    `      proposals: [${(side === 'B' && o.ikeB) || 'aes256-sha256-x25519'}]`,
    '    children:',
    '      lan:',
    `        local-ts: [${lts}]`,
    `        remote-ts: [${rts}]`,
    `        proposals: [${(side === 'B' && o.espB) || 'aes128gcm16'}]`,
    ...(o.pfs ? [`        pfs: ${o.pfs}`] : []),
    '        start: none',
    '',
  ].join('\n');
}

const pairs: Pair[] = [];
after(async () => {
  for (const p of pairs) await p.close();
});

function open(o: Opts, filter?: WireFilter): Pair {
  const pair = createPair(
    { a: sideConfig(yaml('A', o), { 'psk.txt': PSK }), b: sideConfig(yaml('B', o), { 'psk.txt': o.pskB ?? PSK }) },
    { filter },
  );
  pairs.push(pair);
  return pair;
}

const control = (pair: Pair, side: 'a' | 'b' = 'a'): IkeControl => pair[side].daemon as unknown as IkeControl;
const conn = (pair: Pair) => pair.a.config.connections[0];
const failed = (r: UpResult) => {
  assert.equal(r.outcome, 'failed', JSON.stringify(r));
  return r as Extract<UpResult, { outcome: 'failed' }>;
};

for (const version of [1, 2] as const) {
  describe(`IKEv${version}: up and down`, () => {
    it('up waits for the CHILD SA, a second up finds it, down removes every SA on both sides', async () => {
      const pair = open({ version });
      const r = await up(control(pair), conn(pair), undefined, 5000);
      assert.equal(r.outcome, 'established', JSON.stringify(r));
      const ok = r as Extract<UpResult, { outcome: 'established' }>;
      assert.deepEqual(ok.children.map((c) => [c.conn, c.child, c.state]), [['site', 'lan', 'active']]);
      assert.ok(ok.ike.some((s) => s.state === 'established'), 'the IKE SA is in the answer');

      const again = await up(control(pair), conn(pair), 'lan', 5000);
      assert.equal(again.outcome, 'already');
      assert.equal(control(pair).status().children.length, 1, 'no second CHILD SA');

      const d = await down(control(pair), conn(pair));
      assert.equal(d.outcome, 'terminated');
      assert.deepEqual(d.outcome === 'terminated' && [d.ike, d.children], [1, 1]);
      const empty = (s: IkeDaemonStatus): boolean => s.ike.length === 0 && s.children.length === 0;
      assert.ok(empty(control(pair).status()));
      await pair.until(() => empty(control(pair, 'b').status()), 3000, 'the peer to delete its SAs too');
      assert.equal((await down(control(pair), conn(pair))).outcome, 'not-up');
    });

    it('no proposal chosen: the peer accepts none of our IKE proposals', async () => {
      const pair = open({ version, ikeB: 'aes128-sha1-modp2048' });
      const r = failed(await up(control(pair), conn(pair), undefined, 5000));
      assert.equal(r.failure, 'proposal.mismatch');
      assert.match(r.reason, /NO_PROPOSAL_CHOSEN/);
    });

    it('no answer: the time runs out, and the reason says which message went unanswered', async () => {
      const pair = open({ version }, () => null);
      const r = failed(await up(control(pair), conn(pair), undefined, 600));
      assert.equal(r.failure, 'timeout');
      assert.match(r.reason, version === 2 ? /no answer to IKE_SA_INIT from 192\.0\.2\.2\[500\]/ : /no answer to main mode message 1 from 192\.0\.2\.2\[500\]/);
      await down(control(pair), conn(pair));
    });
  });
}

describe('failures by name', () => {
  it('IKEv2: authentication failed (the peer has another PSK)', async () => {
    const pair = open({ version: 2, pskB: 'another key' });
    const r = failed(await up(control(pair), conn(pair), undefined, 5000));
    assert.equal(r.failure, 'auth.failed');
    assert.match(r.reason, /AUTHENTICATION_FAILED/);
  });

  it('IKEv2: the CHILD SA alone fails (no ESP proposal in common), named with its child', async () => {
    const pair = open({ version: 2, espB: 'aes256-sha512' });
    const r = failed(await up(control(pair), conn(pair), undefined, 5000));
    assert.deepEqual([r.failure, r.child], ['proposal.mismatch', 'lan']);
    assert.match(r.reason, /NO_PROPOSAL_CHOSEN/);
  });

  it('IKEv1: another PSK — the responder cannot say so (RFC 2409 §5), so the time runs out at message 5', async () => {
    const pair = open({ version: 1, pskB: 'another key' });
    const r = failed(await up(control(pair), conn(pair), undefined, 1500));
    assert.equal(r.failure, 'timeout');
    assert.match(r.reason, /proof of identity \(main mode message 5\).*pre-shared keys/);
    await down(control(pair), conn(pair));
  });

  it('IKEv1: the Quick Mode proposal is refused', async () => {
    const pair = open({ version: 1, espB: 'aes256-sha512' });
    const r = failed(await up(control(pair), conn(pair), undefined, 5000));
    assert.equal(r.child, 'lan');
    assert.match(r.reason, /NO_PROPOSAL_CHOSEN/);
  });
});

describe('status: one shape for both versions', () => {
  it('the same fields of IKE SAs and CHILD SAs, with the negotiated algorithms in both notations', async () => {
    const shapes: Array<{ ike: IkeSaStatus; child: ChildSaStatus }> = [];
    for (const version of [1, 2] as const) {
      const pair = open({ version, pfs: 'x25519' });
      assert.equal((await up(control(pair), conn(pair), undefined, 5000)).outcome, 'established');
      const st = control(pair).status();
      shapes.push({ ike: st.ike.find((s) => s.state === 'established')!, child: st.children[0] });
    }
    for (const [i, { ike, child }] of shapes.entries()) {
      // RFC 7296 §1.2: IKE_AUTH's CHILD SA takes its keys from the IKE SA's exchange: no PFS there.
      const pfs = i === 0;
      assert.deepEqual({ ...ike.local }, { address: ADDR.A, port: ike.local.port, id: 'a.example' });
      assert.deepEqual({ ...ike.remote }, { address: ADDR.B, port: ike.remote.port, id: 'b.example' });
      assert.equal(ike.role, 'initiator');
      assert.match(ike.spiI, /^[0-9a-f]{16}$/);
      assert.match(ike.spiR, /^[0-9a-f]{16}$/);
      assert.deepEqual(ike.algorithms, { encr: 'aes256', integ: 'sha256', prf: 'prfsha256', dh: 'x25519' });
      assert.equal(ike.proposal, 'AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519');
      assert.ok(ike.established! <= 5 && ike.expiresIn! > 0);
      assert.equal(child.ike, ike.id);
      assert.deepEqual(child.algorithms, { encr: 'aes128gcm16', ...(pfs ? { dh: 'x25519' } : {}), esn: false });
      assert.equal(child.proposal, pfs ? 'AES_GCM_16-128/CURVE_25519' : 'AES_GCM_16-128');
      assert.deepEqual([child.localTs, child.remoteTs, child.mode, child.protocol, child.encap], [['10.1.0.0/24'], ['10.2.0.0/24'], 'tunnel', 'esp', 'none']);
      assert.match(child.spiIn, /^0x[0-9a-f]{8}$/);
      assert.ok(child.rekeyIn! > 0 && child.expiresIn >= child.rekeyIn!);
    }
    // Same keys, but for what only one version has.
    const keys = (o: object, only: string[]): string[] => Object.keys(o).filter((k) => !only.includes(k)).sort();
    const [v1, v2] = shapes;
    assert.deepEqual(keys(v1.ike, ['exchange', 'bytesProtected', 'reauthIn', 'rekeyIn']), keys(v2.ike, ['exchange', 'bytesProtected', 'reauthIn', 'rekeyIn']));
    assert.deepEqual(keys(v1.child, []), keys(v2.child, []));
    assert.deepEqual(keys(v1.child.algorithms, ['dh']), keys(v2.child.algorithms, ['dh']));
  });
});
