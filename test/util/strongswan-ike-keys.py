#!/usr/bin/env python3
"""Turns charon debug logs (ike/chd 4, enc 4) into test/vectors/ikev{1,2}-keys.ts.

usage: strongswan-ike-keys.py WORKDIR "strongSwan version" PSK 1|2 TAG|IKE|ESP...
Called by strongswan-ike-keys.sh, which leaves WORKDIR/TAG/A.log (the initiator's log) per case.
The log lines used: "NAME => N bytes @ 0x..." followed by hex dump lines (chunks charon prints with
%B), "generating X payload finished" / "generated data for this payload" (our payloads), "parsing X
payload, N bytes left" / "parsing payload from" (the peer's), and the message summaries.
"""
import re, sys

LINE = re.compile(r'^\S+ (\d+)\[(\w+)\] (.*)$')
CHUNK = re.compile(r'^(.*?)\s*=> (\d+) bytes @ 0x[0-9a-f]+$')
DUMP = re.compile(r'^\s*(\d+): (.*)$')

def events(path):
    """Yields (kind, name, bytes) in file order: chunks, generated and parsed payloads, message lines."""
    lines = [LINE.match(l.rstrip('\n')) for l in open(path, errors='replace')]
    lines = [m.groups() for m in lines if m]
    out, i = [], 0
    ctx_gen, ctx_parse = None, None
    while i < len(lines):
        _thread, _subsystem, text = lines[i]
        m = CHUNK.match(text)
        if m:
            name, n = m.group(1).strip(), int(m.group(2))
            data, j = bytearray(), i + 1
            while len(data) < n and j < len(lines):
                d = DUMP.match(lines[j][2])
                if not d or int(d.group(1)) != len(data):
                    break
                hexpart = d.group(2)[:48]
                data += bytes.fromhex(''.join(hexpart.split()))
                j += 1
            assert len(data) == n, (path, i, text)
            if name == 'generated data for this payload' and ctx_gen:
                out.append(('gen', ctx_gen, bytes(data)))
                ctx_gen = None
            elif name == 'parsing payload from' and ctx_parse:
                ln = int.from_bytes(data[2:4], 'big') if ctx_parse != 'HEADER' else 28
                out.append(('parse', ctx_parse, bytes(data[:ln])))
                ctx_parse = None
            elif name:
                out.append(('chunk', name, bytes(data)))
            i = j
            continue
        m = re.match(r'^generating (\S+) payload finished$', text)
        if m:
            ctx_gen = m.group(1)
        m = re.match(r'^parsing (\S+) payload, \d+ bytes left$', text)
        if m:
            ctx_parse = m.group(1)
        m = re.match(r'^(generating|parsed) (\S+) (request|response) (\d+) \[(.*)\]$', text)
        if m:
            out.append(('msg', f'{m.group(1)} {m.group(2)} {m.group(3)}', (int(m.group(4)), m.group(5).strip())))
        m = re.match(r'^(encrypting|decrypting) payloads:$', text)
        if m:
            out.append(('crypt', m.group(1), b''))
        i += 1
    return out

def find(ev, kind, name, start=0, nth=0):
    for k in range(start, len(ev)):
        if ev[k][0] == kind and ev[k][1] == name:
            if nth == 0:
                return k
            nth -= 1
    raise KeyError((kind, name, start))

def val(ev, kind, name, start=0, nth=0):
    return ev[find(ev, kind, name, start, nth)][2]

def opt(ev, kind, name, start, limit):
    """A chunk that AEADs leave out (integrity keys): empty unless it comes before index limit."""
    try:
        k = find(ev, kind, name, start)
    except KeyError:
        return b''
    return ev[k][2] if k < limit else b''

def nxt(ev, start, names):
    """Index of the first of these chunks after start (len(ev) if none): the end of one derivation."""
    ks = [k for k in range(start + 1, len(ev)) if ev[k][0] == 'chunk' and ev[k][1] in names]
    return ks[0] if ks else len(ev)

def walk(first, plain):
    """The payload chain of an IKE message body: [(type, payload bytes)], and its length (padding excluded)."""
    out, off, t = [], 0, first
    while t != 0:
        nxt, ln = plain[off], int.from_bytes(plain[off + 2:off + 4], 'big')
        out.append((t, plain[off:off + ln]))
        off += ln
        t = nxt
    return out, off

def crypt_after(ev, k, what):
    """The encryption record after index k: {iv, plain, padding, encrypted}."""
    k = find(ev, 'crypt', what, k)
    r = {}
    for name in (['IV', 'plain', 'padding', 'encrypted'] if what == 'encrypting' else ['encrypted', 'plain']):
        r[name] = val(ev, 'chunk', name, k)
    return r, k

def v1(d):
    ev = events(f'{d}/A.log')
    r = {}
    k = find(ev, 'chunk', 'shared Diffie Hellman secret')
    r['g_xy'] = val(ev, 'chunk', 'shared Diffie Hellman secret')
    for n in ['SKEYID', 'SKEYID_d', 'SKEYID_a', 'SKEYID_e']:
        r[n] = val(ev, 'chunk', n, k)
    r['Ka'] = val(ev, 'chunk', 'encryption key Ka', k)
    r['IV'] = val(ev, 'chunk', 'initial IV', k)
    # Main mode: the initiator's KE/Nonce generated, the responder's parsed.
    g_xi = val(ev, 'gen', 'KEY_EXCHANGE_V1')[4:]
    g_xr = val(ev, 'parse', 'KEY_EXCHANGE_V1')[4:]
    r['Ni_b'] = val(ev, 'gen', 'NONCE_V1')[4:]
    r['Nr_b'] = val(ev, 'parse', 'NONCE_V1')[4:]
    r['g_xi'], r['g_xr'] = g_xi, g_xr
    hi = val(ev, 'chunk', 'HASH_I data')
    hr = val(ev, 'chunk', 'HASH_R data')
    ke = len(g_xi)
    assert hi[:ke] == g_xi and hi[ke:2 * ke] == g_xr and hr[:ke] == g_xr
    r['CKY_I'], r['CKY_R'] = hi[2 * ke:2 * ke + 8], hi[2 * ke + 8:2 * ke + 16]
    r['IDii_b'] = val(ev, 'gen', 'ID_V1')[4:]
    r['IDir_b'] = val(ev, 'parse', 'ID_V1')[4:]
    r['SAi_b'] = hi[2 * ke + 16:len(hi) - len(r['IDii_b'])]
    assert hr == g_xr + g_xi + r['CKY_R'] + r['CKY_I'] + r['SAi_b'] + r['IDir_b']
    r['HASH_I'] = val(ev, 'chunk', 'HASH_I')
    r['HASH_R'] = val(ev, 'chunk', 'HASH_R')
    # MM5 (our first encrypted message) and MM6 (the responder's last phase-1 message).
    mm5, k5 = crypt_after(ev, k, 'encrypting')
    assert mm5['IV'] == r['IV']
    r['mm5'] = mm5
    mm6, k6 = crypt_after(ev, k5, 'decrypting')
    r['mm6'] = mm6
    # Quick mode.
    kq = find(ev, 'msg', 'generating QUICK_MODE request')
    mid = ev[kq][2][0]
    q = {'mid': mid}
    q['IV'] = val(ev, 'chunk', f'next IV for MID {mid}', k6)
    qm1, kq1 = crypt_after(ev, kq, 'encrypting')
    assert qm1['IV'] == q['IV']
    q['qm1'] = qm1
    q['Hash1'] = val(ev, 'chunk', 'Hash(1)', k6)
    qm2, _ = crypt_after(ev, kq1, 'decrypting')
    q['qm2'] = qm2
    q['Hash2'] = val(ev, 'chunk', 'Hash(2)', kq1)
    q['Hash3'] = val(ev, 'chunk', 'Hash(3)', kq1)
    pl, _ = walk(8, qm1['plain'])
    q['Ni_b'] = next(p for t, p in pl if t == 10)[4:]
    kes = [p[4:] for t, p in pl if t == 4]
    pl2, n2 = walk(8, qm2['plain'])
    q['Nr_b'] = next(p for t, p in pl2 if t == 10)[4:]
    q['qm2_len'] = n2
    try:
        q['g_qm_xy'] = val(ev, 'chunk', 'DH secret', kq1)
    except KeyError:
        q['g_qm_xy'] = b''
    si = val(ev, 'chunk', 'initiator SA seed', kq1)
    sr = val(ev, 'chunk', 'responder SA seed', kq1)
    n = len(q['g_qm_xy'])
    q['protocol'] = si[n]
    # strongSwan's 'initiator SA' (initiator -> responder) carries the SPI the responder chose.
    q['SPIr'] = si[n + 1:n + 5]
    q['SPIi'] = sr[n + 1:n + 5]
    assert si[n + 5:] == q['Ni_b'] + q['Nr_b'] and si[:n] == q['g_qm_xy']
    for side in ['initiator', 'responder']:
        e = val(ev, 'chunk', f'encryption {side} key', kq1)
        q[f'encr_{side}'], q[f'integ_{side}'] = e, opt(ev, 'chunk', f'integrity {side} key', kq1, nxt(ev, find(ev, 'chunk', 'responder SA seed', kq1), ('initiator SA seed', 'shared Diffie Hellman secret')))
    r['quick'] = q
    # Informational (the Delete sent on terminate).
    ki = find(ev, 'msg', 'generating INFORMATIONAL_V1 request')
    mid = ev[ki][2][0]
    inf = {'mid': mid}
    inf['IV'] = val(ev, 'chunk', f'next IV for MID {mid}', kq1)
    inf['hash'] = val(ev, 'chunk', 'Hash', kq1)
    enc, _ = crypt_after(ev, ki, 'encrypting')
    assert enc['IV'] == inf['IV']
    inf['enc'] = enc
    r['info'] = inf
    return r

def v2(d):
    ev = events(f'{d}/A.log')
    r = {}
    k = find(ev, 'chunk', 'shared Diffie Hellman secret')
    r['g_ir'] = val(ev, 'chunk', 'shared Diffie Hellman secret')
    r['Ni'] = val(ev, 'gen', 'NONCE')[4:]
    r['Nr'] = val(ev, 'parse', 'NONCE')[4:]
    # natd_chunk after the response: SPIi | SPIr | address | port
    nat = val(ev, 'chunk', 'natd_chunk', find(ev, 'msg', 'parsed IKE_SA_INIT response'))
    r['SPIi'], r['SPIr'] = nat[:8], nat[8:16]
    r['SKEYSEED'] = val(ev, 'chunk', 'SKEYSEED', k)
    for n in ['d', 'ai', 'ar', 'ei', 'er', 'pi', 'pr']:
        r[f'SK_{n}'] = opt(ev, 'chunk', f'Sk_{n} secret', k, find(ev, 'chunk', 'Sk_pr secret', k) + 1)
    # IKE_AUTH with PSK (RFC 7296 §2.15): our AUTH
    r['auth'] = {
        'IDx_': val(ev, 'chunk', "IDx'", k), 'octets': val(ev, 'chunk', 'octets = message + nonce + prf(Sk_px, IDx\')', k),
        'prf_secret_keypad': val(ev, 'chunk', 'prf(secret, keypad)', k),
        'AUTH': val(ev, 'chunk', 'AUTH = prf(prf(secret, keypad), octets)', k),
    }
    # first CHILD_SA: seed = Ni | Nr
    kc = find(ev, 'chunk', 'seed', k)
    c = {'seed': val(ev, 'chunk', 'seed', k)}
    assert c['seed'] == r['Ni'] + r['Nr']
    for side in ['initiator', 'responder']:
        c[f'encr_{side}'] = val(ev, 'chunk', f'encryption {side} key', kc)
        c[f'integ_{side}'] = opt(ev, 'chunk', f'integrity {side} key', kc, nxt(ev, kc, ('seed', 'SKEYSEED', 'DH secret', 'shared Diffie Hellman secret')))
    r['child'] = c
    # CHILD_SA rekey with PFS
    kr = find(ev, 'msg', 'generating CREATE_CHILD_SA request')
    c = {}
    c['Ni'] = val(ev, 'gen', 'NONCE', kr)[4:]
    c['Nr'] = val(ev, 'parse', 'NONCE', kr)[4:]
    c['g_ir'] = val(ev, 'chunk', 'DH secret', kr)
    kc = find(ev, 'chunk', 'seed', kr)
    c['seed'] = val(ev, 'chunk', 'seed', kr)
    assert c['seed'] == c['g_ir'] + c['Ni'] + c['Nr']
    for side in ['initiator', 'responder']:
        c[f'encr_{side}'] = val(ev, 'chunk', f'encryption {side} key', kc)
        c[f'integ_{side}'] = opt(ev, 'chunk', f'integrity {side} key', kc, nxt(ev, kc, ('seed', 'SKEYSEED', 'DH secret', 'shared Diffie Hellman secret')))
    r['rekeyChild'] = c
    # IKE_SA rekey
    kr = find(ev, 'msg', 'generating CREATE_CHILD_SA request', kc)
    x = {}
    x['Ni'] = val(ev, 'gen', 'NONCE', kr)[4:]
    x['Nr'] = val(ev, 'parse', 'NONCE', kr)[4:]
    # The new SPIs travel in the proposals: the initiator's in its SA payload, the responder's in its reply.
    x['SPIi'] = val(ev, 'gen', 'PROPOSAL_SUBSTRUCTURE', kr)[8:16]
    x['SPIr'] = val(ev, 'parse', 'PROPOSAL_SUBSTRUCTURE', kr)[8:16]
    k2 = find(ev, 'chunk', 'shared Diffie Hellman secret', kr)
    x['g_ir'] = val(ev, 'chunk', 'shared Diffie Hellman secret', kr)
    x['SKEYSEED'] = val(ev, 'chunk', 'SKEYSEED', k2)
    for n in ['d', 'ai', 'ar', 'ei', 'er', 'pi', 'pr']:
        x[f'SK_{n}'] = opt(ev, 'chunk', f'Sk_{n} secret', k2, find(ev, 'chunk', 'Sk_pr secret', k2) + 1)
    r['rekeyIke'] = x
    return r


# What the proposals name, as the tests need it (RFC 2409 Appendix A values for IKEv1 phase 1).
HASH = {'md5': 'md5', 'sha1': 'sha1', 'sha256': 'sha256', 'sha384': 'sha384', 'sha512': 'sha512'}
PRF = {'prfsha384': 'sha384'}
GROUP = {'modp1024': 2, 'modp1536': 5, 'modp2048': 14, 'ecp256': 19, 'ecp384': 20, 'ecp521': 21, 'curve25519': 31, 'curve448': 32}
ENCR_V1 = {'aes128': (7, 128), 'aes192': (7, 192), 'aes256': (7, 256), '3des': (5, None)}

def describe(ike):
    parts = ike.split('-')
    d = {}
    for x in parts:
        if x in ENCR_V1:
            d['encr'] = x
        elif x.startswith('aes') and 'gcm' in x:
            d['encr'] = x
        elif x in HASH:
            d['hash'] = HASH[x]
        elif x in PRF:
            d['hash'] = PRF[x]
        elif x in GROUP:
            d['group'] = GROUP[x]
        else:
            raise ValueError(x)
    return d

def ts(o, ind='  '):
    """TypeScript literal: bytes as hex strings, split into lines of 64 digits."""
    if isinstance(o, (bytes, bytearray)):
        h = o.hex()
        if len(h) <= 64:
            return f"'{h}'"
        chunks = [h[i:i + 64] for i in range(0, len(h), 64)]
        return '\n' + ind + '  ' + (' +\n' + ind + '  ').join(f"'{c}'" for c in chunks)
    if isinstance(o, bool):
        return 'true' if o else 'false'
    if isinstance(o, (int,)):
        return str(o)
    if isinstance(o, str):
        return "'" + o.replace('\\', '\\\\').replace("'", "\\'") + "'"
    if o is None:
        return 'undefined'
    if isinstance(o, dict):
        inner = ind + '  '
        def field(k, v):
            t = ts(v, inner)
            return f'{inner}{k}:{t},\n' if t.startswith('\n') else f'{inner}{k}: {t},\n'
        return '{\n' + ''.join(field(k, v) for k, v in o.items()) + ind + '}'
    raise TypeError(type(o))

IFACES = {'1': '''
/** One CBC encryption of a message body by charon: the IV, the payloads, the padding it added, the result. */
export interface Encrypted {
  IV: string;
  plain: string;
  padding: string;
  encrypted: string;
}

export interface Ikev1KeyCase {
  name: string;
  /** strongSwan proposals: phase 1 and phase 2. */
  ike: string;
  esp: string;
  /** The pre-shared key, as text. */
  psk: string;
  /** Phase-1 cipher keyword (aes128, 3des, ...), its hash (whose HMAC is the PRF) and D-H group. */
  encr: string;
  hash: HashName;
  group: number;
  // Main Mode inputs: cookies, nonce and KE payload bodies, SA and ID payload bodies.
  CKY_I: string;
  CKY_R: string;
  Ni_b: string;
  Nr_b: string;
  g_xi: string;
  g_xr: string;
  g_xy: string;
  SAi_b: string;
  IDii_b: string;
  IDir_b: string;
  // RFC 2409 §5 and Appendix B.
  SKEYID: string;
  SKEYID_d: string;
  SKEYID_a: string;
  SKEYID_e: string;
  Ka: string;
  /** The initial phase-1 IV, hash(g^xi | g^xr) truncated to the block. */
  IV: string;
  HASH_I: string;
  HASH_R: string;
  /** Main Mode message 5 as the initiator encrypted it (its IV is the initial IV). */
  mm5: Encrypted;
  /** Main Mode message 6 as received, and decrypted (padding included). */
  mm6: { encrypted: string; plain: string };
  quick: {
    /** Message ID. */
    mid: number;
    /** The first phase-2 IV for this M-ID: hash(last phase-1 CBC block | M-ID). */
    IV: string;
    qm1: Encrypted;
    qm2: { encrypted: string; plain: string };
    /** Bytes of qm2.plain that are payloads (the rest is padding). */
    qm2_len: number;
    Hash1: string;
    Hash2: string;
    Hash3: string;
    Ni_b: string;
    Nr_b: string;
    /** g(qm)^xy of the PFS exchange ('' without PFS). */
    g_qm_xy: string;
    /** Protocol ID (3 = ESP) and the SPIs the initiator and the responder chose. */
    protocol: number;
    SPIi: string;
    SPIr: string;
    /** Keys of the initiator-to-responder SA (SPIr) and the responder-to-initiator SA (SPIi); integrity '' for AEADs. */
    encr_initiator: string;
    integ_initiator: string;
    encr_responder: string;
    integ_responder: string;
  };
  /** The Informational exchange (Delete) sent on terminate. */
  info: { mid: number; IV: string; hash: string; enc: Encrypted };
}
''', '2': '''
export interface ChildKeys {
  encr_initiator: string;
  /** '' for AEADs. */
  integ_initiator: string;
  encr_responder: string;
  integ_responder: string;
}

export interface SkKeys {
  SKEYSEED: string;
  SK_d: string;
  /** '' for AEADs. */
  SK_ai: string;
  SK_ar: string;
  /** For AEADs including the salt (RFC 5282 §7.1). */
  SK_ei: string;
  SK_er: string;
  SK_pi: string;
  SK_pr: string;
}

export interface Ikev2KeyCase extends SkKeys {
  name: string;
  /** strongSwan proposals for the IKE SA and the CHILD_SA. */
  ike: string;
  esp: string;
  psk: string;
  encr: string;
  /** The PRF's hash. */
  hash: HashName;
  group: number;
  // IKE_SA_INIT.
  SPIi: string;
  SPIr: string;
  Ni: string;
  Nr: string;
  g_ir: string;
  /** The initiator's AUTH (RFC 7296 §2.15): IDi' (the ID payload body), the signed octets, prf(Shared Secret, "Key Pad for IKEv2"), AUTH. */
  auth: { IDx_: string; octets: string; prf_secret_keypad: string; AUTH: string };
  /** The CHILD_SA created with IKE_AUTH: KEYMAT = prf+(SK_d, Ni | Nr). */
  child: ChildKeys & { seed: string };
  /** CREATE_CHILD_SA rekeying the CHILD_SA with PFS: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr). */
  rekeyChild: ChildKeys & { Ni: string; Nr: string; g_ir: string; seed: string };
  /** CREATE_CHILD_SA rekeying the IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). */
  rekeyIke: SkKeys & { Ni: string; Nr: string; SPIi: string; SPIr: string; g_ir: string };
}
'''}

if __name__ == '__main__':
    import datetime
    work, version, psk, ver, *tags = sys.argv[1:]
    today = datetime.date.today().isoformat()
    cases = []
    for t in tags:
        tag, ike, esp = t.split('|')
        r = v1(f'{work}/{tag}') if ver == '1' else v2(f'{work}/{tag}')
        head = {'name': tag, 'ike': ike, 'esp': esp, 'psk': psk}
        head.update(describe(ike))
        head.update(r)
        cases.append(head)
    name = 'IKEV1_CASES' if ver == '1' else 'IKEV2_CASES'
    iface = 'Ikev1KeyCase' if ver == '1' else 'Ikev2KeyCase'
    print(f"""// GENERATED by test/util/strongswan-ike-keys.sh on {today} from the debug logs of {version}
// (Debian 12 packages), two charons in network namespaces, PSK authentication, IKEv{ver}:
// initiate{', rekey the CHILD_SA (with PFS), rekey the IKE_SA' if ver == '2' else ' (Main Mode, then Quick Mode with PFS)'}, terminate.
// Every value is what charon logged as the initiator (ike/chd level 4, enc level 4); the tests
// recompute each derived value from the inputs. Do not edit: run the script again instead.
// Byte strings are hex; names follow the RFCs ({'RFC 2409 §5, §5.5, Appendix B' if ver == '1' else 'RFC 7296 §2.13-2.18'}).
import type {{ HashName }} from '../../src/ike/crypto/prf.js';

{IFACES[ver]}
export const {name}: {iface}[] = [""")
    for c in cases:
        print('  ' + ts(c, '  ') + ',')
    print('];')
