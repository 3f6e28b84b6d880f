// The configuration loader and `ipsecgw check`: YAML snippets → diagnostics at exact lines and
// columns; a full configuration → the typed Config; the CLI's output and exit codes; the example
// pair config/site-a.yaml / site-b.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAddress, parsePrefix } from '../src/dataplane/addr.js';
import { formatDiagnostic, loadConfig } from '../src/config/load.js';
import { espSuite, parseProposal, type EspSuite, type Proposal, type ProposalKind } from '../src/config/proposal.js';
import { KEYWORDS } from '../src/config/keywords.js';
import { encrNull } from '../src/config/transforms.js';
import type { DhTransform } from '../src/config/transforms.js';
import type { Config, Diagnostic } from '../src/config/types.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A YAML snippet written in the test's indentation: first line is line 1, common indent removed. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '').replace(/\n\s*$/, '\n');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return text.split('\n').map((l) => l.slice(indent)).join('\n');
}

const hex = (bytes: number, seed: number) => Array.from({ length: bytes }, (_, i) => ((i * 37 + seed * 101) & 0xff).toString(16).padStart(2, '0')).join('');
const KEY_GCM = hex(20, 1); // aes128gcm16: 16-byte key + 4-byte salt
const KEY_GCM_B = hex(20, 2);
const KEY_CBC = hex(64, 3); // aes256-sha256: 32 + 32 bytes
const KEY_SHA256 = hex(32, 4); // AH sha256
const KEY_SHA256_B = hex(32, 6);

/** Files every snippet can name; secrets at 0600 except keys/open.hex (0644). */
const FILES: Record<string, [string, number]> = {
  'keys/gcm.hex': [`# test key\n${KEY_GCM}\n`, 0o600],
  'keys/gcm-b.hex': [`${KEY_GCM_B}\n`, 0o600],
  'keys/open.hex': [`${hex(20, 5)}\n`, 0o644],
  'keys/short.hex': [`${KEY_GCM.slice(0, 38)}\n`, 0o600],
  'keys/cbc.hex': [`${KEY_CBC}\n`, 0o600],
  'keys/ah.hex': [`${KEY_SHA256}\n`, 0o600],
  'secrets/legacy.psk': ['correct horse battery staple\n', 0o600],
  'certs/gw.crt': ['-----BEGIN CERTIFICATE-----\n', 0o644],
  'certs/gw.key': ['-----BEGIN PRIVATE KEY-----\n', 0o600],
  'certs/ca.crt': ['-----BEGIN CERTIFICATE-----\n', 0o644],
  // Secrets others may read: by group (0640), by others only (0604), by all (0644).
  'keys/group.hex': [`${hex(20, 20)}\n`, 0o640],
  'keys/others.hex': [`${hex(20, 21)}\n`, 0o604],
  'secrets/open.psk': ['not so secret\n', 0o644],
  'certs/open.key': ['-----BEGIN PRIVATE KEY-----\n', 0o640],
  // Distinct aes128gcm16 keys, for snippets with many SAs that must not share keys.
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i): [string, [string, number]] => [`keys/k${i + 1}.hex`, [`${hex(20, 10 + i)}\n`, 0o600]])),
};

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-config-'));
  for (const [name, [text, mode]] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), mode); // explicit: the umask must not decide
  }
  return dir;
}

/** Writes the snippet as site.yaml (mode `mode`) in a fresh fixture directory and loads it. */
function load(text: string, mode = 0o600): { dir: string; file: string; result: ReturnType<typeof loadConfig> } {
  const dir = fixtureDir();
  const file = join(dir, 'site.yaml');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return { dir, file, result: loadConfig(file) };
}

const show = (d: Diagnostic) => `${d.line}:${d.col} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;

interface Case {
  readonly name: string;
  readonly yaml: string;
  /** "LINE:COL [warning: ]part of the message", in file order (errors before warnings at one position). */
  readonly expect: readonly string[];
  readonly env?: Record<string, string>;
  readonly mode?: number;
}

const GW = 'gateway: { name: gw, listen: [192.0.2.1] }';

const CASES: Case[] = [
  {
    name: 'unknown keys, with a suggestion when one is close',
    yaml: yaml`
      gateway:
        name: gw
        listen: [192.0.2.1]
        wrokers: 2
        colour: blue
      manaul: {}`,
    expect: [
      "1:1 warning: neither 'manual' SAs nor 'connections'",
      "4:3 unknown key 'wrokers' in gateway; did you mean 'workers'?",
      "5:3 unknown key 'colour' in gateway; known keys: name, tun, listen, mtu, workers, socket",
      "6:1 unknown key 'manaul' in the configuration; did you mean 'manual'?",
    ],
  },
  {
    name: 'missing required keys: at the key that introduced the mapping',
    yaml: yaml`
      gateway:
        name: gw
      manual:
        lab:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { key: { file: keys/gcm-b.hex } }`,
    expect: [
      "1:1 gateway needs 'listen'",
      "4:3 manual SA 'lab' needs 'remote-ts'",
      "4:3 manual SA 'lab' needs 'esp' (e.g. esp: aes128gcm16) or 'ah' (e.g. ah: sha256)",
      "9:5 'out' of manual SA 'lab' needs 'spi'",
    ],
  },
  {
    name: 'no gateway section at all',
    yaml: yaml`
      manual: {}`,
    expect: ["1:1 the configuration needs a 'gateway' section"],
  },
  {
    name: 'wrong types and out-of-range numbers',
    yaml: yaml`
      gateway:
        name: gw
        listen: { a: 1 }
        mtu: "1400"
        workers: 0
        tun: a-very-long-interface
      manual:
        lab:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          esn: yes
          replay-window: 2048
          df: cpoy
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }`,
    expect: [
      "3:11 'listen' must be a list, not a mapping",
      "4:8 'mtu' must be an integer from 576 to 65535, not '1400'",
      "5:12 'workers' must be from 1 to 1024, not 0",
      "6:8 'tun': 'a-very-long-interface' is not a Linux interface name",
      "14:10 'esn' must be true or false, not 'yes'; write 'true'",
      "15:20 'replay-window' must be from 1 to 1984, not 2048",
      "16:9 'df' must be 'copy', 'set' or 'clear', not 'cpoy'; did you mean 'copy'?",
    ],
  },
  {
    name: 'bad addresses and prefixes; host bits are cleared with a warning',
    yaml: yaml`
      ${GW}
      manual:
        lab:
          local: 192.0.2.1
          remote: 192.0.2.300
          local-ts: [10.1.0.0/33, 10.1.0.0/24]
          remote-ts: [10.2.0.7/24, 10.3.0.0/16/8, "10.4.0.0/16,10.5.0.0/16"]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }`,
    expect: [
      "5:13 'remote': '192.0.2.300' is not an IPv4 or IPv6 address",
      "6:16 'local-ts': prefix length in '10.1.0.0/33' must be 0..32",
      "7:17 warning: 'remote-ts': '10.2.0.7/24' has host bits set; it means 10.2.0.0/24",
      "7:30 'remote-ts': prefix length in '10.3.0.0/16/8' must be 0..32",
      "7:45 'remote-ts': '10.4.0.0/16,10.5.0.0/16' is not an IPv4 or IPv6 prefix (e.g. 10.1.0.0/24 or 2001:db8::/64); write a list: [a, b]",
    ],
  },
  {
    name: 'families: outer addresses must match; inner prefixes need a partner of their family',
    yaml: yaml`
      gateway: { name: gw, listen: [192.0.2.1, 2001:db8::1] }
      manual:
        mixed-outer:
          local: 192.0.2.1
          remote: 2001:db8::2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }
        v6-over-v4:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.3.0.0/24, 2001:db8:3::/48]
          remote-ts: [10.4.0.0/24, 2001:db8:4::/48, 2001:db8:5::/48]
          esp: aes128gcm16
          in: { spi: 0x1002, key: { file: keys/gcm.hex } }
          out: { spi: 0x1003, key: { file: keys/gcm-b.hex } }
        unpaired:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.5.0.0/24]
          remote-ts: [2001:db8:6::/48]
          esp: aes128gcm16
          in: { spi: 0x1004, key: { file: keys/gcm.hex } }
          out: { spi: 0x1005, key: { file: keys/gcm-b.hex } }`,
    expect: [
      "5:13 remote 2001:db8::2 is IPv6 but local 192.0.2.1 is IPv4; an SA's outer addresses share one family",
      // Reused keys: every SA here shares the two files.
      "17:37 warning: the in key of manual SA 'v6-over-v4' is the same as the in key of manual SA 'mixed-outer'",
      "18:38 warning: the out key of manual SA 'v6-over-v4' is the same as the out key of manual SA 'mixed-outer'",
      '22:16 local-ts 10.5.0.0/24 is IPv4, but remote-ts has no IPv4 prefix to pair it with',
      '23:17 remote-ts 2001:db8:6::/48 is IPv6, but local-ts has no IPv6 prefix to pair it with',
      "25:37 warning: the in key of manual SA 'unpaired' is the same as the in key of manual SA 'mixed-outer'",
      "26:38 warning: the out key of manual SA 'unpaired' is the same as the out key of manual SA 'mixed-outer'",
    ],
  },
  {
    name: 'keys: wrong length (expected hex digits), not hex (at the digit), missing file, open file, unset env',
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/short.hex } }
          out: { spi: 0x1001, key: "00112233445566778899aabbccddeeff0011zz33" }
        b:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.1.0.0/24]
          remote-ts: [10.3.0.0/24]
          esp: aes256-sha256
          in: { spi: 0x1002, key: { file: keys/nope.hex } }
          out: { spi: 0x1003, key: { env: IPSECGW_TEST_UNSET } }
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.1.0.0/24]
          remote-ts: [10.4.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1004, key: { file: keys/open.hex } }
          out: { spi: 0x1005, key: { file: keys/gcm.hex, env: X } }`,
    expect: [
      "9:37 key file 'keys/short.hex' has 38 hex digits; 'aes128gcm16' needs 40 (16-byte aes128gcm16 key + 4-byte salt)",
      '10:67 the inline key is not hex: character 37 is not a hex digit',
      "17:37 key file 'keys/nope.hex' (",
      '18:37 environment variable IPSECGW_TEST_UNSET (key) is not set',
      "25:37 warning: key file 'keys/open.hex' is accessible by group or others (mode 0644); chmod 600 DIR/keys/open.hex",
      "26:30 'key' takes one of 'file' or 'env', not both",
    ],
  },
  {
    name: 'keys from the environment; AES-CBC with HMAC takes both keys',
    env: { IPSECGW_TEST_CBC: KEY_CBC.slice(0, 126) },
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes256-sha256
          in: { spi: 0x1000, key: { file: keys/cbc.hex } }
          out: { spi: 0x1001, key: { env: IPSECGW_TEST_CBC } }`,
    expect: [
      "10:37 environment variable IPSECGW_TEST_CBC has 126 hex digits; 'aes256-sha256' needs 128 (32-byte aes256 key + 32-byte sha256 key)",
    ],
  },
  {
    name: 'algorithms: unknown (at the token, quoted or not), unsupported by the datapath, not one suite',
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes256-sha265
          in: { spi: 0x1000, key: { file: keys/k1.hex } }
          out: { spi: 0x1001, key: { file: keys/k2.hex } }
        b:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.1.0.0/24]
          remote-ts: [10.3.0.0/24]
          esp: "aes128ctr-sha256"
          in: { spi: 0x1002, key: { file: keys/k3.hex } }
          out: { spi: 0x1003, key: { file: keys/k4.hex } }
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.1.0.0/24]
          remote-ts: [10.4.0.0/24]
          esp: aes128-aes256-sha256
          in: { spi: 0x1004, key: { file: keys/k5.hex } }
          out: { spi: 0x1005, key: { file: keys/k6.hex } }
        d:
          local: 192.0.2.1
          remote: 192.0.2.5
          local-ts: [10.1.0.0/24]
          remote-ts: [10.5.0.0/24]
          esp: camellia128-sha256
          ah: sha256
          in: { spi: 0x1006, key: { file: keys/k7.hex } }
          out: { spi: 0x1007, key: { file: keys/k8.hex } }`,
    expect: [
      "8:17 unknown algorithm 'sha265' in 'aes256-sha265'; did you mean 'sha256'?",
      "16:11 'aes128ctr': AES-CTR ESP (RFC 3686) is not wired into the datapath; use AES-GCM (the datapath can't run it)",
      "24:10 'esp': name exactly one encryption algorithm here, not 2 (aes128, aes256)",
      "33:5 manual SA 'd' takes 'esp' or 'ah', not both",
    ],
  },
  {
    name: 'SPIs: reserved values; one SPI twice for one direction and protocol',
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0, key: { file: keys/gcm.hex } }
          out: { spi: 0x1000, key: { file: keys/gcm-b.hex } }
        b:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.1.0.0/24]
          remote-ts: [10.3.0.0/24]
          esp: aes256-sha256
          in: { spi: 0x1000, key: { file: keys/cbc.hex } }
          out: { spi: 0x1000, key: "${hex(64, 9)}" }
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.1.0.0/24]
          remote-ts: [10.4.0.0/24]
          ah: sha256
          in: { spi: 0x1000, key: { file: keys/ah.hex } }
          out: { spi: 255, key: "${hex(32, 8)}" }`,
    expect: [
      "9:16 'spi' 0 is reserved (RFC 4303 §2.1: SPIs 0 and 1..255); use 256..0xffffffff",
      "18:17 SPI 0x1000 is already the outbound ESP SPI of manual SA 'a' (line 3)",
      "26:17 'spi' 255 is reserved",
    ],
  },
  {
    name: 'overlapping selectors between two manual SAs name both',
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24, 10.20.0.0/16]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }
        b:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.0.0.0/8]
          remote-ts: [10.20.5.0/24]
          esp: aes256-sha256
          in: { spi: 0x1002, key: { file: keys/cbc.hex } }
          out: { spi: 0x1003, key: "${hex(64, 9)}" }
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.1.0.0/24]
          remote-ts: [10.30.0.0/16]
          ah: sha256
          in: { spi: 0x1004, key: { file: keys/ah.hex } }
          out: { spi: 0x1005, key: "${hex(32, 8)}" }`,
    expect: [
      "11:3 manual SAs 'a' (line 3) and 'b' overlap: local-ts 10.1.0.0/24 and 10.0.0.0/8, remote-ts 10.20.0.0/16 and 10.20.5.0/24; a packet could match either",
    ],
  },
  {
    name: 'weak choices are warnings at the token; ESN twice must agree; AH is not UDP-encapsulated',
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: 3des-sha1
          in: { spi: 0x1000, key: "${hex(44, 1)}" }
          out: { spi: 0x1001, key: "${hex(44, 2)}" }
        b:
          local: 192.0.2.1
          remote: 192.0.2.3
          local-ts: [10.3.0.0/24]
          remote-ts: [10.4.0.0/24]
          esp: aes128gcm16-esn
          esn: false
          in: { spi: 0x1002, key: { file: keys/gcm.hex } }
          out: { spi: 0x1003, key: { file: keys/gcm-b.hex } }
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.5.0.0/24]
          remote-ts: [10.6.0.0/24]
          ah: sha256
          encap: udp
          ports: [4500]
          in: { spi: 0x1004, key: { file: keys/ah.hex } }
          out: { spi: 0x1005, key: "${hex(32, 8)}" }`,
    expect: [
      "8:10 warning: '3des': 3DES SHOULD NOT be used (RFC 8221, encryption table)",
      "17:10 'esn: false' contradicts 'esn' in 'esp'",
      "26:12 AH cannot be UDP-encapsulated: RFC 3948 covers ESP only",
      "27:12 'ports' is [source port, destination port]",
    ],
  },
  {
    name: 'transport mode: selectors default to the outer addresses; given ones must include them',
    yaml: yaml`
      ${GW}
      manual:
        host:
          local: 192.0.2.1
          remote: 192.0.2.2
          mode: transport
          remote-ts: [198.51.100.0/24]
          df: set
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }`,
    expect: [
      '7:17 remote-ts 198.51.100.0/24 does not include remote 192.0.2.2; in transport mode the selectors are the outer addresses',
      "8:5 warning: 'df' sets the outer header's DF bit in tunnel mode",
    ],
  },
  {
    name: "a manual SA's local address must be one we listen on; the MTU must carry IPv6",
    yaml: yaml`
      gateway: { name: gw, listen: [192.0.2.1], mtu: 1200 }
      manual:
        a:
          local: 192.0.2.7
          remote: 192.0.2.2
          local-ts: [2001:db8:1::/48]
          remote-ts: [2001:db8:2::/48]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }`,
    expect: [
      "1:48 'mtu' 1200 is too small for the IPv6 traffic selectors: IPv6 needs at least 1280 (RFC 8200 §5)",
      "4:12 local 192.0.2.7 is not one of gateway 'listen' (192.0.2.1)",
    ],
  },
  {
    name: 'connections: structure, proposals at the token, aggressive PSK, IKEv1-only settings, PFS',
    yaml: yaml`
      ${GW}
      connections:
        peer:
          version: 1
          mode: aggressive
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike:
            proposals: [aes256-sha256-modp1024, "aes128gcm16-prfsha256-x25519", aes256-shaa256-x25519]
            lifetime: { time: 8x, kilobytes: 1000 }
            dpd: { delay: 30s, action: restrat }
          children:
            lan:
              local-ts: [10.1.0.0/24]
              remote-ts: [10.2.0.0/24]
              proposals: "aes256-sha256, chacha20poly1305"
              pfs: modp2084
              start: trap
        roaming:
          mode: main
          local: { address: 192.0.2.1, auth: pubkey, cert: certs/gw.crt }
          remote: { address: "%any" }
          ike: { lifetime: { kilobytes: 10 } }
          children:
            any: { pfs: identities, start: start }`,
    expect: [
      '5:11 warning: aggressive mode with a PSK sends a hash an eavesdropper can attack offline',
      "10:33 warning: 'modp1024': D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)",
      "10:44 'aes128gcm16' can't protect an IKEv1 IKE SA",
      "10:82 unknown algorithm 'shaa256' in 'aes256-shaa256-x25519'; did you mean 'sha256'?",
      "11:25 'time' must be a duration like 30s, 10m, 8h or 1d (or plain seconds)",
      "12:34 'action' must be 'clear', 'hold' or 'restart', not 'restrat'; did you mean 'restart'?",
      "17:36 'chacha20poly1305' has no IKEv1 ESP transform ID",
      "18:14 'pfs' must be 'none', a D-H group such as 'x25519' or 'modp3072', or 'identities', not 'modp2084'; did you mean 'modp2048'?",
      "21:5 'mode' (main or aggressive) is IKEv1's phase 1; IKEv2 has neither",
      "22:34 'local' of connection 'roaming' authenticates with 'auth: pubkey' and needs 'key'",
      "23:5 'remote' of connection 'roaming' authenticates with 'auth: pubkey' (the default) and needs 'ca' (trust anchors)",
      "24:24 IKEv2 SAs have no kilobyte lifetime",
      "26:19 'pfs: identities' is IKEv1's PFS of identities (RFC 2409 §8); IKEv2 has no such mode",
      "26:38 'start: start' needs a peer to initiate to, but the remote address is 'any'; use 'start: none'",
    ],
  },
  {
    name: 'connections: PSK missing, unset, unused; names shared with manual SAs',
    yaml: yaml`
      ${GW}
      connections:
        a:
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.2.0.0/24 } }
        b:
          local: { auth: psk, address: 192.0.2.1 }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { env: IPSECGW_TEST_UNSET }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24 } }
        c:
          local: { auth: pubkey, cert: certs/gw.crt, key: certs/gw.key }
          remote: { address: 192.0.2.4, ca: [certs/ca.crt, certs/nope.crt] }
          psk: "not so secret"
      manual:
        c:
          local: 192.0.2.1
          remote: 192.0.2.4
          local-ts: [10.1.0.0/24]
          remote-ts: [10.4.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/gcm.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm-b.hex } }`,
    expect: [
      "3:3 connection 'a' authenticates with a PSK but has no 'psk'",
      '10:17 environment variable IPSECGW_TEST_UNSET (psk) is not set',
      "12:3 'c' is also the name of a manual SA (line 17); names must be unique",
      "12:3 warning: connection 'c' has no children: its IKE SA would carry no traffic",
      "14:54 'ca': 'certs/nope.crt' (",
      "15:5 warning: 'psk' is unused: neither end of connection 'c' has 'auth: psk'",
    ],
  },
  {
    name: 'a typo in a key source gets one error with a suggestion; YAML aliases are followed; the socket path must fit sun_path',
    yaml: yaml`
      gateway: { name: gw, listen: [192.0.2.1], socket: ${'/run/' + 'x'.repeat(110)} }
      manual:
        a:
          local: &me 192.0.2.1
          remote: 192.0.2.2
          local-ts: &lan [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { fiel: keys/k1.hex } }
          out: { spi: 0x1001, key: {} }
        b:
          local: *me
          remote: 192.0.2.3
          local-ts: *lan
          remote-ts: [10.3.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1002, key: { file: keys/k3.hex } }
          out: { spi: 0x1003, key: { file: keys/k4.hex } }`,
    expect: [
      '1:51 the control socket /run/xxx',
      "9:31 unknown key 'fiel' in 'key'; did you mean 'file'?",
      "10:30 'key' needs 'file' or 'env' (or the key itself, in hex)",
    ],
  },
  {
    name: 'YAML syntax errors are diagnostics too (and stop there)',
    yaml: yaml`
      gateway:
        name: gw
        name: gw2
        listen: [192.0.2.1]
        mtu: 1400 1500: x`,
    expect: ['3:3 YAML: Map keys must be unique', '5:8 YAML:'],
  },
  {
    name: 'an inline key makes the file a secret: a group-readable config gets a warning',
    mode: 0o644,
    yaml: yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: "${KEY_GCM}" }
          out: { spi: 0x1001, key: "${KEY_GCM_B}" }`,
    expect: ['9:29 warning: an inline key makes this file a secret, but it is accessible by group or others (mode 0644)'],
  },  {
    name: "single DES: an error at the token unless an IKEv1 connection says 'allow-weak: [des]'",
    yaml: yaml`
      ${GW}
      connections:
        legacy:
          version: 1
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike: { proposals: [aes128-sha1-modp2048, des-sha1-modp2048] }
          children:
            lan: { local-ts: 10.1.0.0/24, remote-ts: 10.2.0.0/24, proposals: [aes128-sha1, des-sha1] }
        v2:
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { file: secrets/legacy.psk }
          allow-weak: [des]
          ike: { proposals: [des-sha1-modp2048] }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24 } }
        md5:
          version: 1
          local: { auth: psk }
          remote: { address: 192.0.2.4, auth: psk }
          psk: { file: secrets/legacy.psk }
          allow-weak: [md5]
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.4.0.0/24 } }
      manual:
        m:
          local: 192.0.2.1
          remote: 192.0.2.5
          local-ts: [10.1.0.0/24]
          remote-ts: [10.5.0.0/24]
          esp: des-sha1
          in: { spi: 0x1000, key: "${hex(28, 7)}" }
          out: { spi: 0x1001, key: "${hex(28, 8)}" }`,
    expect: [
      "8:46 'des': single DES (56-bit key) MUST NOT be used (RFC 8247, encryption table); ipsecgw runs it only for an IKEv1 connection that opts in with 'allow-weak: [des]'",
      "10:86 'des': single DES (56-bit key) MUST NOT be used (RFC 8221, encryption table); ipsecgw runs it only",
      "15:5 'allow-weak' is for IKEv1 connections with legacy peers",
      "16:24 'des': single DES",
      "23:18 'allow-weak' must be 'des', not 'md5'",
      "31:10 'des': single DES (56-bit key) MUST NOT be used (RFC 8221, encryption table); ipsecgw runs it only",
    ],
  },
  {
    name: "single DES with 'allow-weak: [des]': warnings at the tokens; an unused opt-in",
    yaml: yaml`
      ${GW}
      connections:
        legacy:
          version: 1
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/legacy.psk }
          allow-weak: [des]
          ike: { proposals: [aes128-sha1-modp2048, des-sha1-modp2048] }
          children:
            lan: { local-ts: 10.1.0.0/24, remote-ts: 10.2.0.0/24, proposals: ["aes128-sha1, des-sha1"] }
        modern:
          version: 1
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { file: secrets/legacy.psk }
          allow-weak: des
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24 } }`,
    expect: [
      "9:46 warning: 'des': single DES (56-bit key) MUST NOT be used (RFC 8247, encryption table)",
      "11:87 warning: 'des': single DES (56-bit key) MUST NOT be used (RFC 8221, encryption table)",
      "17:5 warning: 'allow-weak' lists 'des', but no proposal of connection 'modern' names it; remove it",
    ],
  },
  // ---- The audit of issue 7: did you mean, weak choices, secret files, what our IKE runs ----
  {
    name: 'did you mean: a misspelt key at every level gets the closest known key',
    yaml: yaml`
      gateway: { name: gw, listen: [192.0.2.1], wrokers: 2 }
      manual:
        m:
          local: 192.0.2.1
          remote: 192.0.2.9
          local-ts: [10.1.0.0/24]
          remote-ts: [10.9.0.0/24]
          esp: aes128gcm16
          replay-windwo: 64
          in: { spi: 0x1000, key: { file: keys/k1.hex } }
          out: { spi: 0x1001, key: { file: keys/k2.hex }, sip: 1 }
      connections:
        c:
          verison: 2
          local: { auth: psk, adress: 192.0.2.1 }
          remote: { address: 192.0.2.2, auth: psk, idd: peer }
          psk: { flie: secrets/legacy.psk }
          ike:
            proposal: [aes256-sha256-x25519]
            lifetime: { tiem: 8h }
            dpd: { dealy: 30s }
          children:
            lan:
              local-ts: [10.1.0.0/24]
              remote_ts: [10.2.0.0/24]
              lifetime: { kilobyte: 10 }
      conections: {}`,
    expect: [
      "1:43 unknown key 'wrokers' in gateway; did you mean 'workers'?",
      "9:5 unknown key 'replay-windwo' in manual SA 'm'; did you mean 'replay-window'?",
      "11:53 unknown key 'sip' in 'out' of manual SA 'm'; did you mean 'spi'?",
      "14:5 unknown key 'verison' in connection 'c'; did you mean 'version'?",
      "15:25 unknown key 'adress' in 'local' of connection 'c'; did you mean 'address'?",
      "16:46 unknown key 'idd' in 'remote' of connection 'c'; did you mean 'id'?",
      "17:12 unknown key 'flie' in 'psk'; did you mean 'file'?",
      "19:7 unknown key 'proposal' in 'ike' of connection 'c'; did you mean 'proposals'?",
      "20:19 unknown key 'tiem' in 'ike' 'lifetime'; did you mean 'time'?",
      "21:14 unknown key 'dealy' in 'dpd'; did you mean 'delay'?",
      "25:9 unknown key 'remote_ts' in child 'lan'; did you mean 'remote-ts'?",
      "26:21 unknown key 'kilobyte' in 'lifetime' of child 'lan'; did you mean 'kilobytes'?",
      "27:1 unknown key 'conections' in the configuration; did you mean 'connections'?",
    ],
  },
  {
    name: 'did you mean: a misspelt value of every keyword setting',
    yaml: yaml`
      ${GW}
      manual:
        m:
          local: 192.0.2.1
          remote: 192.0.2.9
          local-ts: [10.1.0.0/24]
          remote-ts: [10.9.0.0/24]
          mode: tunel
          encap: upd
          df: cpy
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/k1.hex } }
          out: { spi: 0x1001, key: { file: keys/k2.hex } }
      connections:
        v1:
          version: 1
          mode: agressive
          allow-weak: [dse]
          local: { auth: pks }
          remote: { address: 192.0.2.2, auth: pubkye }
          ike: { dpd: { action: restat }, nat-traversal: froce }
          children:
            lan: { mode: transprot, protocol: eps, start: strat, pfs: x2519 }
        v3:
          version: 3
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { file: secrets/legacy.psk }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24 } }`,
    expect: [
      "8:11 'mode' must be 'tunnel' or 'transport', not 'tunel'; did you mean 'tunnel'?",
      "9:12 'encap' must be 'none' or 'udp', not 'upd'; did you mean 'udp'?",
      "10:9 'df' must be 'copy', 'set' or 'clear', not 'cpy'; did you mean 'copy'?",
      "17:11 'mode' must be 'main' or 'aggressive', not 'agressive'; did you mean 'aggressive'?",
      "18:18 'allow-weak' must be 'des', not 'dse'; did you mean 'des'?",
      "19:20 'auth' must be 'psk' or 'pubkey', not 'pks'; did you mean 'psk'?",
      "20:41 'auth' must be 'psk' or 'pubkey', not 'pubkye'; did you mean 'pubkey'?",
      "21:27 'action' must be 'clear', 'hold' or 'restart', not 'restat'; did you mean 'restart'?",
      "21:52 'nat-traversal' must be 'auto', 'force' or 'off', not 'froce'; did you mean 'force'?",
      "23:20 'mode' must be 'tunnel' or 'transport', not 'transprot'; did you mean 'transport'?",
      "23:41 'protocol' must be 'esp' or 'ah', not 'eps'; did you mean 'esp'?",
      "23:53 'start' must be 'trap', 'start' or 'none', not 'strat'; did you mean 'start'?",
      "23:65 'pfs' must be 'none', a D-H group such as 'x25519' or 'modp3072', or 'identities', not 'x2519'; did you mean 'x25519'?",
      "25:14 'version' must be 1 (IKEv1) or 2 (IKEv2), not 3",
    ],
  },
  {
    name: 'weak choices: DES, MD5 (integrity and PRF), MODP 768 / 1024 (groups 1, 2, 22), 3DES in IKE and ESP of both versions; aggressive with PSK',
    yaml: yaml`
      ${GW}
      connections:
        v1:
          version: 1
          mode: aggressive
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike: { proposals: [aes128-md5-modp768, 3des-sha1-modp1024, aes128-sha256-modp1024s160, des-sha1-modp2048] }
          children:
            lan:
              local-ts: 10.1.0.0/24
              remote-ts: 10.2.0.0/24
              proposals: [3des-sha1, aes128-sha1-modp1024, aes128-md5, des-sha1]
              pfs: none
            wan: { local-ts: 10.1.0.0/24, remote-ts: 10.5.0.0/24, pfs: modp1024s160 }
        v2:
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike: { proposals: [aes128-md5-modp768, aes128gcm16-prfmd5-modp1024, aes128-sha256-prfmd5-modp1024s160, des-sha256-x25519] }
          children:
            lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24, proposals: [3des-sha256, aes128-sha256-modp768] }
            wan: { local-ts: 10.1.0.0/24, remote-ts: 10.4.0.0/24, pfs: modp1024 }
        pubkey:
          version: 1
          mode: aggressive
          local: { auth: pubkey, cert: certs/gw.crt, key: certs/gw.key }
          remote: { address: 192.0.2.4, ca: certs/ca.crt }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.6.0.0/24 } }`,
    expect: [
      "5:11 warning: aggressive mode with a PSK sends a hash an eavesdropper can attack offline to recover the PSK; use main mode or",
      "9:31 warning: 'md5': HMAC-MD5-96 MUST NOT be used (RFC 8247, integrity table)",
      "9:35 warning: 'modp768': D-H group 1 (768-bit MODP) MUST NOT be used (RFC 8247, D-H table)",
      "9:44 warning: '3des': 3DES has a 64-bit block, unsafe after a few GB under one key; RFC 8247 keeps it (MAY) only for old peer",
      "9:54 warning: 'modp1024': D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)",
      "9:78 warning: 'modp1024s160': D-H group 22 (RFC 5114: 1024-bit MODP with a 160-bit prime-order subgroup) SHOULD NOT be used (",
      "9:92 'des': single DES (56-bit key) MUST NOT be used (RFC 8247, encryption table); ipsecgw runs it only for an IKEv1 connecti",
      "14:21 warning: '3des': 3DES SHOULD NOT be used (RFC 8221, encryption table): its 64-bit block is unsafe after a few GB under ",
      "14:44 warning: 'modp1024': D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)",
      "14:61 'md5': HMAC-MD5 is not implemented (RFC 8221 says MUST NOT); use sha256 (the datapath can't run it)",
      "14:66 'des': single DES (56-bit key) MUST NOT be used (RFC 8221, encryption table); ipsecgw runs it only for an IKEv1 connect",
      "16:66 warning: 'modp1024s160': D-H group 22 (RFC 5114: 1024-bit MODP with a 160-bit prime-order subgroup) SHOULD NOT be used ",
      "21:31 warning: 'md5': HMAC-MD5-96 MUST NOT be used (RFC 8247, integrity table)",
      "21:35 warning: 'modp768': D-H group 1 (768-bit MODP) MUST NOT be used (RFC 8247, D-H table)",
      "21:56 warning: 'prfmd5': PRF_HMAC_MD5 MUST NOT be used (RFC 8247, PRF table)",
      "21:63 warning: 'modp1024': D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)",
      "21:87 warning: 'prfmd5': PRF_HMAC_MD5 MUST NOT be used (RFC 8247, PRF table)",
      "21:94 warning: 'modp1024s160': D-H group 22 (RFC 5114: 1024-bit MODP with a 160-bit prime-order subgroup) SHOULD NOT be used ",
      "21:108 'des': single DES (56-bit key) MUST NOT be used (RFC 8247, encryption table); ipsecgw runs it only for an IKEv1 connec",
      "23:73 warning: '3des': 3DES SHOULD NOT be used (RFC 8221, encryption table): its 64-bit block is unsafe after a few GB under ",
      "23:100 warning: 'modp768': D-H group 1 (768-bit MODP) MUST NOT be used (RFC 8247, D-H table)",
      "24:66 warning: 'modp1024': D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)",
    ],
  },
  {
    name: 'secret files readable by group or others: manual key files, PSK files, private keys, an inline PSK',
    mode: 0o644,
    yaml: yaml`
      ${GW}
      manual:
        m:
          local: 192.0.2.1
          remote: 192.0.2.9
          local-ts: [10.1.0.0/24]
          remote-ts: [10.9.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/group.hex } }
          out: { spi: 0x1001, key: { file: keys/others.hex } }
      connections:
        psk:
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/open.psk }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.2.0.0/24 } }
        inline:
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: "not so secret"
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24 } }
        cert:
          local: { auth: pubkey, cert: certs/gw.crt, key: certs/open.key }
          remote: { address: 192.0.2.4, ca: [certs/ca.crt] }
          children: { lan: { local-ts: 10.1.0.0/24, remote-ts: 10.4.0.0/24 } }`,
    expect: [
      "9:37 warning: key file 'keys/group.hex' is accessible by group or others (mode 0640); chmod 600 DIR/keys/group.hex",
      "10:38 warning: key file 'keys/others.hex' is accessible by group or others (mode 0604); chmod 600 DIR/keys/others.hex",
      "15:18 warning: psk file 'secrets/open.psk' is accessible by group or others (mode 0644); chmod 600 DIR/secrets/open.psk",
      "20:10 warning: an inline psk makes this file a secret, but it is accessible by group or others (mode 0644); chmod 600 DIR/sit",
      "23:53 warning: private key file 'certs/open.key' is accessible by group or others (mode 0640); chmod 600 DIR/certs/open.key",
    ],
  },
  {
    name: "proposals are checked against what our IKE runs: D-H groups 25-30, IKEv2's SK ciphers, integrity and PRFs",
    yaml: yaml`
      ${GW}
      connections:
        v2:
          local: { auth: psk }
          remote: { address: 192.0.2.2, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike: { proposals: [aes128-sha256-ecp192, aes128ctr-sha256-x25519, aes128-aesxcbc-x25519, aes128-sha256-prfaescmac-ecp256bp] }
          children:
            lan: { local-ts: 10.1.0.0/24, remote-ts: 10.2.0.0/24, proposals: [aes128gcm16-ecp224], pfs: none }
            wan: { local-ts: 10.1.0.0/24, remote-ts: 10.3.0.0/24, pfs: ecp512bp }
        v1:
          version: 1
          local: { auth: psk }
          remote: { address: 192.0.2.3, auth: psk }
          psk: { file: secrets/legacy.psk }
          ike: { proposals: [aes128-sha256-ecp224, aes128ccm16-sha256-modp2048] }
          children:
            lan: { local-ts: 10.1.0.0/24, remote-ts: 10.4.0.0/24, pfs: ecp192 }`,
    expect: [
      "7:38 'ecp192': D-H group 25 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
      "7:46 'aes128ctr' can't protect an IKEv2 IKE SA here (not implemented for the SK payload); use 'aes256', 'aes256gcm16' or 'cha",
      "7:78 'aesxcbc' is not implemented for the IKE SA; use 'sha256' (or 'sha384', 'sha512')",
      "7:108 'prfaescmac' is not implemented; use 'prfsha256' (or 'prfsha384', 'prfsha512')",
      "7:119 'ecp256bp': D-H group 28 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
      "9:85 'ecp224': D-H group 26 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
      "10:66 'ecp512bp': D-H group 30 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
      "16:38 'ecp224': D-H group 26 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
      "16:46 'aes128ccm16' can't protect an IKEv1 IKE SA: phase 1 has values only for CBC ciphers (RFC 2409 Appendix A); use e.g. 'a",
      "16:58 warning: 'sha256' in 'aes128ccm16-sha256-modp2048' is not used for integrity: AEAD ciphers bring their own; it only sel",
      "18:66 'ecp192': D-H group 25 is not implemented by ipsecgw's IKE; use 'x25519', 'ecp256' or 'modp3072'",
    ],
  },
];

for (const c of CASES) {
  test(`config diagnostics: ${c.name}`, () => {
    const saved = Object.fromEntries(Object.keys(c.env ?? {}).map((k) => [k, process.env[k]]));
    Object.assign(process.env, c.env);
    delete process.env.IPSECGW_TEST_UNSET;
    const { dir, result } = load(c.yaml, c.mode);
    try {
      // The fixture directory changes every run: DIR stands for it.
      const got = result.diagnostics.map((d) => show(d).replaceAll(dir, 'DIR'));
      const message = `got:\n${got.join('\n')}`;
      assert.equal(got.length, c.expect.length, message);
      c.expect.forEach((want, i) => {
        const [pos, ...rest] = want.split(' ');
        const [gotPos, ...gotRest] = got[i].split(' ');
        assert.equal(gotPos, pos, `diagnostic ${i}: ${message}`);
        assert.ok(gotRest.join(' ').startsWith(rest.join(' ')), `diagnostic ${i}: want '${want}'\n${message}`);
      });
      // A Config only without errors.
      assert.equal(result.config === undefined, result.diagnostics.some((d) => d.severity === 'error'));
      // No key ever appears in a message, whichever way it was given.
      for (const d of result.diagnostics) {
        for (const secret of [KEY_GCM, KEY_GCM_B, KEY_CBC, KEY_SHA256, 'correct horse', 'not so secret']) {
          assert.ok(!d.message.includes(secret) && !d.message.includes(secret.slice(0, 16)), `a secret in: ${d.message}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
}

test('formatDiagnostic: FILE:LINE:COL: message, and warning: for warnings', () => {
  assert.equal(formatDiagnostic({ file: 'a.yaml', line: 3, col: 7, severity: 'error', message: 'bad' }), 'a.yaml:3:7: bad');
  assert.equal(formatDiagnostic({ file: 'a.yaml', line: 3, col: 7, severity: 'warning', message: 'weak' }), 'a.yaml:3:7: warning: weak');
});

test('a missing file is one diagnostic, not an exception', () => {
  const r = loadConfig('/nonexistent/ipsecgw.yaml');
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['/nonexistent/ipsecgw.yaml:1:1: no such file']);
  assert.equal(r.config, undefined);
});

// ---- A full configuration → the typed Config ----------------------------------------------------

const FULL = yaml`
  gateway:
    name: site-a
    tun: ipsec0
    listen: [192.0.2.1, 2001:db8::1]
    mtu: 1400
    workers: 2
    socket: run/site-a.sock
  connections:
    site-b:
      version: 2
      local: { address: 192.0.2.1, id: site-a.example, auth: pubkey, cert: certs/gw.crt, key: certs/gw.key }
      remote: { address: 192.0.2.2, id: site-b.example, auth: pubkey, ca: certs/ca.crt }
      ike:
        proposals: [aes256-sha256-x25519, "aes128gcm16-prfsha256-ecp256"]
        lifetime: { time: 8h }
        dpd: { delay: 30s, action: restart }
        nat-traversal: auto
      children:
        lan:
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          mode: tunnel
          protocol: esp
          proposals: [aes128gcm16, aes256-sha256]
          pfs: x25519
          lifetime: { time: 1h, kilobytes: 4000000 }
          start: trap
    legacy:
      version: 1
      local: { auth: psk }
      remote: { address: 198.51.100.7, auth: psk }
      psk: { file: secrets/legacy.psk }
      ike: { proposals: [aes256-sha256-modp3072] }
      children:
        office: { local-ts: 10.1.0.0/24, remote-ts: 10.7.0.0/16, pfs: modp3072, proposals: aes256-sha256 }
  manual:
    lab-link:
      local: 192.0.2.1
      remote: 192.0.2.9
      local-ts: [10.1.0.0/24, 2001:db8:1::/48]
      remote-ts: [10.9.0.0/24, 2001:db8:9::/48]
      mode: tunnel
      encap: udp
      ports: [4500, 4501]
      esp: aes128gcm16
      esn: true
      replay-window: 256
      df: clear
      in:  { spi: 0xc0010001, key: { file: keys/gcm.hex } }
      out: { spi: 0xc0010002, key: { env: IPSECGW_TEST_OUT_KEY } }
    host:
      local: 192.0.2.1
      remote: 192.0.2.10
      mode: transport
      ah: sha256
      in:  { spi: 4097, key: "${KEY_SHA256_B}" }
      out: { spi: "0x1002", key: { file: keys/ah.hex } }
`;

const proposals = (kind: ProposalKind, ...texts: string[]): Proposal[] => texts.map((t) => {
  const r = parseProposal(t, kind);
  assert.ok(r.ok, t);
  return r.proposal;
});
const suite = (text: string): EspSuite => {
  const r = parseProposal(text, 'esp');
  assert.ok(r.ok);
  const s = espSuite(r.proposal);
  assert.ok(!('message' in s));
  return s;
};
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

test('a full configuration loads into the typed, normalized Config', () => {
  process.env.IPSECGW_TEST_OUT_KEY = KEY_GCM_B;
  const { dir, result } = load(FULL);
  try {
    assert.deepEqual(result.diagnostics.map(show), []);
    const sha256 = proposals('ah', 'sha256')[0].integ[0];
    const expected: Config = {
      file: join(dir, 'site.yaml'),
      gateway: {
        name: 'site-a', tun: 'ipsec0', listen: [parseAddress('192.0.2.1'), parseAddress('2001:db8::1')],
        mtu: 1400, workers: 2, socket: join(dir, 'run/site-a.sock'),
      },
      connections: [
        {
          name: 'site-b', version: 2,
          local: { address: parseAddress('192.0.2.1'), id: 'site-a.example', auth: 'pubkey', cert: join(dir, 'certs/gw.crt'), key: join(dir, 'certs/gw.key') },
          remote: { address: parseAddress('192.0.2.2'), id: 'site-b.example', auth: 'pubkey', ca: [join(dir, 'certs/ca.crt')] },
          ike: {
            proposals: proposals('ike', 'aes256-sha256-x25519', 'aes128gcm16-prfsha256-ecp256'),
            lifetime: { time: 8 * 3600 }, dpd: { delay: 30, action: 'restart' }, natTraversal: 'auto',
          },
          children: [{
            name: 'lan', localTs: [parsePrefix('10.1.0.0/24')], remoteTs: [parsePrefix('10.2.0.0/24')], mode: 'tunnel', protocol: 'esp',
            proposals: proposals('esp', 'aes128gcm16', 'aes256-sha256'), pfs: KEYWORDS.get('x25519') as DhTransform,
            lifetime: { time: 3600, kilobytes: 4000000 }, start: 'trap',
          }],
        },
        {
          name: 'legacy', version: 1, mode: 'main',
          local: { auth: 'psk' },
          remote: { address: parseAddress('198.51.100.7'), auth: 'psk', ca: [] },
          psk: new Uint8Array(Buffer.from('correct horse battery staple')),
          ike: { proposals: proposals('ike', 'aes256-sha256-modp3072'), lifetime: { time: 4 * 3600 }, natTraversal: 'auto' },
          children: [{
            name: 'office', localTs: [parsePrefix('10.1.0.0/24')], remoteTs: [parsePrefix('10.7.0.0/16')], mode: 'tunnel', protocol: 'esp',
            proposals: proposals('esp', 'aes256-sha256'), pfs: KEYWORDS.get('modp3072') as DhTransform, lifetime: { time: 3600 }, start: 'none',
          }],
        },
      ],
      manual: [
        {
          name: 'lab-link', local: parseAddress('192.0.2.1'), remote: parseAddress('192.0.2.9'),
          localTs: [parsePrefix('10.1.0.0/24'), parsePrefix('2001:db8:1::/48')],
          remoteTs: [parsePrefix('10.9.0.0/24'), parsePrefix('2001:db8:9::/48')],
          mode: 'tunnel', protocol: 'esp', suite: { ...suite('aes128gcm16'), esn: true },
          encap: { sport: 4500, dport: 4501 }, replayWindow: 256, df: 'clear',
          in: { spi: 0xc0010001, key: bytes(KEY_GCM) }, out: { spi: 0xc0010002, key: bytes(KEY_GCM_B) },
        },
        {
          name: 'host', local: parseAddress('192.0.2.1'), remote: parseAddress('192.0.2.10'),
          localTs: [parsePrefix('192.0.2.1/32')], remoteTs: [parsePrefix('192.0.2.10/32')],
          mode: 'transport', protocol: 'ah', suite: { encr: encrNull, integ: sha256, esn: false },
          replayWindow: 1024, df: 'copy',
          in: { spi: 0x1001, key: bytes(KEY_SHA256_B) }, out: { spi: 0x1002, key: bytes(KEY_SHA256) },
        },
      ],
    };
    assert.deepEqual(result.config, expected);
  } finally {
    delete process.env.IPSECGW_TEST_OUT_KEY;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('defaults: tun, mtu, workers, socket; proposals and lifetimes when left out', () => {
  const { dir, result } = load(yaml`
    gateway: { name: gw, listen: 192.0.2.1 }
    connections:
      c:
        local: { auth: psk }
        remote: { address: 192.0.2.2, auth: psk }
        psk: { file: secrets/legacy.psk }
        ike: { proposals: [default] }
        children: { lan: {} }`);
  try {
    assert.deepEqual(result.diagnostics.map(show), []);
    const c = result.config!;
    assert.equal(c.gateway.tun, 'ipsec0');
    assert.equal(c.gateway.mtu, 1400);
    assert.ok(c.gateway.workers >= 1);
    assert.equal(c.gateway.socket, '/run/ipsecgw/gw.sock');
    const conn = c.connections[0];
    assert.equal(conn.version, 2);
    assert.equal(conn.mode, undefined);
    assert.equal(conn.ike.proposals.length, 2);
    assert.equal(conn.ike.lifetime.time, 4 * 3600);
    assert.equal(conn.ike.dpd, undefined);
    assert.deepEqual(conn.children.map((ch) => [ch.localTs, ch.remoteTs, ch.mode, ch.protocol, ch.pfs, ch.start, ch.lifetime.time, ch.proposals.length]),
      [['dynamic', 'dynamic', 'tunnel', 'esp', 'none', 'none', 3600, 2]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- ipsecgw check ------------------------------------------------------------------------------

function check(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'check', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ipsecgw check: ok with warnings → exit 0; errors → every diagnostic in file order, exit 1; --json; --help', () => {
  const dir = fixtureDir();
  try {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, yaml`
      ${GW}
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.0/24]
          esp: aes128gcm16
          in: { spi: 0x1000, key: { file: keys/open.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm.hex } }`);
    const ok = check('-c', good);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(ok.stdout.trimEnd().split('\n'), [
      `${good}:9:37: warning: key file 'keys/open.hex' is accessible by group or others (mode 0644); chmod 600 ${join(dir, 'keys/open.hex')}`,
      `${good}: ok (1 warning)`,
    ]);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, yaml`
      gateway: { name: gw, listen: [192.0.2.1], mtu: 9 }
      manual:
        a:
          local: 192.0.2.1
          remote: 192.0.2.2
          local-ts: [10.1.0.0/24]
          remote-ts: [10.2.0.7/24]
          esp: 3des-sha1
          in: { spi: 0x1000, key: { file: keys/open.hex } }
          out: { spi: 0x1001, key: { file: keys/gcm.hex } }`);
    const failed = check('-c', bad);
    assert.equal(failed.status, 1);
    const lines = failed.stdout.trimEnd().split('\n');
    // File order, errors and warnings together; at one position the error first.
    assert.deepEqual(lines.map((l) => l.replace(/^(\S+?:\d+:\d+: (warning: )?).*/, '$1')), [
      `${bad}:1:48: `, // mtu 9
      `${bad}:7:17: warning: `, // host bits
      `${bad}:8:10: warning: `, // 3des
      `${bad}:9:37: `, // 40 hex digits where 3des-sha1 needs 88
      `${bad}:9:37: warning: `, // mode 0644
      `${bad}:10:38: `, // same for the out key
      `${bad}: 3 errors (3 warnings)`,
    ]);
    assert.ok(!failed.stdout.includes(': ok'));

    const json = check('-c', bad, '--json');
    assert.equal(json.status, 1);
    assert.deepEqual(JSON.parse(json.stdout), loadConfig(bad).diagnostics);

    const help = spawnSync(process.execPath, [cli, 'check', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /-c, --config/);
    assert.match(help.stdout, /--json/);

    const missing = check();
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /config/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- config/site-a.yaml and config/site-b.yaml ----------------------------------------------------

test('config/site-a.yaml and site-b.yaml load without a diagnostic and mirror each other', () => {
  // Git keeps no 0600 modes, so the key files are checked out readable by all (a warning, by
  // design): copy the examples and make their keys private, as an installation would.
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-sites-'));
  try {
    for (const f of ['site-a.yaml', 'site-b.yaml', 'keys']) cpSync(join(repo, 'config', f), join(dir, f), { recursive: true });
    for (const k of readdirSync(join(dir, 'keys'))) chmodSync(join(dir, 'keys', k), 0o600);
    const a = loadConfig(join(dir, 'site-a.yaml')), b = loadConfig(join(dir, 'site-b.yaml'));
    assert.deepEqual(a.diagnostics.map(show), []);
    assert.deepEqual(b.diagnostics.map(show), []);
    const [sa, sb] = [a.config!.manual[0], b.config!.manual[0]];
    assert.deepEqual([sa.local, sa.remote], [sb.remote, sb.local]);
    assert.deepEqual([sa.localTs, sa.remoteTs], [sb.remoteTs, sb.localTs]);
    assert.deepEqual(sa.out, sb.in);
    assert.deepEqual(sa.in, sb.out);
    assert.deepEqual(sa.suite, sb.suite);
    assert.equal(sa.suite.encr.family, 'aes-gcm');
    assert.notDeepEqual(sa.in.key, sa.out.key);

    // As checked out (keys readable by all): warnings only, and `ipsecgw check` passes.
    for (const site of ['site-a.yaml', 'site-b.yaml']) {
      const r = loadConfig(join(repo, 'config', site));
      assert.ok(r.diagnostics.every((d) => d.severity === 'warning' && /accessible by group or others/.test(d.message)), site);
      assert.equal(check('-c', join(repo, 'config', site)).status, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
