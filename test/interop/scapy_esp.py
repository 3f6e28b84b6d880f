#!/usr/bin/env python3
"""ESP through Scapy (scapy.layers.ipsec), for ipsecgw's interop tests: an implementation nobody on
the project wrote. One long-lived process; JSON lines in on stdin, JSON lines out on stdout.

On start it writes one line:
  {"hello": true, "scapy": "2.5.0", "cryptography": "38.0.4", "python": "3.11.2"}
or, when Scapy or cryptography cannot be imported, {"hello": false, "error": "..."} and exits 3.

Then, for each request line
  {"id": 7, "op": "encrypt" | "decrypt", "sa": SA, "packet": "<hex>"}
it answers one line
  {"id": 7, "ok": true, "packet": "<hex>", "spi": 4660, "seq": 5}      (decrypt also: spi, seq)
  {"id": 7, "ok": false, "error": "IPSecIntegrityError: ..."}
where SA is ipsecgw's EspSa (src/dataplane/esp.ts) in JSON:
  {"spi": 3221291010, "mode": "tunnel" | "transport", "src": "192.0.2.1", "dst": "192.0.2.2",
   "esp": "aes128gcm16", "key": "<hex, strongSwan order>", "seq": "5" (decimal string, 64-bit),
   "esn": false, "encap": {"sport": 4500, "dport": 4500} | null, "iv": "<hex>" | null}
- encrypt: packet is the inner packet (tunnel: the IP packet to carry; transport: the IP packet whose
  payload is protected); seq is the sequence number the ESP packet carries; iv, when given, is the
  IV to put in the packet (else Scapy draws a random one). Answer: the whole outer packet.
- decrypt: packet is the whole outer packet; seq is the full sequence number the packet is expected
  to carry — Scapy does not infer ESN's high half (RFC 4303 App. A), so it is told; the low half must
  match the packet's Sequence Number field. Answer: the inner packet, and the SPI and Sequence Number
  fields as received. Scapy keeps no replay window.

ESP proposals are strongSwan's names: aes{128,192,256}gcm{8,12,16}, chacha20poly1305,
aes{128,192,256}[-sha1|-sha256|-sha384|-sha512], 3des[-sha1|…]; no integrity only for RFC 3602's
encryption-only vectors. ChaCha20-Poly1305 is Scapy's CHACHA20-POLY1305 (python3-cryptography's AEAD).

What the bridge does itself, because Scapy 2.5.0 gets it wrong (each seen here, Debian 12):
- UDP encapsulation (RFC 3948) on encrypt: Scapy's nat_t_header path writes the UDP Length as 8 for
  IPv4 (it fixes the header before appending ESP); the bridge rewrites that one field.
- UDP encapsulation on decrypt: the bridge checks the UDP header (ports from the SA, length,
  checksum zero or right) and strips it before Scapy decrypts (RFC 3948 §3.2); Scapy's own path
  leaves the UDP header in the result for IPv6 transport mode.
- seq_num 0: Scapy treats 0 as "not given" (`seq_num or self.seq_num`), so the SA is always built
  with the packet's number.
- Transport-mode decrypt of an empty payload: Scapy returns a default upper-layer header (cls(b''))
  after the IP header; the bridge keeps to the length the IP header declares.
Scapy quirk the bridge cannot repair: with ESN and an HMAC (not AEAD) Scapy leaves the high-order
bits out of the ICV (RFC 4303 §3.3.2.1 puts them in); the bridge refuses ESN with an HMAC.
"""

import json
import re
import socket
import struct
import sys
import warnings

warnings.filterwarnings('ignore')


def _hello_fail(error):
    sys.stdout = _protocol_out
    sys.stdout.write(json.dumps({'hello': False, 'error': error}) + '\n')
    sys.stdout.flush()
    sys.exit(3)


# Whatever the imports print goes to stderr: stdout carries only the protocol's JSON lines.
_protocol_out, sys.stdout = sys.stdout, sys.stderr
try:
    import cryptography
    import scapy
    from scapy.config import conf
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import ESP, SecurityAssociation, CRYPT_ALGOS
    from scapy.compat import raw
except Exception as e:  # ImportError, or a broken install
    _hello_fail('%s: %s' % (type(e).__name__, e))

if not conf.crypto_valid or 'AES-GCM' not in CRYPT_ALGOS:
    _hello_fail('scapy cannot use python3-cryptography (conf.crypto_valid is false)')
sys.stdout = _protocol_out

# strongSwan ESP proposal → (Scapy crypt_algo, encryption key bytes incl. salt, ICV size or None).
_AEAD = re.compile(r'^aes(128|192|256)gcm(8|12|16)$')
_CBC = re.compile(r'^(aes(128|192|256)|3des)(?:-(sha1|sha256|sha384|sha512))?$')
# RFC 2404 / RFC 4868: HMAC-SHA1-96, HMAC-SHA-256-128, -384-192, -512-256 (key = hash output size).
_AUTH = {'sha1': ('HMAC-SHA1-96', 20), 'sha256': ('SHA2-256-128', 32),
         'sha384': ('SHA2-384-192', 48), 'sha512': ('SHA2-512-256', 64)}


def algorithms(proposal):
    """→ dict(crypt, enc_len, icv, auth, auth_len, aead, iv_len)."""
    m = _AEAD.match(proposal)
    if m:  # RFC 4106: key ‖ 4-byte salt; ICV 8, 12 or 16 bytes
        return dict(crypt='AES-GCM', enc_len=int(m.group(1)) // 8 + 4, icv=int(m.group(2)),
                    auth=None, auth_len=0, aead=True, iv_len=8)
    if proposal == 'chacha20poly1305':  # RFC 7634: 32-byte key ‖ 4-byte salt
        if 'CHACHA20-POLY1305' not in CRYPT_ALGOS:
            raise ValueError('this Scapy has no CHACHA20-POLY1305')
        return dict(crypt='CHACHA20-POLY1305', enc_len=36, icv=None, auth=None, auth_len=0,
                    aead=True, iv_len=8)
    m = _CBC.match(proposal)
    if m:
        if m.group(1) == '3des':  # RFC 2451
            crypt, enc_len, iv_len = '3DES', 24, 8
        else:  # RFC 3602
            crypt, enc_len, iv_len = 'AES-CBC', int(m.group(2)) // 8, 16
        auth, auth_len = _AUTH[m.group(3)] if m.group(3) else (None, 0)
        return dict(crypt=crypt, enc_len=enc_len, icv=None, auth=auth, auth_len=auth_len,
                    aead=False, iv_len=iv_len)
    raise ValueError('unknown ESP proposal %r' % proposal)


def family(addr):
    return 6 if ':' in addr else 4


def security_association(sa, seq):
    """A Scapy SecurityAssociation for the JSON SA; seq = full sequence number of the packet."""
    alg = algorithms(sa['esp'])
    key = bytes.fromhex(sa['key'])
    if len(key) != alg['enc_len'] + alg['auth_len']:
        raise ValueError('key is %d bytes, %s needs %d' % (len(key), sa['esp'], alg['enc_len'] + alg['auth_len']))
    esn = bool(sa.get('esn'))
    if esn and not alg['aead']:
        raise ValueError('Scapy 2.5 leaves ESN out of the HMAC ICV (RFC 4303 §3.3.2.1): not comparable')
    if not esn and seq >> 32:
        raise ValueError('sequence number %d needs ESN' % seq)
    tunnel = None
    if sa['mode'] == 'tunnel':
        tunnel = IP(src=sa['src'], dst=sa['dst']) if family(sa['src']) == 4 else IPv6(src=sa['src'], dst=sa['dst'])
    elif sa['mode'] != 'transport':
        raise ValueError('mode %r' % sa['mode'])
    encap = sa.get('encap')
    return SecurityAssociation(
        ESP, spi=sa['spi'], seq_num=seq & 0xffffffff,
        crypt_algo=alg['crypt'], crypt_key=key[:alg['enc_len']], crypt_icv_size=alg['icv'],
        auth_algo=alg['auth'], auth_key=key[alg['enc_len']:] or None,
        tunnel_header=tunnel,
        nat_t_header=UDP(sport=encap['sport'], dport=encap['dport']) if encap else None,
        esn_en=esn, esn=seq >> 32), alg


def parse_ip(b):
    v = b[0] >> 4
    if v == 4:
        return IP(b)
    if v == 6:
        return IPv6(b)
    raise ValueError('not an IP packet (version %d)' % v)


def _checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def encrypt(sa, inner_bytes):
    seq = int(sa['seq'])
    scapy_sa, alg = security_association(sa, seq)
    inner = parse_ip(inner_bytes)
    if sa['mode'] == 'transport':
        if inner.src != sa['src'] or inner.dst != sa['dst']:
            raise ValueError('transport mode: the packet is %s → %s, the SA %s → %s' % (inner.src, inner.dst, sa['src'], sa['dst']))
    iv = bytes.fromhex(sa['iv']) if sa.get('iv') else None
    out = bytearray(raw(scapy_sa.encrypt(inner, seq_num=seq & 0xffffffff, iv=iv,
                                         esn_en=bool(sa.get('esn')), esn=seq >> 32)))
    if sa.get('encap') and out[0] >> 4 == 4:
        # Scapy 2.5.0 bug: for IPv4 it re-parses IP/UDP before appending ESP, freezing UDP Length at 8.
        hl = (out[0] & 0x0f) * 4
        total = struct.unpack('!H', out[2:4])[0]
        if struct.unpack('!H', out[hl + 4:hl + 6])[0] == 8 and total > hl + 8:
            out[hl + 4:hl + 6] = struct.pack('!H', total - hl)
    return bytes(out)


def strip_udp(sa, outer_bytes):
    """RFC 3948 §3.2: check the UDP header of an ESP-in-UDP packet and remove it."""
    b = bytearray(outer_bytes)
    v = b[0] >> 4
    if v == 4:
        hl = (b[0] & 0x0f) * 4
        proto, total = b[9], struct.unpack('!H', b[2:4])[0]
    else:
        hl, proto, total = 40, b[6], 40 + struct.unpack('!H', b[4:6])[0]
    if proto != socket.IPPROTO_UDP:
        raise ValueError('UDP-encapsulated SA, but the packet carries protocol %d' % proto)
    if total != len(b):
        raise ValueError('IP length %d, packet %d bytes' % (total, len(b)))
    sport, dport, ulen, uck = struct.unpack('!HHHH', b[hl:hl + 8])
    if (sport, dport) != (sa['encap']['sport'], sa['encap']['dport']):
        raise ValueError('UDP ports %d → %d, SA %d → %d' % (sport, dport, sa['encap']['sport'], sa['encap']['dport']))
    if ulen != total - hl:
        raise ValueError('UDP length %d, datagram %d bytes' % (ulen, total - hl))
    if b[hl + 8:hl + 12] == b'\0\0\0\0':
        raise ValueError('non-ESP marker: an IKE packet, not ESP (RFC 3948 §2.2)')
    if uck != 0:  # RFC 3948 §2.1: zero, or else it must be right (RFC 768 / RFC 8200 §8.1)
        seg = bytes(b[hl:total])
        if v == 4:
            pseudo = bytes(b[12:20]) + struct.pack('!BBH', 0, 17, ulen)
        else:
            pseudo = bytes(b[8:40]) + struct.pack('!IxxxB', ulen, 17)
        if _checksum(pseudo + seg) != 0:
            raise ValueError('bad UDP checksum 0x%04x' % uck)
    esp = bytes(b[hl + 8:total])
    head = b[:hl]
    if v == 4:
        head[9] = socket.IPPROTO_ESP
        head[2:4] = struct.pack('!H', hl + len(esp))
        head[10:12] = b'\0\0'
        head[10:12] = struct.pack('!H', _checksum(bytes(head)))
    else:
        head[6] = socket.IPPROTO_ESP
        head[4:6] = struct.pack('!H', len(esp))
    return bytes(head) + esp


def decrypt(sa, outer_bytes):
    seq = int(sa['seq'])
    scapy_sa, alg = security_association(sa, seq)
    if sa.get('encap'):
        outer_bytes = strip_udp(sa, outer_bytes)
    outer = parse_ip(outer_bytes)
    if not outer.haslayer(ESP):
        raise ValueError('no ESP in %s' % outer.summary())
    esp = outer[ESP]
    if esp.seq != seq & 0xffffffff:
        raise ValueError('the packet carries sequence number %d, expected %d' % (esp.seq, seq & 0xffffffff))
    inner = raw(scapy_sa.decrypt(outer, esn_en=bool(sa.get('esn')), esn=seq >> 32))
    if sa['mode'] == 'transport':
        # Scapy 2.5.0 rebuilds the payload as a layer (cls(esp.data)): an empty payload comes back as
        # a default header (8 bytes of ICMP, say). Its IP header has the true length; keep to it.
        declared = struct.unpack('!H', inner[2:4])[0] if inner[0] >> 4 == 4 else 40 + struct.unpack('!H', inner[4:6])[0]
        inner = inner[:declared]
    return inner, esp.spi, esp.seq


def main():
    sys.stdout.write(json.dumps({'hello': True, 'scapy': scapy.__version__,
                                 'cryptography': cryptography.__version__,
                                 'python': '%d.%d.%d' % sys.version_info[:3]}) + '\n')
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get('id')
            packet = bytes.fromhex(req['packet'])
            if req['op'] == 'encrypt':
                ans = {'id': rid, 'ok': True, 'packet': encrypt(req['sa'], packet).hex()}
            elif req['op'] == 'decrypt':
                inner, spi, seq = decrypt(req['sa'], packet)
                ans = {'id': rid, 'ok': True, 'packet': inner.hex(), 'spi': spi, 'seq': seq}
            else:
                raise ValueError('unknown op %r' % req['op'])
        except Exception as e:
            ans = {'id': rid, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(ans) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
