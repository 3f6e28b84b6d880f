// A lean IKEv2 initiator for load: opens many IKE SAs, each with one CHILD SA in IKE_AUTH, against
// one responder, and measures how fast they complete. Built on the codec (src/ike/codec/v2) and the
// crypto (src/ike/crypto) — not on the daemon: no timers per SA beyond one retransmission, no
// child installation, nothing kept once an SA is up. `ipsecgw bench ike` runs it in a namespace of
// its own against ipsecgw and against strongSwan, so both see exactly the same load.
//
//   per SA:  1. IKE_SA_INIT  HDR, SA(aes128gcm16-prfsha256-x25519), KEi, Ni, N(NAT_D)×2, N(FRAG), N(SIG_HASH)
//               ← N(COOKIE): the same again with the cookie first (§2.6); anything else but SA, KEr,
//               Nr is a failure
//            2. SKEYSEED, SK_* (§2.14); the responder's NAT-D says whether to float to 4500 (§2.23:
//               strongSwan with kernel-libipsec always fakes a NAT, so against it IKE_AUTH goes to 4500)
//            3. IKE_AUTH  HDR, SK {IDi, AUTH(PSK), SA(ESP aes128gcm16), TSi, TSr}
//               ← SK {IDr, AUTH, SA, TSi, TSr}: the responder's AUTH is checked; a notify instead of
//               the CHILD SA is a failure (the IKE SA alone does not count)
//   spread:  SA i is sent from source address i mod A (distinct SPIs always), so a responder's limit
//            of half-open SAs per peer address (ipsecgw 5, strongSwan's block_threshold 5) is not hit
//            while concurrency ≤ 5 A. Above 30 SAs in flight both responders ask for cookies by
//            default (ipsecgw's cookie threshold, strongSwan's cookie_threshold): answered, counted.
//   timing:  each request is retransmitted after `retransmitMs` (doubling), `tries` times, then the
//            SA failed. The steady-state rate is the completions between the 10th and 90th
//            percentile of completion times over that span (ramp-up and tail left out).
//
// Run as a program (in the generator's namespace): node dist/bench/ike-load.js --target ADDR
// --sources A,B,… --sas N --concurrency C [--seconds S] --psk-file F … ; it prints one JSON
// LoadResult on stdout and progress on stderr.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  AUTH_METHOD, DH, ENCR, ESN, EXCHANGE, FLAG, NOTIFY, PAYLOAD, PRF, PROTOCOL, TRANSFORM,
  constName, decodeMessage, decodePayloads, encodeMessage, findNotifies, openMessage, sealMessage, tsFromPrefix,
  type Decoded, type IdPayload, type Payload, type SaPayload, type SkKeys,
} from '../src/ike/codec/v2/index.js';
import { idFromString } from '../src/ike/codec/v1/index.js';
import { concat, deriveIkeKeys, dhGroup, equalConstantTime, macedId, pskAuth, skeyseed, wipe, type DhPrivate, type IkeKeys } from '../src/ike/crypto/index.js';
import { natdHash } from '../src/ike/v1/natt.js';
import { SIGNATURE_HASHES, idBody } from '../src/ike/v2/auth.js';
import { find, notify } from '../src/ike/v2/child-sa.js';

export interface LoadOptions {
  /** The responder's address (IPv4 or IPv6). */
  target: string;
  /** Our addresses to send from, used in turn. */
  sources: string[];
  /** IKE SAs to open in all. */
  sas: number;
  /** IKE SAs under way at once. */
  concurrency: number;
  /** Stop starting new SAs after this long (those under way still finish). */
  seconds?: number;
  psk: Uint8Array;
  /** IDi (swanctl syntax); default: the source address of each SA. */
  id?: string;
  /** The IDr the responder must show (not checked when absent). */
  responderId?: string;
  /** TSi and TSr (the responder's remote-ts and local-ts). */
  localTs: string;
  remoteTs: string;
  retransmitMs?: number;
  tries?: number;
  progress?: (line: string) => void;
}

export interface LoadResult {
  target: string;
  sources: number;
  concurrency: number;
  /** IKE_SA_INIT started, IKE SAs with their CHILD SA established, failed. */
  started: number;
  established: number;
  failed: number;
  failures: Record<string, number>;
  /** COOKIE notifies answered, requests retransmitted, IKE_AUTH sent to 4500 (NAT detected or faked). */
  cookies: number;
  retransmits: number;
  floated: number;
  /** From the first IKE_SA_INIT to the last completion. */
  elapsedMs: number;
  /** established / elapsed. */
  overallRate: number;
  /** Completions per second between the 10th and the 90th percentile of completion times. */
  steadyRate: number;
  /** Milliseconds from the first IKE_SA_INIT to the IKE_AUTH response, per SA. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Completions in each second since the start. */
  perSecond: number[];
  /** CPU time the generator itself used (user + system), ms: is it the bottleneck? */
  generatorCpuMs: number;
}

const NONCE_BYTES = 32;
const IKE_PORT = 500, NATT_PORT = 4500;
const MARKER = new Uint8Array(4);
/** aes128gcm16-prfsha256-x25519: SK_e(i,r) = 16-byte key | 4-byte salt, no SK_a, PRF keys of 32. */
const SIZES = { ai: 0, ar: 0, ei: 20, er: 20, d: 32, pi: 32, pr: 32 };
const SK_ALG = { encr: { id: ENCR.AES_GCM_16, keyLength: 128 }, integ: 0 };
const GROUP = DH.CURVE25519;

const ikeOffer = (): SaPayload => ({
  type: PAYLOAD.SA,
  proposals: [{
    num: 1, protocolId: PROTOCOL.IKE, spi: new Uint8Array(0),
    transforms: [
      { type: TRANSFORM.ENCR, id: ENCR.AES_GCM_16, keyLength: 128 },
      { type: TRANSFORM.PRF, id: PRF.HMAC_SHA2_256 },
      { type: TRANSFORM.DH, id: GROUP },
    ],
  }],
});

const espOffer = (spi: Uint8Array): SaPayload => ({
  type: PAYLOAD.SA,
  proposals: [{
    num: 1, protocolId: PROTOCOL.ESP, spi,
    transforms: [{ type: TRANSFORM.ENCR, id: ENCR.AES_GCM_16, keyLength: 128 }, { type: TRANSFORM.ESN, id: ESN.NO }],
  }],
});

const notifyName = (n: number): string => constName(NOTIFY, n);

interface Attempt {
  readonly n: number;
  readonly spiI: Uint8Array;
  readonly key: string;
  readonly source: number;
  readonly Ni: Uint8Array;
  dh?: DhPrivate;
  state: 'init' | 'auth';
  port: number;
  spiR?: Uint8Array;
  Nr?: Uint8Array;
  initRequest?: Uint8Array;
  initResponse?: Uint8Array;
  keys?: IkeKeys;
  id?: IdPayload;
  /** What is on the wire now, for retransmission. */
  message?: Uint8Array;
  timer?: NodeJS.Timeout;
  tries: number;
  readonly startedAt: number;
}

/** Opens o.sas IKE SAs (o.concurrency at a time) and reports the rate. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const family = o.target.includes(':') ? 'udp6' : 'udp4';
  const retransmitMs = o.retransmitMs ?? 2000, maxTries = o.tries ?? 3;
  const sockets: Array<{ 500: Socket; 4500: Socket }> = [];
  const bind = (address: string, port: number, onMessage: (msg: Buffer) => void): Promise<Socket> => new Promise((resolve, reject) => {
    const s = createSocket({ type: family, reuseAddr: false });
    s.on('message', onMessage);
    s.once('error', reject);
    s.bind({ address, port, exclusive: true }, () => {
      s.setRecvBufferSize(4 << 20);
      s.setSendBufferSize(4 << 20);
      resolve(s);
    });
  });
  const live = new Map<string, Attempt>();
  const failures: Record<string, number> = {};
  const done: number[] = [], latency: number[] = [];
  let started = 0, established = 0, failed = 0, cookies = 0, retransmits = 0, floated = 0;
  let stopStarting = false;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const t0 = performance.now(), cpu0 = process.cpuUsage();

  const send = (a: Attempt, message: Uint8Array): void => {
    a.message = message;
    const s = sockets[a.source][a.port === NATT_PORT ? 4500 : 500];
    s.send(a.port === NATT_PORT ? concat(MARKER, message) : message, a.port, o.target);
    clearTimeout(a.timer);
    const again = (wait: number): void => {
      a.timer = setTimeout(() => {
        if (a.tries >= maxTries) return fail(a, `no answer to ${a.state === 'init' ? 'IKE_SA_INIT' : 'IKE_AUTH'}`);
        a.tries++;
        retransmits++;
        s.send(a.port === NATT_PORT ? concat(MARKER, a.message!) : a.message!, a.port, o.target);
        again(wait * 2);
      }, wait);
    };
    a.tries = 0;
    again(retransmitMs);
  };

  const end = (a: Attempt): void => {
    clearTimeout(a.timer);
    live.delete(a.key);
    a.dh?.destroy();
    if (a.keys) for (const k of Object.values(a.keys)) wipe(k);
    next();
  };

  const fail = (a: Attempt, reason: string): void => {
    failed++;
    failures[reason] = (failures[reason] ?? 0) + 1;
    end(a);
  };

  const sendInit = (a: Attempt, cookie?: Uint8Array): void => {
    const local = { address: o.sources[a.source], port: IKE_PORT }, remote = { address: o.target, port: IKE_PORT };
    const zero = new Uint8Array(8);
    const payloads: Payload[] = [
      ...(cookie ? [notify(NOTIFY.COOKIE, cookie)] : []),
      ikeOffer(),
      { type: PAYLOAD.KE, group: GROUP, data: a.dh!.publicKey },
      { type: PAYLOAD.NONCE, data: a.Ni },
      notify(NOTIFY.NAT_DETECTION_SOURCE_IP, natdHash('sha1', a.spiI, zero, local)),
      notify(NOTIFY.NAT_DETECTION_DESTINATION_IP, natdHash('sha1', a.spiI, zero, remote)),
      notify(NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED),
      notify(NOTIFY.SIGNATURE_HASH_ALGORITHMS, SIGNATURE_HASHES),
    ];
    a.initRequest = encodeMessage({ spiI: a.spiI, spiR: zero, exchange: EXCHANGE.IKE_SA_INIT, flags: FLAG.INITIATOR, messageId: 0 }, payloads);
    send(a, a.initRequest);
  };

  const start = (): void => {
    const n = started++;
    const spiI = new Uint8Array(randomBytes(8));
    const a: Attempt = {
      n, spiI, key: Buffer.from(spiI).toString('hex'), source: n % o.sources.length, Ni: new Uint8Array(randomBytes(NONCE_BYTES)),
      dh: dhGroup(GROUP)!.create(), state: 'init', port: IKE_PORT, tries: 0, startedAt: performance.now(),
    };
    live.set(a.key, a);
    sendInit(a);
  };

  /** Keeps `concurrency` SAs under way until all are started (or time is up); resolves at the end. */
  const next = (): void => {
    while (!stopStarting && started < o.sas && live.size < o.concurrency) start();
    if (live.size === 0 && (stopStarting || started >= o.sas)) finish();
  };

  const onInitResponse = (a: Attempt, message: Uint8Array, h: ReturnType<typeof decodeMessage>['header'], ps: Decoded[]): void => {
    const ns = findNotifies(ps);
    const cookie = ns.find((x) => x.notifyType === NOTIFY.COOKIE);
    if (cookie) {
      cookies++;
      return sendInit(a, cookie.data.slice());
    }
    const err = ns.find((x) => x.notifyType < 16384);
    if (err) return fail(a, `IKE_SA_INIT: ${notifyName(err.notifyType)}`);
    const ke = find(ps, PAYLOAD.KE), nr = find(ps, PAYLOAD.NONCE), sa = find(ps, PAYLOAD.SA);
    if (!ke || !nr || !sa || ke.group !== GROUP) return fail(a, 'IKE_SA_INIT: incomplete response');
    a.spiR = h.spiR.slice();
    a.Nr = nr.data.slice();
    a.initResponse = message.slice();
    let gir: Uint8Array;
    try {
      gir = a.dh!.computeSecret(ke.data);
    } catch {
      return fail(a, 'IKE_SA_INIT: bad KE');
    }
    a.dh!.destroy();
    a.dh = undefined;
    const seed = skeyseed('sha256', a.Ni, a.Nr, gir);
    a.keys = deriveIkeKeys({ prf: 'sha256', skeyseed: seed, Ni: a.Ni, Nr: a.Nr, SPIi: a.spiI, SPIr: a.spiR, sizes: SIZES });
    wipe(gir, seed);
    // §2.23: the responder's source hash not matching its address (or ours not matching ours) means
    // a NAT, real or faked: IKE_AUTH goes to 4500.
    const src = ns.filter((x) => x.notifyType === NOTIFY.NAT_DETECTION_SOURCE_IP).map((x) => x.data);
    const dst = ns.filter((x) => x.notifyType === NOTIFY.NAT_DETECTION_DESTINATION_IP).map((x) => x.data);
    if (src.length && dst.length) {
      const theirs = natdHash('sha1', a.spiI, a.spiR, { address: o.target, port: IKE_PORT });
      const ours = natdHash('sha1', a.spiI, a.spiR, { address: o.sources[a.source], port: IKE_PORT });
      if (!src.some((x) => equalConstantTime(x, theirs)) || !dst.some((x) => equalConstantTime(x, ours))) {
        a.port = NATT_PORT;
        floated++;
      }
    }
    a.state = 'auth';
    const idText = o.id ?? o.sources[a.source];
    a.id = { type: PAYLOAD.IDi, ...idFromString(idText) };
    const octets = concat(a.initRequest!, a.Nr, macedId('sha256', a.keys.SK_pi, idBody(a.id)));
    const authData = pskAuth('sha256', o.psk, octets);
    const spi = new Uint8Array(randomBytes(4));
    spi[0] |= 0xc0;
    const inner: Payload[] = [
      a.id,
      { type: PAYLOAD.AUTH, method: AUTH_METHOD.PSK, data: authData },
      espOffer(spi),
      { type: PAYLOAD.TSi, selectors: [tsFromPrefix(o.localTs)] },
      { type: PAYLOAD.TSr, selectors: [tsFromPrefix(o.remoteTs)] },
    ];
    const [m] = sealMessage({ spiI: a.spiI, spiR: a.spiR, exchange: EXCHANGE.IKE_AUTH, flags: FLAG.INITIATOR, messageId: 1 }, inner, skKeys(a.keys, 'out'));
    send(a, m);
  };

  const onAuthResponse = (a: Attempt, message: Uint8Array): void => {
    const opened = openMessage(message, skKeys(a.keys!, 'in'));
    if (!opened) return; // not for these keys: ignore, as a real initiator would
    const ps = decodePayloads(opened.innerFirst, opened.plain);
    const err = findNotifies(ps).find((x) => x.notifyType < 16384);
    const idr = find(ps, PAYLOAD.IDr), auth = find(ps, PAYLOAD.AUTH);
    if (!idr || !auth) return fail(a, `IKE_AUTH: ${err ? notifyName(err.notifyType) : 'no IDr / AUTH'}`);
    if (o.responderId) {
      const want = idFromString(o.responderId);
      if (want.idType !== idr.idType || !equalConstantTime(want.data, idr.data)) return fail(a, 'IKE_AUTH: unexpected IDr');
    }
    const octets = concat(a.initResponse!, a.Ni, macedId('sha256', a.keys!.SK_pr, idBody(idr)));
    if (auth.method !== AUTH_METHOD.PSK || !equalConstantTime(auth.data, pskAuth('sha256', o.psk, octets))) return fail(a, 'IKE_AUTH: responder AUTH mismatch');
    if (err || !find(ps, PAYLOAD.SA) || !find(ps, PAYLOAD.TSi) || !find(ps, PAYLOAD.TSr)) {
      return fail(a, `CHILD SA: ${err ? notifyName(err.notifyType) : 'no SA / TS'}`);
    }
    established++;
    const now = performance.now();
    done.push(now - t0);
    latency.push(now - a.startedAt);
    end(a);
  };

  const receive = (msg: Buffer, natt: boolean): void => {
    let data: Uint8Array = msg;
    if (natt) {
      if (msg.length < 4 || msg.readUInt32BE(0) !== 0) return; // keepalive or ESP
      data = msg.subarray(4);
    }
    let h: ReturnType<typeof decodeMessage>['header'], body: Uint8Array;
    try {
      ({ header: h, body } = decodeMessage(data));
    } catch {
      return;
    }
    if (!(h.flags & FLAG.RESPONSE)) return; // requests (liveness checks, deletes): not our business here
    const a = live.get(Buffer.from(h.spiI).toString('hex'));
    if (!a) return;
    try {
      if (a.state === 'init' && h.exchange === EXCHANGE.IKE_SA_INIT && h.messageId === 0) {
        onInitResponse(a, data, h, decodePayloads(h.nextPayload, body));
      } else if (a.state === 'auth' && h.exchange === EXCHANGE.IKE_AUTH && h.messageId === 1) {
        onAuthResponse(a, data);
      }
    } catch (err) {
      fail(a, `malformed response: ${(err as Error).message}`);
    }
  };

  for (const address of o.sources) {
    sockets.push({
      500: await bind(address, IKE_PORT, (m) => receive(m, false)),
      4500: await bind(address, NATT_PORT, (m) => receive(m, true)),
    });
  }
  const deadline = o.seconds !== undefined ? setTimeout(() => {
    stopStarting = true;
    if (live.size === 0) finish();
  }, o.seconds * 1000) : undefined;
  let lastReport = 0;
  const ticker = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    o.progress?.(`  ${s.toFixed(0)} s: ${established} established, ${failed} failed, ${live.size} under way (${((established - lastReport)).toFixed(0)}/s)`);
    lastReport = established;
  }, 1000);
  next();
  await finished;
  clearTimeout(deadline);
  clearInterval(ticker);
  for (const s of sockets) for (const x of [s[500], s[4500]]) x.close();

  const elapsedMs = done.length ? done[done.length - 1] : performance.now() - t0;
  const sorted = latency.slice().sort((x, y) => x - y);
  const pct = (p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
  const i10 = Math.floor(done.length * 0.1), i90 = Math.floor(done.length * 0.9);
  const steadyRate = i90 > i10 && done[i90] > done[i10] ? ((i90 - i10) * 1000) / (done[i90] - done[i10]) : (established * 1000) / Math.max(1, elapsedMs);
  const perSecond: number[] = [];
  for (const t of done) perSecond[Math.floor(t / 1000)] = (perSecond[Math.floor(t / 1000)] ?? 0) + 1;
  return {
    target: o.target, sources: o.sources.length, concurrency: o.concurrency,
    started, established, failed, failures, cookies, retransmits, floated,
    elapsedMs: Math.round(elapsedMs), overallRate: (established * 1000) / Math.max(1, elapsedMs), steadyRate,
    latencyMs: { p50: round(pct(0.5)), p90: round(pct(0.9)), p99: round(pct(0.99)), max: round(sorted[sorted.length - 1] ?? 0) },
    perSecond: Array.from(perSecond, (x) => x ?? 0),
    generatorCpuMs: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
  };
}

const round = (x: number): number => Math.round(x * 10) / 10;

/** SK_ei flows from us (the initiator), SK_er to us. */
function skKeys(k: IkeKeys, dir: 'out' | 'in'): SkKeys {
  return { ...SK_ALG, ke: dir === 'out' ? k.SK_ei : k.SK_er };
}

// ---- As a program ------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      target: { type: 'string' },
      sources: { type: 'string' },
      sas: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '24' },
      seconds: { type: 'string' },
      'psk-file': { type: 'string' },
      id: { type: 'string' },
      'responder-id': { type: 'string' },
      'local-ts': { type: 'string' },
      'remote-ts': { type: 'string' },
      'retransmit-ms': { type: 'string' },
      tries: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!v.target || !v.sources || !v['psk-file'] || !v['local-ts'] || !v['remote-ts']) {
    throw new Error('usage: ike-load --target ADDR --sources A,B,… --psk-file F --local-ts P --remote-ts P [--sas N] [--concurrency C] [--seconds S] [--id ID] [--responder-id ID]');
  }
  const r = await runLoad({
    target: v.target, sources: v.sources.split(','), sas: Number(v.sas), concurrency: Number(v.concurrency),
    seconds: v.seconds !== undefined ? Number(v.seconds) : undefined,
    psk: new Uint8Array(readFileSync(v['psk-file'])), id: v.id, responderId: v['responder-id'],
    localTs: v['local-ts'], remoteTs: v['remote-ts'],
    retransmitMs: v['retransmit-ms'] !== undefined ? Number(v['retransmit-ms']) : undefined,
    tries: v.tries !== undefined ? Number(v.tries) : undefined,
    progress: v.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: Error) => {
    process.stderr.write(`ike-load: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
