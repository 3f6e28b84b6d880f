// Produces test/vectors/ikev2-messages.ts: real IKEv2 messages of strongSwan talking to itself, with
// the SK keys to open them.
//
//   npm run build:ts && node dist/test/util/strongswan-ikev2-messages.js > test/vectors/ikev2-messages.ts
//
// Needs root, strongSwan 5.9.8 with kernel-libipsec (src/lab/strongswan.ts) and tcpdump. Per case:
// a lab topology (src/lab/netns.ts: namespaces gwA, gwB on a veth pair, 192.0.2.1 / 192.0.2.2), a
// charon in each (gwB first; PSK; ike log level 4, which prints the derived keys "Sk_ei secret" …),
// tcpdump on gwA's wire interface, `swanctl --initiate` in gwA, then `--terminate --ike` (an
// INFORMATIONAL with a Delete and its empty response). The IKE messages are read back from the
// pcap (the 4-byte non-ESP marker of port 4500 stripped, RFC 3948 §2.2; ESP-in-UDP and keepalives
// dropped); SK_e / SK_a are the initiator's log lines; `strongswan` is the line the RECEIVING charon
// logged after parsing each message ("parsed IKE_AUTH response 1 [ IDr AUTH SA TSi TSr … ]"), an
// independent reading of the same bytes. Namespaces, /etc/netns dirs and processes are removed in a
// finally (Topology.destroy), also on failure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopology } from '../../src/lab/netns.js';
import { startCharon, type Charon, type SwanConfig } from '../../src/lab/strongswan.js';
import { readPcap } from './pcap.js';

interface Case {
  name: string;
  ike: string;
  esp: string;
  /** charon.fragment_size (IP datagram bytes) to make IKE_AUTH fragment (RFC 7383). */
  fragmentSize?: number;
}

const CASES: Case[] = [
  { name: 'aes128-sha1', ike: 'aes128-sha1-modp2048', esp: 'aes128-sha1' },
  { name: 'aes256-sha256', ike: 'aes256-sha256-ecp256', esp: 'aes256-sha256' },
  { name: 'aes192-sha384', ike: 'aes192-sha384-ecp384', esp: 'aes192-sha384' },
  { name: 'aes256-sha512', ike: 'aes256-sha512-curve25519', esp: 'aes256-sha512' },
  { name: '3des-sha1', ike: '3des-sha1-modp1024', esp: '3des-sha1' },
  { name: 'aes128gcm16', ike: 'aes128gcm16-prfsha256-x25519', esp: 'aes128gcm16' },
  { name: 'aes256gcm16', ike: 'aes256gcm16-prfsha384-ecp384', esp: 'aes256gcm16' },
  { name: 'chacha20poly1305', ike: 'chacha20poly1305-prfsha256-curve25519', esp: 'chacha20poly1305' },
  { name: 'fragmented-aes128-sha256', ike: 'aes128-sha256-modp2048', esp: 'aes128-sha256', fragmentSize: 300 },
  { name: 'fragmented-aes256gcm16', ike: 'aes256gcm16-prfsha256-ecp256', esp: 'aes256gcm16', fragmentSize: 260 },
];

const PSK = 'ipsecgw ikev2 codec vectors';
const ID_A = 'gw-a.lab.example', ID_B = 'gw-b.lab.example';

function config(c: Case, local: string, remote: string, localTs: string, remoteTs: string, isA: boolean): SwanConfig {
  return {
    connections: {
      site: {
        version: 2, local_addrs: local, remote_addrs: remote, proposals: c.ike,
        fragmentation: 'yes',
        local: { auth: 'psk', id: isA ? ID_A : ID_B }, remote: { auth: 'psk', id: isA ? ID_B : ID_A },
        children: { lan: { local_ts: localTs, remote_ts: remoteTs, esp_proposals: c.esp, start_action: 'none' } },
      },
    },
    secrets: { ike: [{ secret: PSK, ids: [ID_A, ID_B] }] },
    charon: { retransmit_timeout: 2, retransmit_tries: 2, settings: c.fragmentSize ? { fragment_size: c.fragmentSize } : {} },
  };
}

/** A chunk charon printed with %B: "NAME => N bytes @ 0x…" then lines "   0: 01 02 … ". */
function chunk(log: string, name: string): string {
  const lines = log.split('\n');
  const i = lines.findIndex((l) => l.includes(`${name} => `));
  if (i < 0) throw new Error(`no '${name}' in the log`);
  const n = Number(/=> (\d+) bytes/.exec(lines[i])![1]);
  let hex = '';
  for (let j = i + 1; hex.length < 2 * n && j < lines.length; j++) {
    const m = /\s(\d+): ((?:[0-9A-F]{2} ){1,16})/.exec(`${lines[j]} `);
    if (!m || Number(m[1]) !== hex.length / 2) break;
    hex += m[2].replace(/ /g, '').toLowerCase();
  }
  if (hex.length !== 2 * n) throw new Error(`'${name}': read ${hex.length / 2} of ${n} bytes`);
  return hex;
}

interface Msg { from: 'A' | 'B'; sport: number; dport: number; hex: string; strongswan: string; fragment?: string }

/** The receiver's "parsed EXCHANGE request|response MID [ … ]" lines, in order, by key. */
function parsedLines(log: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of log.matchAll(/parsed (\S+) (request|response) (\d+) \[ ?(.*?) ?\]/g)) {
    const key = `${m[1]} ${m[2]} ${m[3]}`;
    out.set(key, [...(out.get(key) ?? []), m[0]]);
  }
  return out;
}

const EXCHANGES: Record<number, string> = { 34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL' };

async function run(c: Case): Promise<string> {
  const t = createTopology();
  const started: Charon[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ikev2vec-'));
  try {
    const a4 = t.addr.gwA.wire4, b4 = t.addr.gwB.wire4;
    const levels = { default: 1, ike: 4, enc: 2, cfg: 1, net: 2 };
    const pcap = join(dir, 'ike.pcap');
    const dump = t.spawn(t.gwA, 'tcpdump', ['-i', t.wireA, '-U', '-s0', '-n', '-w', pcap, 'udp']);
    await new Promise<void>((resolve, reject) => {
      dump.stderr!.on('data', (d: Buffer) => { if (d.toString().includes('listening on')) resolve(); });
      dump.once('exit', (code) => reject(new Error(`tcpdump exited ${code}`)));
    });
    const b = await startCharon(t, t.gwB, config(c, b4, a4, t.addr.netB4, t.addr.netA4, false), { logLevels: levels });
    started.push(b);
    const a = await startCharon(t, t.gwA, config(c, a4, b4, t.addr.netA4, t.addr.netB4, true), { logLevels: levels });
    started.push(a);
    await a.initiate('lan', { timeoutSec: 15 });
    await sleep(300);
    await a.terminate({ ike: 'site', timeoutSec: 10 });
    await sleep(500);
    dump.kill('SIGINT');
    await new Promise((r) => dump.once('exit', r));
    const logA = a.log(), logB = b.log();
    if (process.env.IKEV2_VECTORS_LOGS) {
      writeFileSync(join(process.env.IKEV2_VECTORS_LOGS, `${c.name}.A.log`), logA);
      writeFileSync(join(process.env.IKEV2_VECTORS_LOGS, `${c.name}.B.log`), logB);
    }
    const keys = Object.fromEntries(['Sk_ei', 'Sk_er', 'Sk_ai', 'Sk_ar'].map((k) => {
      try {
        return [k.replace('Sk', 'SK'), chunk(logA, `${k} secret`)];
      } catch {
        return [k.replace('Sk', 'SK'), ''];  // AEADs derive no SK_a
      }
    }));
    const parsedBy = { A: parsedLines(logA), B: parsedLines(logB) };
    const msgs: Msg[] = [];
    for (const p of readPcap(readFileSync(pcap))) {
      if (p.proto !== 17 || !(p.sport === 500 || p.sport === 4500)) continue;
      const hdr = (p.data[0] & 15) * 4;
      let ike = p.data.subarray(hdr + 8);
      if (p.sport === 4500 || p.dport === 4500) {
        if (ike.length < 4 || ike.readUInt32BE(0) !== 0) continue; // ESP in UDP, or a NAT-T keepalive (0xff)
        ike = ike.subarray(4);
      }
      const src = `${p.data[12]}.${p.data[13]}.${p.data[14]}.${p.data[15]}`;
      const from = src === a4 ? 'A' : 'B';
      const exch = EXCHANGES[ike[18]] ?? String(ike[18]);
      const key = `${exch} ${ike[19] & 0x20 ? 'response' : 'request'} ${ike.readUInt32BE(20)}`;
      // Fragments: every fragment of a message maps to the one line logged after reassembly.
      const lines = parsedBy[from === 'A' ? 'B' : 'A'].get(key) ?? [];
      const msg: Msg = { from, sport: p.sport, dport: p.dport, hex: Buffer.from(ike).toString('hex'), strongswan: lines.find((l) => !l.includes('EF(')) ?? '' };
      if (ike[16] === 53) {
        const ef = `EF(${ike.readUInt16BE(32)}/${ike.readUInt16BE(34)})`;
        msg.fragment = lines.find((l) => l.includes(ef)) ?? '';
      }
      msgs.push(msg);
    }
    const fragLines = [...logA.matchAll(/(received fragment #\d+ of \d+.*|reassembled fragmented IKE message.*|splitting IKE message.*)$/gm), ...logB.matchAll(/(received fragment #\d+ of \d+.*|reassembled fragmented IKE message.*|splitting IKE message.*)$/gm)].map((m) => m[1]);
    process.stderr.write(`${c.name}: ${msgs.length} messages\n`);
    // tcpdump on this busy machine has been seen to miss the last exchanges: insist on the Delete.
    if (!msgs.some((m) => m.strongswan.includes('[ D ]')) || !msgs.some((m) => /INFORMATIONAL response \d+ \[ \]/.test(m.strongswan))) {
      throw new Error(`${c.name}: the capture lacks the Delete exchange`);
    }
    if (msgs.some((m) => !m.strongswan)) throw new Error(`${c.name}: a message nobody logged as parsed`);
    return render(c, keys, msgs, fragLines);
  } finally {
    for (const ch of started) await ch.stop().catch(() => {});
    t.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const hexLines = (h: string, ind: string): string => {
  if (h.length <= 64) return `'${h}'`;
  const parts: string[] = [];
  for (let i = 0; i < h.length; i += 64) parts.push(`'${h.slice(i, i + 64)}'`);
  return `\n${ind}  ${parts.join(` +\n${ind}  `)}`;
};
const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function render(c: Case, keys: Record<string, string>, msgs: Msg[], frag: string[]): string {
  const ind = '      ';
  const ms = msgs.map((m) => `    {\n      from: '${m.from}',\n      ports: [${m.sport}, ${m.dport}],\n      strongswan: ${q(m.strongswan)},\n${m.fragment !== undefined ? `      fragment: ${q(m.fragment)},\n` : ''}      hex:${hexLines(m.hex, ind)},\n    },`).join('\n');
  return `  {
    name: ${q(c.name)},
    ike: ${q(c.ike)},
    esp: ${q(c.esp)},${c.fragmentSize ? `\n    fragmentSize: ${c.fragmentSize},` : ''}
    SK_ei: ${hexLines(keys.SK_ei, '    ')},
    SK_er: ${hexLines(keys.SK_er, '    ')},
    SK_ai: ${hexLines(keys.SK_ai, '    ')},
    SK_ar: ${hexLines(keys.SK_ar, '    ')},
    fragmentLog: [${frag.map(q).join(', ')}],
    messages: [
${ms}
    ],
  },`;
}

const version = (() => {
  try {
    return readFileSync('/usr/share/doc/strongswan-charon/changelog.Debian.gz') ? 'strongSwan 5.9.8 (Debian 12)' : '';
  } catch {
    return 'strongSwan 5.9.8';
  }
})();

const out: string[] = [];
// IKEV2_VECTORS_ONLY=name[,name] runs some cases; IKEV2_VECTORS_LOGS=DIR keeps both charons' logs there.
const only = process.env.IKEV2_VECTORS_ONLY?.split(',');
for (const c of CASES.filter((x) => !only || only.includes(x.name))) {
  for (let attempt = 1; ; attempt++) {
    try {
      out.push(await run(c));
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      process.stderr.write(`${(err as Error).message.split('\n')[0]}; again\n`);
    }
  }
}
process.stdout.write(`// GENERATED by test/util/strongswan-ikev2-messages.ts on ${new Date().toISOString().slice(0, 10)} (${version}); do not edit,
// run it again: npm run build:ts && node dist/test/util/strongswan-ikev2-messages.js > test/vectors/ikev2-messages.ts
// Two charons (gwA initiates, gwB responds) in lab network namespaces (src/lab/netns.ts), IKEv2 with
// PSK, ids ${ID_A} / ${ID_B}, 10.1.0.0/24 === 10.2.0.0/24; per case: initiate, terminate the IKE SA.
// Captured with tcpdump on gwA's wire interface; port-4500 messages without their non-ESP marker.
// SK_e / SK_a: gwA's (the initiator's) "Sk_ei secret" … log lines (ike level 4); '' for AEADs.
// \`strongswan\`: what the receiving charon logged after parsing the message (for fragments: the
// reassembled message). fragmentSize is charon.fragment_size (IP datagram bytes); fragmentLog the
// charons' fragmentation log lines.

export interface Ikev2Message {
  /** A = the initiator (192.0.2.1), B = the responder. */
  from: 'A' | 'B';
  /** UDP source and destination ports. */
  ports: [number, number];
  strongswan: string;
  /** For an SKF fragment: the line the receiver logged for the fragment itself ("… [ EF(1/2) ]"). */
  fragment?: string;
  /** The IKE message (from the IKE header on). */
  hex: string;
}

export interface Ikev2Capture {
  name: string;
  /** strongSwan proposals for the IKE SA and the CHILD SA. */
  ike: string;
  esp: string;
  fragmentSize?: number;
  SK_ei: string;
  SK_er: string;
  SK_ai: string;
  SK_ar: string;
  fragmentLog: string[];
  messages: Ikev2Message[];
}

export const IKEV2_CAPTURES: Ikev2Capture[] = [
${out.join('\n')}
];
`);
