// ipsecgw against strongSwan over IKE in the lab (netns.ts): ipsecgw in gwA, charon in gwB, one
// site-to-site connection "site" with child "lan" between hA's and hB's networks. Used by the
// IKEv1 / IKEv2 interop tests and the demo.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGateway, type RunningGateway } from './gateways.js';
import type { Topology } from './netns.js';
import { startCharon, type Charon, type SwanConfig } from './strongswan.js';

export interface SiteCase {
  version: 1 | 2;
  /** IKEv1 phase 1. */
  mode?: 'main' | 'aggressive';
  auth?: 'psk' | 'pubkey';
  /** Who starts: ipsecgw (its child has `start: start`, or `trap`: on the first packet) or strongSwan (`swanctl --initiate`). */
  initiator: 'ipsecgw' | 'strongswan';
  trap?: boolean;
  /** Proposal lists, ours and theirs (strongSwan syntax; theirs defaults to ours). */
  ike: string[];
  esp: string[];
  swanIke?: string[];
  swanEsp?: string[];
  /** ipsecgw's child `pfs` ('none', a group, 'identities'); strongSwan gets the group in its ESP proposals. */
  pfs?: string;
  /** Child lifetime in seconds (ipsecgw), and strongSwan's rekey_time / life_time. */
  childLifetime?: number;
  swanChild?: { rekey_time?: string; life_time?: string; rand_time?: string };
  ikeLifetime?: number;
  /** strongSwan's IKE SA rekey_time, when it differs from ikeLifetime ('1h': it leaves rekeying to us). */
  swanIkeRekey?: string;
  dpd?: { delay: string; action: 'clear' | 'hold' | 'restart'; timeout?: string };
  swanDpd?: { dpd_delay: string; dpd_timeout?: string; dpd_action?: 'clear' | 'trap' | 'restart' };
  /** Certificates for auth: pubkey — file paths; without an id each side uses its subject DN. */
  certs?: { ca: string; a: { cert: string; key: string; id?: string }; b: { cert: string; key: string; id?: string } };
  /** ipsecgw's `nat-traversal` setting. */
  natTraversal?: 'auto' | 'force' | 'off';
  /** ipsecgw also serves road warriors from any address (a second connection, remote.address any). */
  roaming?: boolean;
  /** ipsecgw's `allow-weak` (IKEv1: ['des'] for single DES). */
  allowWeak?: string[];
  /** ipsecgw's `gateway.metrics` (HOST:PORT inside gwA's namespace). */
  metrics?: string;
}

export const LAB_PSK = 'interop lab key: not a secret';

export interface Site {
  dir: string;
  gw: RunningGateway;
  charon: Charon;
  stop(): Promise<void>;
}

/** The ipsecgw side's YAML for a case. */
export function ipsecgwYaml(t: Topology, c: SiteCase, dir: string): string {
  const a = t.addr;
  const id = (v?: string): string => (v ? `id: "${v}", ` : '');
  const ours = c.auth === 'pubkey'
    ? `{ address: ${a.gwA.wire4}, ${id(c.certs!.a.id)}auth: pubkey, cert: ${c.certs!.a.cert}, key: ${c.certs!.a.key} }`
    : `{ address: ${a.gwA.wire4}, id: ${a.gwA.wire4}, auth: psk }`;
  const theirs = c.auth === 'pubkey'
    ? `{ address: ${a.gwB.seen4}, ${id(c.certs!.b.id)}auth: pubkey, ca: [${c.certs!.ca}] }`
    : `{ address: ${a.gwB.seen4}, id: ${a.gwB.wire4}, auth: psk }`;
  return [
    'gateway:',
    '  name: gwa',
    `  listen: [${a.gwA.wire4}]`,
    `  socket: ${join(dir, 'gwa.sock')}`,
    ...(c.metrics ? [`  metrics: '${c.metrics}'`] : []),
    'connections:',
    '  site:',
    `    version: ${c.version}`,
    ...(c.version === 1 ? [`    mode: ${c.mode ?? 'main'}`] : []),
    `    local: ${ours}`,
    `    remote: ${theirs}`,
    ...(c.auth === 'pubkey' ? [] : [`    psk: { file: ${join(dir, 'psk')} }`]),
    ...(c.allowWeak ? [`    allow-weak: [${c.allowWeak.join(', ')}]`] : []),
    '    ike:',
    `      proposals: [${c.ike.join(', ')}]`,
    ...(c.ikeLifetime ? [`      lifetime: { time: ${c.ikeLifetime}s }`] : []),
    ...(c.dpd ? [`      dpd: { delay: ${c.dpd.delay}, action: ${c.dpd.action}${c.dpd.timeout ? `, timeout: ${c.dpd.timeout}` : ''} }`] : []),
    ...(c.natTraversal ? [`      nat-traversal: ${c.natTraversal}`] : []),
    '    children:',
    '      lan:',
    `        local-ts: [${a.netA4}]`,
    `        remote-ts: [${a.netB4}]`,
    `        proposals: [${c.esp.join(', ')}]`,
    ...(c.pfs ? [`        pfs: ${c.pfs}`] : []),
    ...(c.childLifetime ? [`        lifetime: { time: ${c.childLifetime}s }`] : []),
    `        start: ${c.initiator === 'ipsecgw' ? (c.trap ? 'trap' : 'start') : 'none'}`,
    ...(c.roaming ? [
      // A second connection for road warriors from anywhere: what a flood of IKE_SA_INIT can reach.
      '  roadwarriors:',
      `    version: ${c.version}`,
      `    local: { address: ${a.gwA.wire4}, id: rw.lab.example, auth: psk }`,
      '    remote: { address: any, auth: psk }',
      `    psk: { file: ${join(dir, 'psk')} }`,
      '    ike:',
      `      proposals: [${c.ike.join(', ')}]`,
      '    children:',
      '      rw:',
      `        local-ts: [${a.netA4}]`,
      '        remote-ts: [10.99.0.0/16]',
      `        proposals: [${c.esp.join(', ')}]`,
    ] : []),
    '',
  ].join('\n');
}

/** strongSwan's side: responder to anyone, or initiator to gwA as it sees it. */
export function swanConfig(t: Topology, c: SiteCase): SwanConfig {
  const a = t.addr;
  const pfsGroup = c.pfs && c.pfs !== 'none' && c.pfs !== 'identities' ? c.pfs : undefined;
  const esp = (c.swanEsp ?? c.esp).map((p) => (pfsGroup ? `${p}-${pfsGroup}` : p));
  return {
    connections: {
      site: {
        version: c.version,
        aggressive: c.mode === 'aggressive',
        local_addrs: a.gwB.wire4,
        remote_addrs: c.initiator === 'strongswan' ? a.gwA.seen4 : '%any',
        proposals: (c.swanIke ?? c.ike).join(','),
        // over_time: the hard limit well after the rekey (its default, 10 %, ends a 6 s SA with its rekey).
        ...(c.swanIkeRekey || c.ikeLifetime ? { rekey_time: c.swanIkeRekey ?? `${c.ikeLifetime}s`, over_time: '30s' } : {}),
        ...(c.swanDpd ?? {}),
        local: c.auth === 'pubkey' ? { auth: 'pubkey', id: c.certs!.b.id, certs: [c.certs!.b.cert] } : { auth: 'psk', id: a.gwB.wire4 },
        remote: c.auth === 'pubkey' ? { auth: 'pubkey', id: c.certs!.a.id, cacerts: [c.certs!.ca] } : { auth: 'psk', id: a.gwA.wire4 },
        children: {
          lan: {
            local_ts: a.netB4, remote_ts: a.netA4, esp_proposals: esp.join(','), start_action: 'none',
            ...(c.swanDpd?.dpd_action ? { dpd_action: c.swanDpd.dpd_action } : {}),
            ...(c.swanChild ?? {}),
          },
        },
      },
    },
    secrets: {
      ...(c.auth === 'pubkey' ? { private: [{ file: c.certs!.b.key }] } : { ike: [{ secret: LAB_PSK }] }),
    },
    charon: { retransmit_timeout: 1, retransmit_tries: 3, i_dont_care_about_security_and_use_aggressive_mode_psk: c.mode === 'aggressive' },
  };
}

/** Starts both sides (strongSwan first, so an initiating ipsecgw finds it listening). */
export async function startSite(t: Topology, c: SiteCase, logLevels?: Record<string, number>): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-ike-'));
  writeFileSync(join(dir, 'psk'), LAB_PSK, { mode: 0o600 });
  const config = join(dir, 'gwa.yaml');
  writeFileSync(config, ipsecgwYaml(t, c, dir));
  const charon = await startCharon(t, t.gwB, swanConfig(t, c), { logLevels });
  let gw: RunningGateway;
  try {
    gw = await runGateway(t, t.gwA, config, join(dir, 'gwa.sock'));
  } catch (err) {
    await charon.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir, gw, charon,
    async stop() {
      try {
        await gw.stop();
      } finally {
        await charon.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
