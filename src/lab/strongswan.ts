// strongSwan 5.9.8 as a lab peer: one charon per call of startCharon(), in a gateway namespace of a
// Topology (netns.ts), the way ../shared/examples/strongswan-netns.sh runs it:
//
//   ip netns exec NS unshare -m sh -c 'mount -t tmpfs t /run && exec charon'
//
// — its network namespace, a mount namespace of its own with a private /run (pid file, the vici socket
// unix:///run/ch.vici), and /etc/strongswan.conf and /etc/swanctl/ taken from /etc/netns/NS/, which
// `ip netns exec` bind-mounts over /etc. swanctl runs inside the same namespaces (nsenter -t PID -m -n).
// SwanConfig is typed TS with strongSwan's own names (swanctl.conf(5), strongswan.conf(5)); it renders
// both files. Certificates and keys are given as paths and copied into /etc/netns/NS/swanctl/{x509,
// x509ca,pubkey,private,rsa,ecdsa,pkcs8}, referred to by base name. charon logs to a file (never a pipe
// that could fill while a test blocks), read back by log().
//
// What the peer looks like from outside (measured here, strongSwan 5.9.8 on Debian 12):
// - ESP is userspace: the kernel-libipsec plugin, since this kernel has no ESP. At start-up it creates a
//   TUN device "ipsec0" (MTU 1400, point-to-point, no address) in charon's namespace. With
//   install_routes = yes (our default) every installed CHILD_SA adds a route to its remote_ts via ipsec0
//   in table 220 (`ip rule`: priority 220 "from all lookup 220"), with `src` = the gateway's address
//   inside local_ts (e.g. "10.2.0.0/24 dev ipsec0 table 220 proto static src 10.1.0.1"): packets from
//   hA routed by gwA hit ipsec0, libipsec encrypts them and sends them from charon's UDP 4500 socket.
//   Nothing is installed in XFRM (`ip xfrm state/policy` stay empty). charon binds UDP 500 and 4500 on
//   0.0.0.0 and [::] (socket-default), so no other IKE daemon fits in its namespace. Both the TUN and
//   the routes vanish with the process.
// - kernel-libipsec reports KERNEL_REQUIRE_UDP_ENCAPSULATION, so charon forces UDP encapsulation as with
//   `encap = yes`: its own source NAT-D hash (IKEv1 NAT-D payload, IKEv2 NAT_DETECTION_SOURCE_IP) is
//   bogus, so any peer concludes "remote host is behind NAT" and both float to UDP 4500, and the
//   CHILD_SA has encap=yes — ESP goes in UDP (RFC 3948) even on a direct wire. Our gateway's IKE must
//   therefore float to 4500 (RFC 3947 §4, RFC 7296 §2.23) and send UDP-encapsulated ESP to strongSwan
//   whether or not a real NAT is there. Between two charons each fakes for the other, so both show
//   nat-remote=yes (and nat-any) and neither nat-fake (measured). With an honest peer on a direct wire
//   strongSwan should show nat-fake=yes instead and log "faking NAT situation to enforce UDP
//   encapsulation" (ike level 1) — that is what its source does when the peer's NAT-D hashes match;
//   the interop tests will be the first to see it.
//   Behind the lab NAT (netns.ts), the charon in gwA also shows nat-local=yes ("local host is behind
//   NAT, sending keep alives"), and the one in gwB sees gwA at the nat namespace's outer address.
// - Plugins (all in strongswan-libcharon / libstrongswan-standard-plugins / libcharon-extra-plugins):
//   openssl alone provides AES (CBC/CTR/GCM/CCM), 3DES, Blowfish, CAST, Camellia, ChaCha20-Poly1305,
//   HMAC-MD5/SHA1/SHA2, PRFs, MODP 768–8192 and the RFC 5114 groups, ECP 192–521, Brainpool, Curve25519
//   and Curve448 — no separate md5/des/gmp plugin is needed for legacy proposals (there is no `des`
//   plugin in Debian's build anyway). Single DES too: the plugin loads OpenSSL 3's legacy provider
//   itself (openssl.load_legacy, default yes; its log: "providers loaded by OpenSSL: legacy default"),
//   so DES_CBC works for IKEv1 phase 1 and for kernel-libipsec's ESP (test/ike-v1-interop.test.ts).
//   xcbc and cmac add AES-XCBC / AES-CMAC integrity. Certificates need pem, pkcs1, pkcs8, x509,
//   pubkey (+ constraints, revocation). kernel-libipsec is listed before kernel-netlink, as in the
//   example script.
// - Timings (2 cores): charon answers on vici ~0.2–0.3 s after spawn; IKEv1 main mode, IKEv2 or
//   aggressive mode with PSK, plus the first CHILD_SA, establish in ~0.1–0.2 s between two charons;
//   stop() (SIGTERM, DELETEs sent) takes <0.1 s. After a CHILD_SA rekey the old SA stays listed as
//   DELETED for charon.delete_rekeyed_delay (5 s) — filter children on state === 'INSTALLED'.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Topology } from './netns.js';

export const CHARON = '/usr/lib/ipsec/charon';
export const SWANCTL = '/usr/sbin/swanctl';
const PLUGIN_DIR = '/usr/lib/ipsec/plugins';
const VICI = 'unix:///run/ch.vici';

/** Why strongSwan cannot run as a lab peer here, or null. */
export const canUseStrongswan = (): string | null => {
  if (!existsSync(CHARON)) return `needs strongSwan's charon (${CHARON}: packages strongswan, strongswan-charon)`;
  if (!existsSync(SWANCTL)) return 'needs swanctl (package strongswan-swanctl)';
  if (!existsSync(`${PLUGIN_DIR}/libstrongswan-kernel-libipsec.so`)) return 'needs the kernel-libipsec plugin (package libcharon-extra-plugins)';
  if (!existsSync(`${PLUGIN_DIR}/libstrongswan-openssl.so`)) return 'needs the openssl plugin (package libstrongswan-standard-plugins)';
  return null;
};
export const haveStrongswan = (): boolean => canUseStrongswan() === null;

/**
 * The plugins charon loads (order matters: kernel-libipsec before kernel-netlink). openssl covers every
 * cipher, hash, MODP/ECP/Curve25519/448 group we use, legacy 3DES and MD5 included.
 */
export const PLUGINS = [
  'random', 'nonce', 'openssl', 'pem', 'pkcs1', 'pkcs8', 'x509', 'pubkey', 'constraints', 'revocation',
  'curve25519', 'kdf', 'hmac', 'xcbc', 'cmac', 'gcm', 'chapoly', 'aes', 'sha1', 'sha2',
  'socket-default', 'vici', 'updown', 'kernel-libipsec', 'kernel-netlink',
];

// ---------------------------------------------------------------------------------------------------
// Configuration: swanctl.conf(5) and strongswan.conf(5), with strongSwan's names.

/** A time as strongSwan takes it: seconds, or a string with a unit ("90s", "10m", "1h", "1d"). */
export type SwanTime = number | string;
/** Extra settings rendered verbatim as `key = value` (an escape hatch for what is not typed here). */
export type SwanExtra = Record<string, string | number | boolean | string[]>;

/** An authentication round: `local` / `remote` of a connection. */
export interface SwanAuth {
  auth?: 'psk' | 'pubkey' | 'rsa' | 'ecdsa' | 'xauth' | 'xauth-generic' | 'eap' | 'eap-md5' | 'eap-mschapv2' | string;
  id?: string;
  /** Certificate files: copied into swanctl/x509/. */
  certs?: string[];
  /** CA certificates this round accepts: copied into swanctl/x509ca/ (which also makes them trust anchors). */
  cacerts?: string[];
  /** Raw public keys: copied into swanctl/pubkey/. */
  pubkeys?: string[];
  eap_id?: string;
  xauth_id?: string;
  round?: number;
  extra?: SwanExtra;
}

export interface SwanChild {
  local_ts?: string | string[];
  remote_ts?: string | string[];
  /** ESP proposals; a DH group in them asks for PFS ("aes128-sha256-modp2048"). */
  esp_proposals?: string | string[];
  ah_proposals?: string | string[];
  mode?: 'tunnel' | 'transport' | 'beet' | 'pass' | 'drop';
  rekey_time?: SwanTime;
  life_time?: SwanTime;
  rand_time?: SwanTime;
  rekey_bytes?: number | string;
  life_bytes?: number | string;
  rand_bytes?: number | string;
  rekey_packets?: number | string;
  life_packets?: number | string;
  start_action?: 'none' | 'trap' | 'start' | 'trap|start';
  dpd_action?: 'clear' | 'trap' | 'restart';
  close_action?: 'none' | 'trap' | 'start';
  ipcomp?: boolean;
  inactivity?: SwanTime;
  reqid?: number;
  policies?: boolean;
  hostaccess?: boolean;
  updown?: string;
  extra?: SwanExtra;
}

export interface SwanConnection {
  /** 0 (any), 1 or 2. */
  version?: 0 | 1 | 2;
  /** IKEv1 aggressive mode. */
  aggressive?: boolean;
  local_addrs?: string | string[];
  /** Peer addresses; '%any' for a responder that takes anyone. */
  remote_addrs?: string | string[];
  local_port?: number;
  remote_port?: number;
  /** IKE proposals, strongSwan syntax ("aes128-sha256-modp2048"; IKEv2 AEAD: "aes128gcm16-prfsha256-x25519"). */
  proposals?: string | string[];
  rekey_time?: SwanTime;
  over_time?: SwanTime;
  reauth_time?: SwanTime;
  rand_time?: SwanTime;
  dpd_delay?: SwanTime;
  /** IKEv1 only (IKEv2 uses the retransmission settings). */
  dpd_timeout?: SwanTime;
  /** Force UDP encapsulation (libipsec forces it anyway). */
  encap?: boolean;
  fragmentation?: boolean | 'yes' | 'no' | 'accept' | 'force';
  mobike?: boolean;
  unique?: 'no' | 'never' | 'keep' | 'replace';
  keyingtries?: number;
  send_cert?: 'always' | 'never' | 'ifasked';
  send_certreq?: boolean;
  childless?: 'allow' | 'force' | 'never';
  /** One round, or several (rendered local-1, local-2, … in this order). */
  local?: SwanAuth | SwanAuth[];
  remote?: SwanAuth | SwanAuth[];
  children: Record<string, SwanChild>;
  extra?: SwanExtra;
}

export interface SwanSecrets {
  /** IKE pre-shared keys; `ids` restricts to those identities (none: any). */
  ike?: Array<{ secret: string; ids?: string[] }>;
  xauth?: Array<{ secret: string; id?: string }>;
  eap?: Array<{ secret: string; id?: string }>;
  /**
   * Private keys, copied into swanctl/<type>/ (default 'private': any PEM/DER key) and loaded from
   * there; `secret` only for an encrypted key.
   */
  private?: Array<{ file: string; type?: 'private' | 'rsa' | 'ecdsa' | 'pkcs8'; secret?: string }>;
}

/** strongswan.conf's `charon { … }` settings the tests need. */
export interface SwanCharonSettings {
  /** IKEv1 aggressive mode with PSK as a responder (strongSwan refuses it otherwise). */
  i_dont_care_about_security_and_use_aggressive_mode_psk?: boolean;
  /** Retransmission (strongSwan's defaults: 4 s, 5 tries, base 1.8 → ~165 s before giving up). */
  retransmit_timeout?: number;
  retransmit_tries?: number;
  retransmit_base?: number;
  retransmit_jitter?: number;
  retransmit_limit?: number;
  /** Routes via libipsec's TUN in table 220 (default yes: without them no traffic reaches the tunnel). */
  install_routes?: boolean;
  /** Plugins loaded after PLUGINS (before the kernel plugins). */
  plugins?: string[];
  /** Further charon.* settings, dotted keys relative to charon ("plugins.kernel-libipsec.allow_peer_ts"). */
  settings?: Record<string, string | number | boolean>;
}

export interface SwanConfig {
  connections: Record<string, SwanConnection>;
  secrets?: SwanSecrets;
  charon?: SwanCharonSettings;
}

export interface StartCharonOptions {
  /** Log levels per subsystem (default, ike, cfg, knl, net, enc, chd, job, mgr, lib, asn, esp, …); default { default: 1, ike: 2, cfg: 2 }. */
  logLevels?: Record<string, number>;
  /** Load the configuration (swanctl --load-all) once charon answers (default true); restart() does the same. */
  load?: boolean;
  /** How long charon may take to answer on vici (default 10 s). */
  startTimeoutMs?: number;
}

const SAFE = /^[A-Za-z0-9_.:/%@*+\-[\]|]+$/;
const val = (v: string | number | boolean | string[], quote = false): string => {
  const s = typeof v === 'boolean' ? (v ? 'yes' : 'no') : Array.isArray(v) ? v.join(',') : String(v);
  return SAFE.test(s) && !quote ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
};

type Node = { [k: string]: string | number | boolean | string[] | Node | undefined };

function render(node: Node, indent = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      out.push(`${indent}${k} {`, ...render(v, `${indent}  `), `${indent}}`);
    } else {
      // Secrets are always quoted (swanctl still reads "0x…" / "0s…" as hex / base64).
      out.push(`${indent}${k} = ${val(v, k === 'secret')}`);
    }
  }
  return out;
}

/** Files to copy into swanctl/: [source path, subdirectory]; names must not collide. */
type Copies = Map<string, string>;

function place(copies: Copies, file: string, dir: string): string {
  const name = basename(file), key = `${dir}/${name}`;
  const had = copies.get(key);
  if (had !== undefined && had !== file) throw new Error(`two files named ${name} for swanctl/${dir}: ${had}, ${file}`);
  copies.set(key, file);
  return name;
}

function authNode(a: SwanAuth, copies: Copies): Node {
  const { extra, certs, cacerts, pubkeys, ...plain } = a;
  return {
    ...plain,
    certs: certs?.map((f) => place(copies, f, 'x509')),
    cacerts: cacerts?.map((f) => place(copies, f, 'x509ca')),
    pubkeys: pubkeys?.map((f) => place(copies, f, 'pubkey')),
    ...extra,
  };
}

/** swanctl.conf for a configuration, and the files it refers to (relative to swanctl/). */
export function renderSwanctl(conf: SwanConfig): { text: string; copies: Copies } {
  const copies: Copies = new Map();
  const conns: Node = {};
  for (const [name, c] of Object.entries(conf.connections)) {
    const { local, remote, children, extra, ...plain } = c;
    const conn: Node = { ...plain };
    for (const [side, rounds] of [['local', local], ['remote', remote]] as const) {
      if (!rounds) continue;
      if (Array.isArray(rounds)) rounds.forEach((r, i) => { conn[`${side}-${i + 1}`] = authNode(r, copies); });
      else conn[side] = authNode(rounds, copies);
    }
    const kids: Node = {};
    for (const [cname, ch] of Object.entries(children)) {
      const { extra: cx, ...cp } = ch;
      kids[cname] = { ...cp, ...cx };
    }
    conn.children = kids;
    Object.assign(conn, extra);
    conns[name] = conn;
  }
  const secrets: Node = {};
  const s = conf.secrets ?? {};
  s.ike?.forEach((k, i) => {
    const n: Node = {};
    k.ids?.forEach((id, j) => { n[`id-${j + 1}`] = id; });
    n.secret = k.secret;
    secrets[`ike-${i + 1}`] = n;
  });
  s.xauth?.forEach((k, i) => { secrets[`xauth-${i + 1}`] = { id: k.id, secret: k.secret }; });
  s.eap?.forEach((k, i) => { secrets[`eap-${i + 1}`] = { id: k.id, secret: k.secret }; });
  s.private?.forEach((k, i) => {
    const type = k.type ?? 'private';
    const name = place(copies, k.file, type);
    if (k.secret !== undefined) secrets[`${type}-${i + 1}`] = { file: name, secret: k.secret };
  });
  return { text: `${render({ connections: conns, secrets }).join('\n')}\n`, copies };
}

export const DEFAULT_LOG_LEVELS: Record<string, number> = { default: 1, ike: 2, cfg: 2 };

/** strongswan.conf for a configuration: charon's plugins, vici socket, logging to a file. */
export function renderStrongswanConf(conf: SwanConfig, logFile: string, logLevels: Record<string, number> = DEFAULT_LOG_LEVELS): string {
  const c = conf.charon ?? {};
  const plugins = [...PLUGINS];
  if (c.plugins?.length) plugins.splice(plugins.indexOf('kernel-libipsec'), 0, ...c.plugins.filter((p) => !plugins.includes(p)));
  const charon: Node = {
    load: plugins.join(' '),
    install_routes: c.install_routes ?? true,
    i_dont_care_about_security_and_use_aggressive_mode_psk: c.i_dont_care_about_security_and_use_aggressive_mode_psk,
    retransmit_timeout: c.retransmit_timeout,
    retransmit_tries: c.retransmit_tries,
    retransmit_base: c.retransmit_base,
    retransmit_jitter: c.retransmit_jitter,
    retransmit_limit: c.retransmit_limit,
    plugins: { vici: { socket: VICI } },
    filelog: {
      lab: { path: logFile, time_format: '%T', time_add_ms: true, ike_name: true, append: true, flush_line: true, ...logLevels },
    },
  };
  for (const [k, v] of Object.entries(c.settings ?? {})) {
    const path = k.split('.');
    let n = charon;
    for (const p of path.slice(0, -1)) n = (n[p] ??= {}) as Node;
    n[path[path.length - 1]] = v;
  }
  return `${render({ charon }).join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// SAs as charon lists them (vici list-sa events, swanctl --list-sas --pretty).

export interface SwanChildSa {
  /** The key in child-sas ("lan-3"), the child's name ("lan") and its unique id. */
  key: string;
  name: string;
  uniqueid: number;
  reqid: number;
  /** CREATED, ROUTED, INSTALLING, INSTALLED, UPDATING, REKEYING, REKEYED, RETRYING, DELETING, DELETED, DESTROYING. */
  state: string;
  /** TUNNEL, TRANSPORT, BEET. */
  mode: string;
  /** ESP or AH. */
  protocol: string;
  /** UDP-encapsulated (always, with kernel-libipsec). */
  encap: boolean;
  /** SPIs as charon prints them: 8 hex digits. */
  spiIn: string;
  spiOut: string;
  cpiIn?: string;
  cpiOut?: string;
  encrAlg?: string;
  encrKeysize?: number;
  integAlg?: string;
  integKeysize?: number;
  /** The PFS group of this CHILD_SA's own key exchange (absent without PFS). */
  dhGroup?: string;
  esn: boolean;
  bytesIn: number;
  packetsIn: number;
  /** Seconds since the last inbound / outbound packet. */
  useIn?: number;
  bytesOut: number;
  packetsOut: number;
  useOut?: number;
  /** Seconds until rekeying, until expiry; seconds since installation. */
  rekeyTime?: number;
  lifeTime?: number;
  installTime?: number;
  localTs: string[];
  remoteTs: string[];
  /** Everything as charon gave it. */
  raw: Record<string, unknown>;
}

export interface SwanSa {
  /** The connection's name. */
  name: string;
  uniqueid: number;
  version: 1 | 2;
  /** CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING, REKEYED, DELETING, DESTROYING. */
  state: string;
  localHost: string;
  localPort: number;
  localId?: string;
  remoteHost: string;
  remotePort: number;
  remoteId?: string;
  remoteXauthId?: string;
  remoteEapId?: string;
  initiator: boolean;
  /** 16 hex digits each. */
  initiatorSpi: string;
  responderSpi: string;
  /** NAT detection: this end behind a NAT, the peer behind a NAT, faked by this end (libipsec), any of these. */
  natLocal: boolean;
  natRemote: boolean;
  natFake: boolean;
  natAny: boolean;
  encrAlg?: string;
  encrKeysize?: number;
  integAlg?: string;
  integKeysize?: number;
  prfAlg?: string;
  dhGroup?: string;
  /** Seconds since establishment, until rekeying, until reauthentication. */
  established?: number;
  rekeyTime?: number;
  reauthTime?: number;
  localVips: string[];
  remoteVips: string[];
  tasksQueued: string[];
  tasksActive: string[];
  tasksPassive: string[];
  children: SwanChildSa[];
  raw: Record<string, unknown>;
}

type Tree = { [k: string]: string | string[] | Tree };

/** Parses swanctl's pretty dump of vici messages: `name {`, `}`, `key = value`, `key = [`, items, `]`. */
export function parseViciDump(text: string): Array<{ name: string; body: Tree }> {
  const msgs: Array<{ name: string; body: Tree }> = [];
  const stack: Tree[] = [];
  let list: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (list) {
      if (line === ']') list = null;
      else list.push(line);
      continue;
    }
    let m: RegExpMatchArray | null;
    if (line === '}') {
      stack.pop();
    } else if ((m = line.match(/^(.*?) \{$/))) {
      const t: Tree = {};
      if (stack.length === 0) msgs.push({ name: m[1], body: t });
      else stack[stack.length - 1][m[1]] = t;
      stack.push(t);
    } else if ((m = line.match(/^(\S+) = \[$/))) {
      list = [];
      if (stack.length) stack[stack.length - 1][m[1]] = list;
    } else if ((m = line.match(/^(\S+) = (.*)$/))) {
      if (stack.length) stack[stack.length - 1][m[1]] = m[2];
    }
  }
  return msgs;
}

const str = (t: Tree, k: string): string | undefined => (typeof t[k] === 'string' ? (t[k] as string) : undefined);
const num = (t: Tree, k: string): number | undefined => (typeof t[k] === 'string' ? Number(t[k]) : undefined);
const yes = (t: Tree, k: string): boolean => t[k] === 'yes';
const list = (t: Tree, k: string): string[] => (Array.isArray(t[k]) ? (t[k] as string[]) : []);

function childSa(key: string, c: Tree): SwanChildSa {
  return {
    key, name: str(c, 'name') ?? key, uniqueid: num(c, 'uniqueid') ?? 0, reqid: num(c, 'reqid') ?? 0,
    state: str(c, 'state') ?? '', mode: str(c, 'mode') ?? '', protocol: str(c, 'protocol') ?? '', encap: yes(c, 'encap'),
    spiIn: str(c, 'spi-in') ?? '', spiOut: str(c, 'spi-out') ?? '', cpiIn: str(c, 'cpi-in'), cpiOut: str(c, 'cpi-out'),
    encrAlg: str(c, 'encr-alg'), encrKeysize: num(c, 'encr-keysize'), integAlg: str(c, 'integ-alg'), integKeysize: num(c, 'integ-keysize'),
    dhGroup: str(c, 'dh-group'), esn: yes(c, 'esn'),
    bytesIn: num(c, 'bytes-in') ?? 0, packetsIn: num(c, 'packets-in') ?? 0, useIn: num(c, 'use-in'),
    bytesOut: num(c, 'bytes-out') ?? 0, packetsOut: num(c, 'packets-out') ?? 0, useOut: num(c, 'use-out'),
    rekeyTime: num(c, 'rekey-time'), lifeTime: num(c, 'life-time'), installTime: num(c, 'install-time'),
    localTs: list(c, 'local-ts'), remoteTs: list(c, 'remote-ts'), raw: c,
  };
}

/** The IKE SAs (with their CHILD_SAs) in `swanctl --list-sas --pretty` output. */
export function parseListSas(text: string): SwanSa[] {
  const out: SwanSa[] = [];
  for (const m of parseViciDump(text)) {
    if (m.name !== 'list-sa event') continue;
    for (const [name, v] of Object.entries(m.body)) {
      if (typeof v !== 'object' || Array.isArray(v)) continue;
      const s = v;
      const kids = (typeof s['child-sas'] === 'object' && !Array.isArray(s['child-sas']) ? s['child-sas'] : {}) as Tree;
      out.push({
        name, uniqueid: num(s, 'uniqueid') ?? 0, version: num(s, 'version') === 1 ? 1 : 2, state: str(s, 'state') ?? '',
        localHost: str(s, 'local-host') ?? '', localPort: num(s, 'local-port') ?? 0, localId: str(s, 'local-id'),
        remoteHost: str(s, 'remote-host') ?? '', remotePort: num(s, 'remote-port') ?? 0, remoteId: str(s, 'remote-id'),
        remoteXauthId: str(s, 'remote-xauth-id'), remoteEapId: str(s, 'remote-eap-id'),
        initiator: yes(s, 'initiator'), initiatorSpi: str(s, 'initiator-spi') ?? '', responderSpi: str(s, 'responder-spi') ?? '',
        natLocal: yes(s, 'nat-local'), natRemote: yes(s, 'nat-remote'), natFake: yes(s, 'nat-fake'), natAny: yes(s, 'nat-any'),
        encrAlg: str(s, 'encr-alg'), encrKeysize: num(s, 'encr-keysize'), integAlg: str(s, 'integ-alg'), integKeysize: num(s, 'integ-keysize'),
        prfAlg: str(s, 'prf-alg'), dhGroup: str(s, 'dh-group'),
        established: num(s, 'established'), rekeyTime: num(s, 'rekey-time'), reauthTime: num(s, 'reauth-time'),
        localVips: list(s, 'local-vips'), remoteVips: list(s, 'remote-vips'),
        tasksQueued: list(s, 'tasks-queued'), tasksActive: list(s, 'tasks-active'), tasksPassive: list(s, 'tasks-passive'),
        children: Object.entries(kids).filter(([, c]) => typeof c === 'object' && !Array.isArray(c)).map(([k, c]) => childSa(k, c as Tree)),
        raw: s,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// A charon process.

/** Which SA: by connection / child name or by unique id. */
export interface SwanSelector {
  ike?: string;
  child?: string;
  ikeId?: number;
  childId?: number;
}

export interface Charon {
  ns: string;
  /** /etc/netns/<ns>: strongswan.conf and swanctl/. */
  dir: string;
  /** The log file (gone after stop()). */
  logFile: string;
  /** The current process (a new one after restart()). */
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly conf: SwanConfig;
  /** swanctl in charon's namespaces, synchronously: for local commands only (lists, loads, stats). */
  swanctl(...args: string[]): string;
  /** swanctl, asynchronously: for whatever waits on the peer (the event loop keeps reading other processes' pipes). */
  swanctlAsync(args: string[], timeoutMs?: number): Promise<string>;
  /** swanctl --load-all; returns its output. */
  loadAll(): string;
  /** Rewrites the configuration files (and copies) and loads them. */
  reconfigure(conf: SwanConfig): string;
  /** Initiates a CHILD_SA (and its IKE SA); rejects with swanctl's output and charon's log when it fails. */
  initiate(child: string, opts?: { ike?: string; timeoutSec?: number }): Promise<string>;
  /** Terminates an IKE SA or CHILD_SA (force: without waiting for the peer). */
  terminate(sel: SwanSelector & { force?: boolean; timeoutSec?: number }): Promise<string>;
  /** Rekeys an IKE SA or CHILD_SA (reauth: reauthenticate the IKE SA). */
  rekey(sel: SwanSelector & { reauth?: boolean }): Promise<string>;
  listSas(sel?: { ike?: string; ikeId?: number }): SwanSa[];
  /** Polls listSas() until pred returns something truthy, which it resolves with. */
  waitFor<T>(pred: (sas: SwanSa[]) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Everything charon logged (across restarts, separated by a marker line). */
  log(): string;
  /** Sends a signal (default SIGKILL: no DELETE goes out, for DPD tests) and waits until charon is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Same configuration, fresh state: kill (default SIGKILL, so the peer keeps its SAs), start, load. */
  restart(opts?: { signal?: NodeJS.Signals }): Promise<void>;
  /** SIGTERM (charon deletes its SAs), wait, remove /etc/netns/<ns> and the log file. */
  stop(): Promise<void>;
}

const running = new Map<string, Charon>();

function writeConfig(dir: string, conf: SwanConfig, logFile: string, levels: Record<string, number>): void {
  const { text, copies } = renderSwanctl(conf);
  for (const d of ['conf.d', 'x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12']) {
    mkdirSync(`${dir}/swanctl/${d}`, { recursive: true });
  }
  for (const [dest, src] of copies) copyFileSync(src, `${dir}/swanctl/${dest}`);
  writeFileSync(`${dir}/swanctl/swanctl.conf`, text, { mode: 0o600 });
  writeFileSync(`${dir}/strongswan.conf`, renderStrongswanConf(conf, logFile, levels));
}

const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

const tail = (s: string, lines = 60): string => s.split('\n').slice(-lines).join('\n');

/** Starts charon in namespace `ns` of the topology with this configuration; loads it unless load: false. */
export async function startCharon(t: Topology, ns: string, conf: SwanConfig, opts: StartCharonOptions = {}): Promise<Charon> {
  if (!t.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of this topology`);
  if (running.has(ns)) throw new Error(`a charon already runs in ${ns}`);
  const dir = `/etc/netns/${ns}`;
  const logDir = mkdtempSync(join(tmpdir(), `ipsecgw-swan-${ns}-`));
  const logFile = join(logDir, 'charon.log');
  const levels = opts.logLevels ?? DEFAULT_LOG_LEVELS;
  let config = conf;
  let proc: ChildProcess;
  let saved: string | undefined; // the log, once its file is gone
  writeConfig(dir, config, logFile, levels);

  const readLog = (): string => saved ?? (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const args = (a: string[]): string[] => ['-t', String(proc.pid), '-m', '-n', '--', SWANCTL, ...a, '--uri', VICI];
  const swanctl = (...a: string[]): string => {
    try {
      return execFileSync('nsenter', args(a), { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw Object.assign(new Error(`swanctl ${a.join(' ')} failed in ${ns}: ${e.message.split('\n')[0]}\n${e.stdout ?? ''}${e.stderr ?? ''}`), { stdout: e.stdout, stderr: e.stderr });
    }
  };
  const swanctlAsync = (a: string[], timeoutMs = 60_000): Promise<string> => new Promise((resolve, reject) => {
    execFile('nsenter', args(a), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`swanctl ${a.join(' ')} failed in ${ns}: ${err.message}\n${stdout}${stderr}\n--- charon log (tail) ---\n${tail(readLog())}`), { stdout, stderr }));
      else resolve(stdout + stderr);
    });
  });
  const sel = (s: SwanSelector): string[] => [
    ...(s.ike ? ['--ike', s.ike] : []), ...(s.child ? ['--child', s.child] : []),
    ...(s.ikeId !== undefined ? ['--ike-id', String(s.ikeId)] : []), ...(s.childId !== undefined ? ['--child-id', String(s.childId)] : []),
  ];

  const launch = async (): Promise<void> => {
    const fd = openSync(logFile, 'a');
    try {
      // `ip netns exec` execs unshare, which execs sh, which execs charon: proc.pid is charon's pid.
      proc = spawn('ip', ['netns', 'exec', ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs lab-run /run && exec ${CHARON}`],
        { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`charon in ${ns} exited (${proc.exitCode ?? proc.signalCode})\n${tail(readLog())}`);
      try {
        swanctl('--stats');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`charon in ${ns} did not answer on vici: ${(err as Error).message}\n${tail(readLog())}`);
        await sleep(25);
      }
    }
    if (opts.load ?? true) swanctl('--load-all');
  };

  const killNow = (signal: NodeJS.Signals): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  };
  const remove = (): void => {
    if (saved === undefined) saved = readLog();
    rmSync(dir, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
    running.delete(ns);
  };

  const c: Charon = {
    ns, dir, logFile,
    get proc() {
      return proc;
    },
    get pid() {
      return proc.pid ?? -1;
    },
    get conf() {
      return config;
    },
    swanctl,
    swanctlAsync,
    loadAll: () => swanctl('--load-all'),
    reconfigure: (next) => {
      config = next;
      writeConfig(dir, config, logFile, levels);
      return swanctl('--load-all');
    },
    initiate: (child, o = {}) => swanctlAsync(['--initiate', '--child', child, ...(o.ike ? ['--ike', o.ike] : []), '--timeout', String(o.timeoutSec ?? 10)], ((o.timeoutSec ?? 10) + 5) * 1000),
    terminate: (s) => swanctlAsync(['--terminate', ...sel(s), ...(s.force ? ['--force'] : []), '--timeout', String(s.timeoutSec ?? 10)], ((s.timeoutSec ?? 10) + 5) * 1000),
    rekey: (s) => swanctlAsync(['--rekey', ...sel(s), ...(s.reauth ? ['--reauth'] : [])]),
    listSas: (s = {}) => parseListSas(swanctl('--list-sas', '--pretty', ...(s.ike ? ['--ike', s.ike] : []), ...(s.ikeId !== undefined ? ['--ike-id', String(s.ikeId)] : []))),
    waitFor: async (pred, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: SwanSa[] = [];
      for (;;) {
        last = c.listSas();
        const r = pred(last);
        if (r) return r;
        if (Date.now() > deadline) {
          throw new Error(`charon in ${ns}: condition not met within ${timeoutMs} ms; SAs:\n${JSON.stringify(last.map(({ raw: _r, children, ...x }) => ({ ...x, children: children.map(({ raw: _c, ...y }) => y) })), null, 1)}\n--- charon log (tail) ---\n${tail(readLog())}`);
        }
        await sleep(100);
      }
    },
    log: readLog,
    kill: async (signal = 'SIGKILL') => {
      const p = proc;
      killNow(signal);
      await exited(p);
    },
    restart: async (o = {}) => {
      await c.kill(o.signal ?? 'SIGKILL');
      appendFileSync(logFile, `---- ipsecgw lab: charon restarted ${new Date().toISOString()} ----\n`);
      await launch();
    },
    stop: async () => {
      const p = proc;
      killNow('SIGTERM');
      const gone = await Promise.race([exited(p).then(() => true), sleep(5_000, undefined, { ref: false }).then(() => false)]);
      if (!gone) {
        killNow('SIGKILL');
        await exited(p);
      }
      remove();
    },
  };
  running.set(ns, c);
  // Whatever happens to the test, destroying the topology ends this charon and removes its files.
  t.onDestroy(() => {
    killNow('SIGKILL');
    remove();
  });
  try {
    await launch();
  } catch (err) {
    killNow('SIGKILL');
    await exited(proc!);
    remove();
    throw err;
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------
// Two charons facing each other (the benchmark's strongSwan ↔ strongSwan baseline).

export interface SwanPeer {
  ns: string;
  local: string;
  remote: string;
  localTs: string;
  remoteTs: string;
}

export interface SwanOptions {
  /** IKE version. */
  version: 1 | 2;
  /** ESP proposal, strongSwan syntax. */
  esp: string;
  /** IKE proposal; IKEv2 with an AEAD needs an explicit PRF. */
  ike?: string;
  /** Log level for charon's default subsystem. */
  logLevel?: number;
}

export interface Swan {
  charons: [Charon, Charon];
  /** swanctl in gateway i's namespaces. */
  swanctl(i: 0 | 1, ...args: string[]): string;
  stop(): Promise<void>;
}

/** The configuration of one side of a PSK site-to-site tunnel "lab" (connection and child). */
export function siteToSite(p: SwanPeer, o: SwanOptions): SwanConfig {
  return {
    connections: {
      lab: {
        version: o.version,
        local_addrs: p.local,
        remote_addrs: p.remote,
        proposals: o.ike ?? 'aes128-sha256-x25519',
        local: { auth: 'psk', id: p.local },
        remote: { auth: 'psk', id: p.remote },
        children: { lab: { local_ts: p.localTs, remote_ts: p.remoteTs, esp_proposals: o.esp, start_action: 'none' } },
      },
    },
    secrets: { ike: [{ secret: 'lab only: not a secret' }] },
  };
}

/** Starts charon in both gateways, loads the configuration, initiates "lab" from the first. */
export async function startSwan(t: Topology, peers: [SwanPeer, SwanPeer], o: SwanOptions): Promise<Swan> {
  const logLevels = { default: o.logLevel ?? 0 };
  const a = await startCharon(t, peers[0].ns, siteToSite(peers[0], o), { logLevels });
  let b: Charon | undefined;
  try {
    b = await startCharon(t, peers[1].ns, siteToSite(peers[1], o), { logLevels });
    await a.initiate('lab');
  } catch (err) {
    await Promise.all([a.stop(), b?.stop()]);
    throw err;
  }
  const charons: [Charon, Charon] = [a, b];
  return {
    charons,
    swanctl: (i, ...args) => charons[i].swanctl(...args),
    stop: async () => {
      await Promise.all(charons.map((c) => c.stop()));
    },
  };
}
