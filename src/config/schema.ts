// Every key the configuration loader accepts, described once: its place, how its value is written,
// its default, the values or range it takes, what it means (with the swanctl.conf setting it
// follows, where there is one) and an example. The readers (gateway.ts, connections.ts, manual.ts,
// secrets.ts, load.ts) take their key lists from here — the lists MapView checks for "unknown key
// … did you mean" — so a key cannot be accepted without being described; docs/reference.md is
// generated from it (reference.ts) and a test keeps the two equal.
//
// Keys are listed in the order the readers always had them: that order is the order of "known
// keys: …" in messages, and breaks ties between equally close suggestions.

import { DEFAULT_CHILD_LIFETIME, DEFAULT_IKE_LIFETIME, DEFAULT_PROPOSALS } from './defaults.js';
import { OPT_IN } from './weaknesses.js';

/** How a value is written; reference.ts explains each one once. */
export type ValueType =
  | 'string' | 'integer' | 'boolean' | 'keyword' | 'keyword list' | 'duration' | 'address' | 'address list'
  | 'prefix list' | 'identity' | 'path' | 'path list' | 'proposal' | 'proposal list' | 'spi' | 'port pair' | 'host:port';

interface Described {
  /** One or two sentences of Markdown: what it does. */
  readonly description: string;
  /** Markdown: the swanctl.conf (or strongswan.conf) setting it follows, and how it differs; absent: none. */
  readonly strongswan?: string;
  /** true, or the condition under which the key is needed ("with auth: pubkey"). */
  readonly required?: true | string;
}

/** A key with a plain value. */
export interface Leaf extends Described {
  readonly kind: 'leaf';
  readonly type: ValueType;
  /** As the reference shows it: a value, or (Markdown) what the loader does when the key is absent. */
  readonly default?: string;
  /** The keywords it takes (type keyword / keyword list). */
  readonly values?: readonly string[];
  readonly range?: readonly [number, number];
  /** YAML text of a value: what the reference shows and what the every-key test writes. */
  readonly example: string;
}

/** A key whose value is a mapping with fixed keys of its own. */
export interface Mapping<T extends Fields = Fields> extends Described {
  readonly kind: 'mapping';
  readonly keys: T;
  /** The mapping may be replaced by a scalar, which then means this (secrets: the secret itself). */
  readonly scalar?: string;
  /** Documented once under this name in the reference, not at every place it is used. */
  readonly shared?: string;
  /** YAML text of a value, for the reference; without it one is made from the keys' examples. */
  readonly example?: string;
}

/** A key whose value maps names of the operator's choosing to mappings: connections, children, manual. */
export interface Named<T extends Fields = Fields> extends Described {
  readonly kind: 'named';
  /** The name the reference writes in paths: connections.<name>. */
  readonly placeholder: string;
  /** A name for examples. */
  readonly exampleName: string;
  readonly item: Mapping<T>;
}

export type Field = Leaf | Mapping | Named;
export type Fields = { readonly [key: string]: Field };

const leaf = <const T extends Omit<Leaf, 'kind'>>(spec: T): T & { readonly kind: 'leaf' } => ({ kind: 'leaf', ...spec });
const mapping = <const T extends Fields>(spec: Omit<Mapping<T>, 'kind'>): Mapping<T> => ({ kind: 'mapping', ...spec });
const named = <const T extends Fields>(spec: Omit<Named<T>, 'kind'>): Named<T> => ({ kind: 'named', ...spec });

/** Proposal strings as Markdown code, for defaults. */
const codeList = (items: readonly string[]): string => items.map((p) => `\`${p}\``).join(', ');

/** Seconds as swanctl.conf writes durations: 4h, 30m, 45s. */
const duration = (s: number): string => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);

/** The keys of a mapping, in order: what MapView takes. */
export function keysOf<T extends Fields>(m: Mapping<T>): ReadonlyArray<keyof T & string> {
  return Object.keys(m.keys) as Array<keyof T & string>;
}

export type KeyOf<M> = M extends Mapping<infer T> ? keyof T & string : never;

// ---- Secrets: PSKs and manual keys -------------------------------------------------------------

export const SECRET = mapping({
  description: 'A secret read when the configuration is loaded: written inline, or better kept in a file or an environment variable.',
  scalar: 'the secret itself, written in the configuration, which then is a secret too (a warning when group or others can read it)',
  shared: 'secret',
  keys: {
    file: leaf({
      type: 'path',
      description: "A file holding the secret; lines starting with '#' are comments, surrounding whitespace is dropped. " +
        'A warning when group or others can read it (chmod 600).',
      example: 'secrets/site-b.psk',
    }),
    env: leaf({
      type: 'string',
      description: 'An environment variable holding the secret (letters, digits and _).',
      example: 'SITE_B_PSK',
    }),
  },
});

// ---- gateway -----------------------------------------------------------------------------------

export const GATEWAY = mapping({
  description: 'Who this gateway is and where it listens.',
  required: true,
  keys: {
    name: leaf({
      type: 'string', required: true,
      description: "The gateway's name, a-z, 0-9 and '-': it names the control socket and appears in the logs.",
      example: 'site-a',
    }),
    tun: leaf({
      type: 'string', default: 'ipsec0',
      description: "The TUN device the gateway creates for cleartext traffic (a Linux interface name, 1 to 15 bytes, no '/', ':' or spaces); " +
        'routes to the remote traffic selectors point into it.',
      strongswan: "the TUN device of strongSwan's `kernel-libipsec` plugin, whose name is not configurable",
      example: 'ipsec0',
    }),
    listen: leaf({
      type: 'address list', required: true,
      description: 'The addresses IKE listens on (UDP 500 and 4500) and ESP is received on; at least one. ' +
        "0.0.0.0 or :: listens on every address of that family; a connection's or manual SA's local address must be one of these.",
      strongswan: 'charon listens on every address; `charon.interfaces_use` in `strongswan.conf` restricts it by interface',
      example: '[192.0.2.1]',
    }),
    mtu: leaf({
      // RFC 791: every IPv4 host takes 576-byte datagrams; below that the TUN device is of no use.
      type: 'integer', default: '1400', range: [576, 65535],
      description: 'MTU of the TUN device: the largest inner packet sent through the tunnels. IPv6 traffic selectors need at least 1280 (RFC 8200 §5).',
      strongswan: '`kernel-libipsec` gives its TUN device an MTU of 1400 as well',
      example: '1400',
    }),
    workers: leaf({
      type: 'integer', default: 'the number of CPUs (os.availableParallelism())', range: [1, 1024],
      description: 'Datapath worker threads. 1: one thread does both directions (fewest thread switches: for a small machine the gateway shares, or a lab with several gateways on few CPUs); 2 or more: one outbound and one inbound thread (more are reserved, not used yet). Fixed at start: a reload does not change it.',
      example: '2',
    }),
    socket: leaf({
      type: 'path', default: '/run/ipsecgw/<name>.sock',
      description: 'The control socket `ipsecgw status`, `up`, `down` and `reload` talk to; relative to the configuration file, at most 107 bytes.',
      strongswan: '`charon.plugins.vici.socket` in `strongswan.conf`',
      example: 'run/site-a.sock',
    }),
    'max-sas': leaf({
      type: 'integer', range: [64, 1 << 20],
      default: 'room for every manual SA and configured child, and 4096 more when a connection takes roaming peers',
      description: "SAs the datapath's table holds, fixed at start (each CHILD SA is two, three generations during a rekey); raise it for many roaming peers.",
      example: '20000',
    }),
    metrics: leaf({
      type: 'host:port',
      default: 'none: no endpoint',
      description: 'Where the Prometheus endpoint listens (plain HTTP, `GET /metrics`; see [metrics.md](metrics.md)). ' +
        'It has no authentication: anything but a loopback address gets a warning. A change needs a restart.',
      strongswan: 'none built in (exporters read VICI)',
      example: "'127.0.0.1:9469'",
    }),
  },
});

// ---- connections -------------------------------------------------------------------------------

const AUTH = ['psk', 'pubkey'] as const;

export const LOCAL = mapping({
  description: 'This end of the IKE connection.',
  required: true,
  example: '{ address: 192.0.2.1, id: gw-a.example.org, auth: psk }',
  strongswan: '`connections.<conn>.local_addrs` and `connections.<conn>.local`',
  keys: {
    address: leaf({
      type: 'address', default: "responding: any of gateway.listen; initiating: the first one of the peer's family",
      description: 'The address IKE and ESP use on this side; must be one of gateway.listen (or of its family when listen has 0.0.0.0 or ::).',
      strongswan: '`connections.<conn>.local_addrs` (one address here, no names or ranges)',
      example: '192.0.2.1',
    }),
    id: leaf({
      type: 'identity',
      default: "with auth: pubkey the certificate's subject DN, else the IP address IKE runs on",
      description: 'The identity this side sends (IDi / IDr). With certificates it must be in the certificate: its subject DN or a subjectAltName.',
      strongswan: '`connections.<conn>.local.id`',
      example: 'gw-a.example.org',
    }),
    auth: leaf({
      type: 'keyword', values: AUTH, default: 'pubkey',
      description: 'How this side proves its identity: the pre-shared key of `psk`, or a signature with the key of its certificate.',
      strongswan: '`connections.<conn>.local.auth` (`psk` or `pubkey`; no EAP or XAuth)',
      example: 'psk',
    }),
    cert: leaf({
      type: 'path', required: 'with auth: pubkey',
      description: 'PEM file with this side\'s certificate first, then any intermediate CA certificates, which are sent along so the peer can build the chain.',
      strongswan: '`connections.<conn>.local.certs` (a file in `swanctl/x509/`)',
      example: 'certs/gw-a.crt',
    }),
    key: leaf({
      type: 'path', required: 'with auth: pubkey',
      description: "Unencrypted PEM file with the certificate's private key: RSA or ECDSA (IKEv2 also Ed25519). A warning when group or others can read it.",
      strongswan: 'a key in `swanctl/private/` (or `secrets.private<suffix>.file`)',
      example: 'private/gw-a.key',
    }),
  },
});

export const REMOTE = mapping({
  description: 'The peer.',
  required: true,
  example: '{ address: 192.0.2.2, id: gw-b.example.org, auth: psk }',
  strongswan: '`connections.<conn>.remote_addrs` and `connections.<conn>.remote`',
  keys: {
    address: leaf({
      type: 'address', required: true,
      description: "The peer's address, or `any` (also `%any`) to take peers from any address: roaming clients, or a peer behind a NAT whose " +
        'public address is not known; such a connection only responds.',
      strongswan: '`connections.<conn>.remote_addrs` (one address or `%any`; no names, subnets or ranges)',
      example: '192.0.2.2',
    }),
    id: leaf({
      type: 'identity', default: 'any identity the authentication proves',
      description: "The identity the peer must send; with certificates it must also be in the peer's certificate. " +
        'With a PSK it also picks the connection among those that take the peer\'s address (roaming clients); with certificates the first of them answers.',
      strongswan: '`connections.<conn>.remote.id` (exact identities only, no wildcards)',
      example: 'gw-b.example.org',
    }),
    auth: leaf({
      type: 'keyword', values: AUTH, default: 'pubkey',
      description: 'How the peer must prove its identity. IKEv1 has one method for both ends (RFC 2409 §5): local and remote auth must agree.',
      strongswan: '`connections.<conn>.remote.auth`',
      example: 'psk',
    }),
    ca: leaf({
      type: 'path list', required: 'with auth: pubkey',
      description: "Trust anchors: CA certificate files (PEM) the peer's certificate must chain up to. " +
        'Validity dates, basicConstraints and path lengths are checked; revocation (CRL, OCSP) is not.',
      strongswan: '`connections.<conn>.remote.cacerts`',
      example: '[certs/ca.crt]',
    }),
  },
});

const lifetimeTime = (fallback: string, swan: string) => leaf({
  type: 'duration', default: fallback, range: [1, Number.MAX_SAFE_INTEGER],
  description: 'Hard lifetime: the SA is gone at this age. Its creator rekeys it at a random 80-90 % of it, the other side at 90-95 %.',
  strongswan: swan,
  example: fallback,
});

export const IKE_LIFETIME = mapping({
  description: 'Lifetime of the IKE SA (IKEv1: the ISAKMP SA of phase 1).',
  example: '{ time: 8h }',
  keys: {
    time: lifetimeTime(duration(DEFAULT_IKE_LIFETIME), '`connections.<conn>.rekey_time` plus `over_time`: here one hard limit, and the rekey falls before it'),
    kilobytes: leaf({
      type: 'integer', range: [1, Number.MAX_SAFE_INTEGER],
      description: 'IKEv1 only: a kilobyte lifetime for the ISAKMP SA (RFC 2409 Appendix A); IKEv2 rekeys IKE SAs by time only.',
      example: '1000000',
    }),
  },
});

export const DPD = mapping({
  description: 'Dead peer detection: a liveness check when nothing came from the peer for `delay`. Absent: no DPD.',
  strongswan: '`connections.<conn>.dpd_delay`, `dpd_timeout` and `children.<child>.dpd_action`',
  keys: {
    delay: leaf({
      type: 'duration', default: '30s',
      description: 'Quiet time before a liveness check (IKEv2 empty INFORMATIONAL, IKEv1 R-U-THERE, RFC 3706); 0 turns DPD off.',
      strongswan: '`connections.<conn>.dpd_delay`',
      example: '30s',
    }),
    action: leaf({
      type: 'keyword', values: ['clear', 'hold', 'restart'], default: 'clear',
      description: 'What happens to the CHILD SAs of a dead peer: `clear` removes them; `hold` puts trap policies in their place, so traffic ' +
        'renegotiates them; `restart` negotiates them again at once (not for remote address any).',
      strongswan: '`connections.<conn>.children.<child>.dpd_action` (`clear`, `trap`, `restart`); here per connection, and `trap` is `hold`',
      example: 'restart',
    }),
    timeout: leaf({
      type: 'duration', range: [1, Number.MAX_SAFE_INTEGER], default: 'IKEv1: 150s; IKEv2: until the retransmissions run out (about 165 s, as in strongSwan)',
      description: 'How long a liveness check goes unanswered before the peer is declared dead.',
      strongswan: '`connections.<conn>.dpd_timeout` (IKEv1 only there; IKEv2 waits for all retransmissions, 165 s by default)',
      example: '150s',
    }),
  },
});

export const IKE = mapping({
  description: 'The IKE SA (IKEv1: phase 1): algorithms, lifetime, dead peer detection, NAT traversal.',
  keys: {
    proposals: leaf({
      type: 'proposal list',
      default: `IKEv2: ${codeList(DEFAULT_PROPOSALS[2].ike)}; IKEv1: ${codeList(DEFAULT_PROPOSALS[1].ike)}`,
      description: "IKE proposals in order of preference, in strongSwan's syntax: encryption, integrity, PRF and D-H group keywords joined by '-'. " +
        "`default` stands for the built-in list. IKEv1 phase 1 takes only CBC ciphers (RFC 2409 Appendix A).",
      strongswan: '`connections.<conn>.proposals`',
      example: '[aes256gcm16-prfsha384-x25519, aes256-sha256-modp3072]',
    }),
    lifetime: IKE_LIFETIME,
    reauth: leaf({
      type: 'duration', range: [1, Number.MAX_SAFE_INTEGER], default: 'never',
      description: 'IKEv2 only: after this long, authenticate again with a new IKE SA from IKE_SA_INIT and make the CHILD SAs anew ' +
        '(make-before-break). IKEv1 renews phase 1 at `lifetime` anyway.',
      strongswan: '`connections.<conn>.reauth_time` (strongSwan breaks before it makes)',
      example: '24h',
    }),
    dpd: DPD,
    'nat-traversal': leaf({
      type: 'keyword', values: ['auto', 'force', 'off'], default: 'auto',
      description: 'NAT detection (RFC 7296 §2.23, RFC 3947): `auto` moves IKE to port 4500 and encapsulates ESP in UDP (RFC 3948) when a NAT ' +
        'is found, and sends keepalives every 20 s from behind it; `force` pretends there is a NAT, for firewalls that drop ESP; `off` ignores NATs.',
      strongswan: '`connections.<conn>.encap` (`yes` is `force`); strongSwan has no `off`',
      example: 'force',
    }),
  },
});

export const CHILD_LIFETIME = mapping({
  description: 'Lifetime of each CHILD SA: time, and optionally traffic; whichever ends first.',
  keys: {
    time: lifetimeTime(duration(DEFAULT_CHILD_LIFETIME), '`connections.<conn>.children.<child>.life_time`; `rekey_time` falls at 80-95 % of it here'),
    kilobytes: leaf({
      type: 'integer', range: [1, Number.MAX_SAFE_INTEGER],
      description: 'Kilobytes (both directions) after which the SA is gone; it is rekeyed before, as for `time`.',
      strongswan: '`connections.<conn>.children.<child>.life_bytes` (in bytes there); `rekey_bytes` falls at 80-95 % of it here',
      example: '4000000',
    }),
    packets: leaf({
      type: 'integer', range: [1, Number.MAX_SAFE_INTEGER],
      description: 'Packets (both directions) after which the SA is gone; a local limit, not negotiated.',
      strongswan: '`connections.<conn>.children.<child>.life_packets`',
      example: '100000000',
    }),
  },
});

export const CHILD = mapping({
  description: 'One CHILD SA (IKEv1: phase 2, Quick Mode): which traffic it protects and how.',
  keys: {
    'local-ts': leaf({
      type: 'prefix list', default: 'dynamic: the address IKE runs on',
      description: "Traffic selectors of this side: the prefixes whose traffic the SA protects. As responder, the peer's proposal is narrowed to them.",
      strongswan: '`connections.<conn>.children.<child>.local_ts` (prefixes only: no ranges, protocols or ports)',
      example: '[10.1.0.0/24]',
    }),
    'remote-ts': leaf({
      type: 'prefix list', default: "dynamic: the peer's IKE address",
      description: "Traffic selectors of the peer's side; routes to them are put into the TUN device.",
      strongswan: '`connections.<conn>.children.<child>.remote_ts`',
      example: '[10.2.0.0/24]',
    }),
    mode: leaf({
      type: 'keyword', values: ['tunnel', 'transport'], default: 'tunnel',
      description: 'IPsec mode: `tunnel` wraps whole packets between the gateways; `transport` protects traffic of the two hosts themselves.',
      strongswan: '`connections.<conn>.children.<child>.mode` (no beet, pass or drop)',
      example: 'tunnel',
    }),
    protocol: leaf({
      type: 'keyword', values: ['esp', 'ah'], default: 'esp',
      description: 'ESP (RFC 4303, encryption and integrity) or AH (RFC 4302, integrity only); `proposals` are read as one or the other.',
      strongswan: '`esp_proposals` or `ah_proposals`: whichever is set',
      example: 'esp',
    }),
    proposals: leaf({
      type: 'proposal list',
      default: `IKEv2: ${codeList(DEFAULT_PROPOSALS[2].esp)}; IKEv1: ${codeList(DEFAULT_PROPOSALS[1].esp)}; ` +
        `AH: ${codeList(DEFAULT_PROPOSALS[2].ah)} (IKEv1: ${codeList(DEFAULT_PROPOSALS[1].ah)})`,
      description: 'ESP (or AH) proposals in order of preference, in strongSwan\'s syntax; every algorithm must be one the datapath runs ' +
        '(AES-CBC, AES-GCM, ChaCha20-Poly1305, 3DES; HMAC-SHA1/SHA2). A D-H group here is PFS, as `pfs` is: set it in one place.',
      strongswan: '`connections.<conn>.children.<child>.esp_proposals` (or `ah_proposals`)',
      example: '[aes256gcm16, aes128-sha256]',
    }),
    pfs: leaf({
      type: 'keyword', default: 'none',
      values: ['none', '<D-H group>', 'identities'],
      description: 'Perfect forward secrecy: a fresh D-H exchange with this group (x25519, ecp256, modp3072, …) for each new CHILD SA and ' +
        "each rekey (IKEv2's first CHILD SA comes with IKE_AUTH and the IKE SA's exchange). " +
        "IKEv1 also takes `identities`: PFS of identities, the ISAKMP SA deleted after each Quick Mode (RFC 2409 §8).",
      strongswan: 'a D-H group in `esp_proposals` (`aes256gcm16-modp3072`); `identities` has none',
      example: 'x25519',
    }),
    lifetime: CHILD_LIFETIME,
    start: leaf({
      type: 'keyword', values: ['trap', 'start', 'none'], default: 'none',
      description: '`start` negotiates the SA when the gateway starts; `trap` on the first packet that needs it (the packet is sent once the SA is up; ' +
        'needs both traffic selectors); `none` only responds. A connection to remote address any takes only `none`.',
      strongswan: '`connections.<conn>.children.<child>.start_action` (not `trap|start`)',
      example: 'start',
    }),
  },
});

export const CONNECTION = mapping({
  description: 'One IKE connection: the peer, how both ends authenticate, the IKE SA and its CHILD SAs.',
  strongswan: '`connections.<conn>`',
  keys: {
    version: leaf({
      type: 'integer', range: [1, 2], default: '2',
      description: 'IKE version: 2 (IKEv2, RFC 7296) or 1 (IKEv1, RFC 2409).',
      strongswan: '`connections.<conn>.version` (its default `0`, either version, has no equivalent: choose one)',
      example: '2',
    }),
    mode: leaf({
      type: 'keyword', values: ['main', 'aggressive'], default: 'main (IKEv1)',
      description: "IKEv1 only: the phase 1 exchange. Aggressive mode with a PSK exposes a hash of the PSK to offline guessing (a warning).",
      strongswan: '`connections.<conn>.aggressive` (`yes` is `aggressive`)',
      example: 'main',
    }),
    local: LOCAL,
    remote: REMOTE,
    psk: mapping({
      ...SECRET,
      required: 'when either end has auth: psk',
      example: '{ file: secrets/site-b.psk }',
      description: "The pre-shared key of both ends: text, or hex after '0x', or base64 after '0s', as strongSwan reads secrets.",
      strongswan: '`secrets.ike<suffix>.secret` (one key per connection here, not chosen by identities)',
    }),
    'allow-weak': leaf({
      type: 'keyword list', values: OPT_IN,
      description: 'IKEv1 only: algorithms the RFCs forbid that this connection may still use, for a legacy peer (then a warning, not an error).',
      strongswan: 'nothing to set: strongSwan accepts single DES without a word',
      example: '[des]',
    }),
    ike: IKE,
    children: named({
      placeholder: '<child>', exampleName: 'lan',
      description: 'The CHILD SAs of the connection, by name (IKEv1: the phase 2 SAs). A connection without any carries no traffic (a warning).',
      strongswan: '`connections.<conn>.children`',
      item: CHILD,
    }),
  },
});

// ---- manual ------------------------------------------------------------------------------------

export const DIRECTION = mapping({
  description: 'One direction of a manual SA: its SPI and its keying material.',
  required: true,
  keys: {
    spi: leaf({
      type: 'spi', required: true,
      description: "The SPI (RFC 4303 §2.1); one side's `out` is the other's `in`.",
      example: '0xc0010001',
    }),
    key: mapping({
      ...SECRET,
      required: true,
      example: '{ file: keys/a-to-b.hex }',
      description: "Keying material in hex, in strongSwan's order: the encryption key (for AEADs followed by the 4-byte salt), then the " +
        'integrity key; `ipsecgw check` says how many digits the algorithm needs.',
    }),
  },
});

export const MANUAL = mapping({
  description: 'A statically keyed SA pair, with no IKE: both ends are configured with the same SPIs and keys.',
  keys: {
    local: leaf({
      type: 'address', required: true,
      description: "This side's outer address; must be one of gateway.listen.",
      example: '192.0.2.1',
    }),
    remote: leaf({
      type: 'address', required: true,
      description: "The peer's outer address, of the same family.",
      example: '192.0.2.2',
    }),
    'local-ts': leaf({
      type: 'prefix list', required: 'in tunnel mode', default: 'transport mode: the local address',
      description: "The prefixes on this side whose traffic the SA protects. In transport mode they must include the local address.",
      example: '[10.1.0.0/24]',
    }),
    'remote-ts': leaf({
      type: 'prefix list', required: 'in tunnel mode', default: 'transport mode: the remote address',
      description: "The prefixes on the peer's side; routes to them are put into the TUN device. Manual SAs' selectors must not overlap.",
      example: '[10.2.0.0/24]',
    }),
    mode: leaf({
      type: 'keyword', values: ['tunnel', 'transport'], default: 'tunnel',
      description: 'IPsec mode, as for a child.',
      example: 'tunnel',
    }),
    encap: leaf({
      type: 'keyword', values: ['none', 'udp'], default: 'none',
      description: '`none`: plain ESP (IP protocol 50); `udp`: ESP in UDP (RFC 3948), to cross NATs and firewalls that drop protocol 50. ESP only.',
      example: 'udp',
    }),
    ports: leaf({
      type: 'port pair', default: '[4500, 4500]',
      description: 'With `encap: udp`: the UDP source and destination ports of outgoing packets.',
      example: '[4500, 4500]',
    }),
    esp: leaf({
      type: 'proposal', required: "unless 'ah' is given",
      description: 'The one ESP algorithm set, e.g. `aes128gcm16`, `aes256-sha256`, `chacha20poly1305`. Exactly one of `esp` and `ah`.',
      example: 'aes128gcm16',
    }),
    ah: leaf({
      type: 'proposal', required: "unless 'esp' is given",
      description: 'AH (RFC 4302) with this one integrity algorithm, e.g. `sha256`, instead of ESP.',
      example: 'sha256',
    }),
    esn: leaf({
      type: 'boolean', default: "false, or what 'esn' / 'noesn' in the algorithm says",
      description: 'Extended (64-bit) sequence numbers (RFC 4303 §2.2.1); must agree with esn / noesn written in `esp` or `ah`.',
      example: 'true',
    }),
    'replay-window': leaf({
      // The datapath's largest anti-replay window (assembly/esp/replay.ts REPLAY_MAX_WINDOW).
      type: 'integer', default: '1024', range: [1, 1984],
      description: 'The inbound anti-replay window, in packets.',
      example: '1024',
    }),
    df: leaf({
      type: 'keyword', values: ['copy', 'set', 'clear'], default: 'copy',
      description: "Tunnel mode: the outer header's Don't Fragment bit, copied from the inner packet, always set or always clear.",
      example: 'copy',
    }),
    in: DIRECTION,
    out: DIRECTION,
  },
});

// ---- The file ----------------------------------------------------------------------------------

export const ROOT = mapping({
  description: 'One gateway per file.',
  keys: {
    gateway: GATEWAY,
    connections: named({
      placeholder: '<name>', exampleName: 'site-b',
      description: 'IKE connections (IKEv1 and IKEv2), by name; `ipsecgw up NAME` and `down NAME` take these names.',
      strongswan: '`connections`',
      item: CONNECTION,
    }),
    manual: named({
      placeholder: '<name>', exampleName: 'lab-link',
      description: 'Manually keyed SA pairs, by name (unique across connections and manual SAs).',
      strongswan: 'no equivalent in `swanctl.conf` (`ip xfrm state` and `ip xfrm policy`, or `setkey`)',
      item: MANUAL,
    }),
  },
});

// ---- How values are written --------------------------------------------------------------------

/** One explanation per value type (values.ts, selectors.ts, secrets.ts and proposals.ts read them). */
export const VALUE_TYPES: Readonly<Record<ValueType, string>> = {
  string: 'Any scalar, taken as written (`id: 1e3` is the text 1e3).',
  integer: 'A plain YAML number; `"1400"` in quotes is a string and is refused.',
  boolean: '`true` or `false`. This is YAML 1.2: `yes`, `no`, `on` and `off` are strings.',
  keyword: 'One of the listed words, exactly; a close miss gets a suggestion.',
  'keyword list': 'A list of keywords; one keyword alone counts as a list of one.',
  duration: 'Seconds, or a whole number with a unit as swanctl.conf writes them: `30s`, `10m`, `8h`, `1d`.',
  address: 'One IPv4 or IPv6 address: no host names, no prefix length.',
  'address list': 'A list of addresses, `[192.0.2.1, 2001:db8::1]`; one address alone counts as a list of one.',
  'prefix list': 'A list of prefixes, `[10.1.0.0/24, 2001:db8:1::/64]`; a bare address is a host prefix, host bits are cleared (with a warning). ' +
    'One list may hold both families, but each family on one side needs a partner on the other. Not comma-separated in one string.',
  identity: "An IKE identity in strongSwan's syntax: an IP address; `gw.example.org` or `@gw.example.org` (FQDN); `user@example.org` " +
    '(RFC 822 e-mail); `C=CH, O=Example, CN=gw` (a distinguished name); a type prefix `fqdn:`, `email:`, `ipv4:`, `keyid:`, `asn1dn:` … forces a type, ' +
    'and `#` after it gives the bytes in hex. Quote values that start with `@` (YAML reserves it).',
  path: 'A file name, relative to the directory of the configuration file; the file must exist when the configuration is loaded.',
  'path list': 'A list of file names, each as for a path.',
  proposal: "One algorithm set in strongSwan's syntax, keywords joined by '-': `aes128gcm16`, `aes256-sha256`, `chacha20poly1305`. No alternatives.",
  'proposal list': "Proposals in strongSwan's syntax, in order of preference: a list, or several in one string separated by commas as in " +
    "swanctl.conf. Several algorithms of one kind in one proposal are alternatives (`aes128-aes256-sha256-x25519-ecp256`); " +
    '`default` stands for the built-in list. `ipsecgw check` points at a misspelt or unsupported keyword and warns about weak ones.',
  spi: 'A 32-bit number from 256 (0x100) to 0xffffffff: a YAML integer such as `0xc0010001`, or hex in quotes.',
  'port pair': '`[source port, destination port]`, each 1 to 65535.',
  'host:port': "An address and a TCP port joined by ':', `127.0.0.1:9469`; IPv6 in brackets and the whole in quotes, `'[::1]:9469'`.",
};
