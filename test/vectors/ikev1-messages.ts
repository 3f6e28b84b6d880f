// IKEv1 messages of strongSwan talking to itself: the interop anchor of test/ike-v1-codec.test.ts
// (decode, check against what strongSwan itself parsed, re-encode to identical bytes) and the seeds
// of test/ike-v1-codec-fuzz.test.ts.
//
// Made on 2026-11-28 with strongSwan 5.9.8 (Debian 12 packages 5.9.8-5+deb12u6: charon, swanctl,
// libcharon-extra-plugins), Linux 6.18, tcpdump 4.99.3, as root, by a shell script along the lines
// of shared/examples/strongswan-netns.sh:
//   ip netns add ikcA; ip netns add ikcB; a veth pair between them: 192.0.2.1/24 and 2001:db8::1/64
//   in ikcA, 192.0.2.2/24 and 2001:db8::2/64 in ikcB; 10.1.0.5/24, fd00:1::1/64 on ikcA's lo and
//   10.2.0.1/24, fd00:2::1/64 on ikcB's lo (the child SAs' routes need a local address);
//   /etc/netns/ikc{A,B}/strongswan.conf: charon { load = random nonce openssl pem pkcs1 x509 pubkey
//     curve25519 kdf hmac gcm chapoly aes sha1 sha2 socket-default vici updown kernel-libipsec
//     kernel-netlink; filelog { stderr { default = 1, ike = 4, enc = 3 } } ... }
//   /etc/netns/ikc{A,B}/swanctl/swanctl.conf: one connection, version = 1, auth = psk both ways,
//     secret "lab only: not a secret", children start_action = none; per capture:
//     mainModePsk        ids 192.0.2.1 / 192.0.2.2; A: proposals = aes128-sha256-x25519,
//                        aes256-sha1-modp2048, rekey_time = 24h, dpd_delay = 2s; esp_proposals =
//                        aes128gcm16, aes256-sha256, life_bytes = 4000000000; 10.1.0.0/24 ===
//                        10.2.0.0/24; B: the same proposals without rekey_time / life_bytes / dpd
//     aggressiveModePsk  aggressive = yes; A id "C=CH, O=Lab & Co, CN=gw-a, E=gw-a@lab.example",
//                        B id "@gw-b.lab.example"; aes256-sha256-modp2048; esp aes256-sha1-modp2048;
//                        10.1.0.5 === 10.2.0.0/16; B: i_dont_care_about_security_and_use_aggressive_mode_psk
//     mainModeIpv6       ids and addresses 2001:db8::1 / ::2; aes256-sha384-ecp384;
//                        esp aes256gcm16-ecp384; fd00:1::/64 === fd00:2::/64
//     noProposalChosen   A: aes128-sha256-x25519, B: aes256-sha512-modp4096
//   ip netns exec ikcA tcpdump -i <veth> -U -s0 -w NAME.pcap udp &
//   ip netns exec ikc{A,B} unshare -m sh -c "mount -t tmpfs t /run; exec /usr/lib/ipsec/charon"
//   swanctl --load-all (both), then in A: swanctl --initiate --child c; sleep 1 (5 for the DPD
//   rounds); swanctl --terminate --ike t; then kill both charons, delete the namespaces and
//   /etc/netns/ikc{A,B} (also on failure: a trap).
// A node script then read each pcap (Ethernet, IPv4/IPv6, UDP), dropped the 4-byte non-ESP marker
// of port 4500 (RFC 3948 §2.2; kernel-libipsec makes charon fake a NAT, so everything after Main
// Mode 4 / Aggressive Mode 2 floats to 4500), and for encrypted messages took the key Ka from
// charon's "encryption key Ka" log line, derived the CBC IV as RFC 2409 Appendix B says (phase 1:
// HASH(g^xi | g^xr), then the last ciphertext block of the previous message; a new Message ID:
// HASH(last phase-1 block | M-ID); the negotiated hash, truncated to the block), checked it
// against charon's "initial IV" line, decrypted with AES-CBC, and checked that the sender's own
// "plain" log dump is a prefix of the result (the rest is padding). `strongswan` is the line the
// receiving charon logged after parsing the message ("parsed ID_PROT response 0 [ SA V V V V ]"):
// an independent reading of the same bytes.
//
// Lab keys and a lab PSK, nothing secret. Hex strings; `plaintext` includes strongSwan's padding.

export interface CapturedMessage {
  from: 'initiator' | 'responder';
  /** UDP port, both ends. */
  port: 500 | 4500;
  /** The receiving charon's summary: exchange, Message ID, payloads in strongSwan's notation. */
  strongswan: string;
  /** The UDP payload (without the non-ESP marker). */
  wire: string;
  /** Encrypted messages: the CBC IV and the decrypted body, padding included. */
  iv?: string;
  plaintext?: string;
}

export interface Capture {
  name: string;
  description: string;
  /** The phase-1 encryption key Ka (RFC 2409 Appendix B), when anything was encrypted. */
  key?: string;
  messages: CapturedMessage[];
}

export const IKEV1_CAPTURES: readonly Capture[] = [
  {
    name: 'mainModePsk',
    description: 'Main Mode with a pre-shared key, IPv4, then Quick Mode, two DPD rounds and deletes',
    key: 'c0b9fc05d35f76617373726622408e2e',
    messages: [
      {
        from: 'initiator',
        port: 500,
        strongswan: 'ID_PROT 0 [ SA V V V V V ]',
        wire:
          '05833040032dd72600000000000000000110020000000000000000e00d00006400000001000000010000005801010002' +
          '030000280101000080010007800e0080800200048004001f80030001800b0001000c0004000173400000002802010000' +
          '80010007800e0100800200028004000e80030001800b0001000c0004000173400d00000c09002689dfd6b7120d000014' +
          'afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d3800000000d0000144a131c81' +
          '070358455c5728f20e95452f0000001490cb80913ebb696e086381b5ec427b1f',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'ID_PROT 0 [ SA V V V V ]',
        wire:
          '05833040032dd726c712d4adf32689d50110020000000000000000a40d00003c00000001000000010000003001010001' +
          '000000280101000080010007800e0080800200048004001f80030001800b0001000c0004000173400d00000c09002689' +
          'dfd6b7120d000014afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d380000000' +
          '000000144a131c81070358455c5728f20e95452f',
      },
      {
        from: 'initiator',
        port: 500,
        strongswan: 'ID_PROT 0 [ KE No NAT-D NAT-D ]',
        wire:
          '05833040032dd726c712d4adf32689d50410020000000000000000ac0a000024b173886dd2d978678c7e03084ba3ab5a' +
          'af2055503ce98cf5d71a5c32168d195914000024fb11170a565907949b006b584d975417a30a5d9e5a7871292524e142' +
          '115dc29f140000244e229b4d92018201aef17806c05dfcb5fe4903427f754fadea5122976ccbebf0000000249a93714b' +
          'f10b77e0a95158af297119c64abf3153f01ece29799edac6a6dead5a',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'ID_PROT 0 [ KE No NAT-D NAT-D ]',
        wire:
          '05833040032dd726c712d4adf32689d50410020000000000000000ac0a0000248a2b5e7dc731d0d2f55f321a4d7409de' +
          '196a464cd614130b051a095673e21c44140000241486ee4f0f6bf583d2ea5af8742a1474f2e43d8f7c655177d523349c' +
          '622cc0f71400002442c6b9a6eb614504f8519c5014668bc2a7fd1f3fda1d24b62c86ac3abae763c200000024a82828b5' +
          'ef8b94ae000c62b5d40aa2cf4575aad5d730c9dee99c55afea0577e6',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'ID_PROT 0 [ ID HASH N(INITIAL_CONTACT) ]',
        wire:
          '05833040032dd726c712d4adf32689d505100201000000000000006cf7d3ae19be7e40559cd3a7e3356f3b623c2b7219' +
          '60ed59f1e1e762af70cd319aadeb142f30a3f9760b37a4fa048e2dead19f4e0bb51e94c6e601c91d2c6a70aa3e18031a' +
          'da0da4bd60e87c145078c08c',
        iv: '14125928c0dcf8fd9a94b3b53e99b788',
        plaintext:
          '0800000c01000000c00002010b000024a919386d5be15634cbf47b5438905828116948ea97967b143c086a9579cc0b7e' +
          '0000001c000000010110600205833040032dd726c712d4adf32689d500000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'ID_PROT 0 [ ID HASH ]',
        wire:
          '05833040032dd726c712d4adf32689d505100201000000000000005c3dd4bc6353c696cb2da421473ae3b36c62a61309' +
          '344aa4d570f46555e13f3fee61092a67e3c93c2ef347d48cb2f05c26672a718ff944d14b53026fa9b40c7b13',
        iv: '3e18031ada0da4bd60e87c145078c08c',
        plaintext:
          '0800000c01000000c000020200000024799d7b0b92043f24548e2adbcbc12e4574d3dc6a138c2e2fe3a708799d94f728' +
          '00000000000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 535569572 [ HASH SA No ID ID ]',
        wire:
          '05833040032dd726c712d4adf32689d5081020011fec24a4000000ec36cd439470464b05bb4c2fde030f126b7c26f514' +
          'fd3d2ea78f588c89a2c26ed7ed624ece5ef2d55c230bf7996932c619fd4f1faa02eb6d606181e944bec1adb3c3ac16e6' +
          'b54157fd4e54ae1450ac7676d9f88e4129fc9743da267926e5a0bdd7985afc920156142f123de7912cc8a153a6edd8b9' +
          '88602d7fa885e7b4cf0bb7671045185c0084bedf00a441a898c07dc6d4702779bb84bb95ccf62679b1f1defa33ed6f3a' +
          'b8f7a38890262cfe61e2b562fcc4db2923587bd75970cef85845afbfd97325ea204c2a28ca0709bac30ebeee',
        iv: '581c0c580900a9b5f877146aa2e6ca71',
        plaintext:
          '0100002498610c5ca47c6a40e0887057b7c5bde28d50e92945079e32c1750f7c8cb919d50a0000640000000100000001' +
          '0000005801030402070905b0030000240114000080060080800400038001000180020f788001000200020004003d0900' +
          '00000028020c00008006010080050005800400038001000180020f788001000200020004003d090005000024df09b48b' +
          '16531ae0fd62fe870584bf4d1cb19ff5c6632e88abc307f8a6ad88b905000010040000000a010000ffffff0000000010' +
          '040000000a020000ffffff0000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'QUICK_MODE 535569572 [ HASH SA No ID ID ]',
        wire:
          '05833040032dd726c712d4adf32689d5081020011fec24a4000000cc7f88b90cc5c5ce3759295d5038d6a5ce342bb051' +
          '7dabc269d3306aad009abe4ef10918d22183c6064ddd1d241da6ab621c4f888b205f6def4ae30c24569f07387b19d41b' +
          '951c8100a42a38d4937d6cceea1f55d2ce4d36df0d928e41f93aae24482e35876e3834a7e1cdef17c881943cfc8f4d6c' +
          '150ae3e31b63d69f744db07669cd066667fba955b979be47d8e26a94c8dfb40caf9c91760a9c0f94cb3415f950635339' +
          '922e5f776ddf91a622fad632',
        iv: 'd97325ea204c2a28ca0709bac30ebeee',
        plaintext:
          '01000024c71c15b5cdeca066691bbaec07405a6176353303d287b5c012fccb89ee41fb330a00003c0000000100000001' +
          '000000300103040179b6b115000000240114000080060080800400038001000180020f788001000200020004003d0900' +
          '050000240b13581a11b43b64765f2561534abe6e6d53bae68bacb1e504cfb884a7ae9f8505000010040000000a010000' +
          'ffffff0000000010040000000a020000ffffff00000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 535569572 [ HASH ]',
        wire:
          '05833040032dd726c712d4adf32689d5081020011fec24a40000004cc91e8c883c0a6e738cd5fd4959b9f7d784b8378d' +
          'c29dd992ed51ceae82a3930b4f92dda75b4d58296d8ef9cf673b5570',
        iv: '50635339922e5f776ddf91a622fad632',
        plaintext:
          '00000024bf22cbce6f5fbd45fbf7849e31d811f9b0c2c3f072510dfe4df98ddf82a24f7c000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 4058468488 [ HASH N(DPD) ]',
        wire:
          '05833040032dd726c712d4adf32689d508100501f1e750880000006ca0a4459ea0dae67b2af9792ab513ccca07239194' +
          'b734cb5dd86f50878aa6811345dea2875b83a1511b3445dcb75c0e7237a94d56136b194e08f06dddb832b8ce9b00d303' +
          'cce5a3309964a212f7775b60',
        iv: '904e6acaa236ff0e83a5f58b6ebc0925',
        plaintext:
          '0b000024d96ea964b631983099fbd69652b55f2f7c9edd1fbcd8565e70f4291b08f15ef3000000200000000101108d28' +
          '05833040032dd726c712d4adf32689d508bc1b0c000000000000000000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 1414396901 [ HASH N(DPD_ACK) ]',
        wire:
          '05833040032dd726c712d4adf32689d508100501544dfbe50000006c9cf388bbe353ae9d55b7cf4aade3d308664b2449' +
          '9ae30b8b44d56e8fa2cf08e223801767ec5404b8c88d301ad321f60641142262c0e2a8905fb3431e83f6b91e30805914' +
          '7e576038e3bbf4c7f4f06cc4',
        iv: '331447dc53ae4d5e3e50ffc13750cc2b',
        plaintext:
          '0b000024ce7789ac7bb367f8806d2a53b2126207eace6a5a12932953c3d24c9ca4dc0795000000200000000101108d29' +
          '05833040032dd726c712d4adf32689d508bc1b0c000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 206045122 [ HASH N(DPD) ]',
        wire:
          '05833040032dd726c712d4adf32689d5081005010c47ffc20000006c38dd9db776d7e08f3c6eed9757b3d49bbe6ddef1' +
          '8f68ab40ed4a04f7c7803bfd13bf36054af588fad34fbe337cc09198fd90b7d8c3c91cd440ac1f1ad520cb46a263fa96' +
          '61004e48e6f4d0422a9bceb5',
        iv: 'bd6e72e5bc2be50910d44778f9796ca1',
        plaintext:
          '0b00002418bd34141b01870f140f2e84ea0714d36372f5b7ddf7425f19d94913921a5318000000200000000101108d28' +
          '05833040032dd726c712d4adf32689d508bc1b0d000000000000000000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 3176429829 [ HASH N(DPD_ACK) ]',
        wire:
          '05833040032dd726c712d4adf32689d508100501bd5479050000006cd8e47fed13cef88a19d55f36e6689874874f1a57' +
          '6af4edfab846cb92928c24870dde2dada73f2f9559d8bd78aef64edc27dfb23405ac1356a70810b1ac5a228590edcb94' +
          '990c3536becf56cf9efb4b3c',
        iv: '044a5a70bc948b0bba6aecebee799760',
        plaintext:
          '0b0000243cd654b46aefdba67227c62c56026167222f513a0834edbb4fd0875e024350d9000000200000000101108d29' +
          '05833040032dd726c712d4adf32689d508bc1b0d000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 200945236 [ HASH D ]',
        wire:
          '05833040032dd726c712d4adf32689d5081005010bfa2e540000005c73598cb7ddda96a0e528b9b0e6e05001a7ac3182' +
          '19548ec9fbf8c4ce9705645795bb19ece63a2aabe1db8781a7017d86901e0c9769c464f8d14b8b8afee7547c',
        iv: '38759951f483bc45a2d258ad03ad50d9',
        plaintext:
          '0c000024b8f9438d97700a4e0011e640f9d775f0ef1945e1871dc885627d4f2e51c7c3cd000000100000000103040001' +
          '070905b0000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 3735747771 [ HASH D ]',
        wire:
          '05833040032dd726c712d4adf32689d508100501deaafcbb0000006c0f56d81a711c2d900ccb7144db424be2718b9cf8' +
          '1c530fe017fe9ab955f5328f083e4d5cba0d92610b26b61fe45795dbd8dc4b88b0975e0dfa3db3c1e840adae78a5b820' +
          '70d053f889d6ca66a70077d8',
        iv: '7aa44ae93c29739845724707504d4273',
        plaintext:
          '0c000024aee1a105d175c925ed9f387d713ee36dfa4cfff8b6de96f75a4866c66f1543010000001c0000000101100001' +
          '05833040032dd726c712d4adf32689d500000000000000000000000000000000',
      },
    ],
  },
  {
    name: 'aggressiveModePsk',
    description: 'Aggressive Mode with a pre-shared key, IDs a DN and an FQDN, Quick Mode with PFS',
    key: '15a94ad93a9f47b1c08edfbe8d18b1d59540d63f1b92a77670d3e8a48ed2eff3',
    messages: [
      {
        from: 'initiator',
        port: 500,
        strongswan: 'AGGRESSIVE 0 [ SA KE No ID V V V V V ]',
        wire:
          'cfe26f5d5b84804d00000000000000000110040000000000000002360400003800000001000000010000002c01010001' +
          '000000240101000080010007800e0100800200048004000e80030001800b0001800c3de00a00010480909257da5ea479' +
          '2a23f0925ba0a050121f16c624e712925f8f4fdbc88b7032e9b14b96bb62b20242910380ef92b733c56173217121e06d' +
          '5ab4056defec43bee94bc6d7c7bf7bb810e77ded2994230e2da0ff1dd248256a421492fe69d0265f14fa4fcf40c97553' +
          'e852de5076f2987312202d021be03ce37651f266b04e97318996c8f12e934898b8cbd6fabc6ef932783156d49c4bae07' +
          'a5cf57d839a0513b7b774676fed84d89ed9be083fc6af07fe18b9b9a386640cea35598e9613cf05013ecf7a534e2d083' +
          '490f47ef40bf6740036a485498de3b91152346afa7a247806e7071517421fff296af3e4076b6f3269944165dacb9b72d' +
          'a394b59ba18bc0c20500002491a7690cd69581ebf7ba1cc7317429f603c5e81160795e66af46795c517470e90d00005a' +
          '090000003050310b30090603550406130243483111300f060355040a0c084c6162202620436f310d300b060355040313' +
          '0467772d61311f301d06092a864886f70d010901161067772d61406c61622e6578616d706c650d00000c09002689dfd6' +
          'b7120d000014afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d3800000000d00' +
          '00144a131c81070358455c5728f20e95452f0000001490cb80913ebb696e086381b5ec427b1f',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'AGGRESSIVE 0 [ SA KE No ID V V V V NAT-D NAT-D HASH ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa801100400000000000000024c0400003800000001000000010000002c01010001' +
          '000000240101000080010007800e0100800200048004000e80030001800b0001800c3de00a000104b3a0dca152fd9bdc' +
          'eb6b702f60a4c07c08dd23bfdaeb5b9547838c13ded4774e15692c777fd3890cac77629f715153e81a43819cb8f0681d' +
          '5269afc8c158ed69dcce9865abec5e0f13ace1b3e358e6dd3b0a0884d5946434a621f15ee32e3616635070ec25ed9c8f' +
          '08a2ff24a11d94fa21320a9b207f0c75d98b6ad0157daa947347637c2e8ed949f0be6c936a1dcc93962c821fee1a5eae' +
          '679ac2e4f780b5e9adc7ae5c9a37fa4c3ee60d6443f7a0b8a1368c631b66ba2f969f7a00f809e1aae6ec118871a05f6a' +
          '93ac1e77e31898f17738372224528a5ecba11abeb69489c0aab9b309faeba92ba07f491378d1c3fe531c16de7dfc66b4' +
          '14279f34d5f579230500002493fac2adb0f03b6b7dffc1f9503790576054979644724876daf5c7e5b23790eb0d000018' +
          '0200000067772d622e6c61622e6578616d706c650d00000c09002689dfd6b7120d000014afcad71368a1f1c96b8696fc' +
          '775701000d0000184048b7d56ebce88525e7de7f00d6c2d380000000140000144a131c81070358455c5728f20e95452f' +
          '14000024ef2288d89141eea1992f997c0e0f2e8d94ce9da4fc191589c13240e82cd6d37e080000243809bf4429b2ce9f' +
          '3ac58180c6001f90a068be48ebaf586cfb09ff4e448176b900000024aa722bb33a03aa6930d3688e1c3b5e98bb4bee93' +
          'fd8ce674340a5378b20c3385',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'AGGRESSIVE 0 [ HASH NAT-D NAT-D ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa808100401000000000000008c34f4ccdc1684be307dd87e87b1d1b2f4ebaa6aa6' +
          '361d6e920a4d5800b8a97a3d5879d252e365cd523b8ac37f77f96d325242ea31845ce2bd4cd845053893aa2b6290c91d' +
          'ebfdc55b738694e2f27b9b36c0aa8e0bf84cba912d9185cb7b198dd97e0305ea3ba26dd5392290e3c639da82',
        iv: 'a362452f59ff06d89b781d971ea9014f',
        plaintext:
          '140000241c78e73b3111d8d0dee764e97ac0e7aff467b191760b8b0473a6142adf387c4e14000024e68b51fdd046942f' +
          'c39fc2a5f6bbf48b2f22478a9d153f8c53a04c3f63d55e16000000248462bb4996157ab7df878fe8613f8b5f5000c0c8' +
          '18b5411c0e2988e67c270ddf00000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 1493004904 [ HASH SA No KE ID ID ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa80810200158fd7268000001ccfd10259743d8c58ec1371a412468b18020246c63' +
          '1b3bbbf5df58551425cabd945533397d5c103966d6c8568b81c8c96a7e6b64ec801ceef9a64306c9d54701d901a7cea9' +
          '0ddbe507fcbf3784c0d936f6b6d34708fead1b6d1df6da85fbe6f2140e39072f3b573865719b0e30360adfa1e5691316' +
          'bc7e4dfecd64932c24f2fad933b1c6b8bc88dd66486892facb499bee98897c3180e374d685c580c685053c43ac34ba71' +
          'c3042eea2f578dcc29c60b01e152c81f3268c8bba1e68b11d27fb3185c54087ef374e3fa1b64ff873fc42ed6b3d7adf7' +
          '8fc185c61f2dc975928aba87ca543177e410653b15b718a96e785fe51f7bba46e1dcc6b340706a05b148ee9d095e09b2' +
          'aa34ce3b633f8659625e75d4a2f0d197fa9195934296544f92df56218ed3df94b653cf1ce2b0144dce4561201c837f29' +
          '0f510bd8c3ab6e52a639c94348b10dad2797c1bd65c63d9b5502717f2ad05589828ae8afad34cb2c8362a0cba079ab79' +
          '880a4d51c39a37d71716862b80d6a39632cd3b2ea471bb1ed36f1b7f928247cce6378ec287f8de391cfb4c20ef9474a1' +
          '3bd02db6e13b1cfad05d038d9e43ec03283e4a7afa8c58b02ebf8c9b',
        iv: '2c2726b24dea8cac1db2bd941dec3b67',
        plaintext:
          '01000024a8ba2c524e5832fd910e64b6494641d7df39e2f29d5ad605c3c1d6a3faf9da000a0000380000000100000001' +
          '0000002c01030401ca778e2a00000020010c000080060100800500028003000e800400038001000180020f7804000024' +
          '9bb6d7ae38d47ec91c41f2f7090fa661c8353aaa4be88583bff7f349aa9d360505000104c66e383a5a8dc4b8fa682da0' +
          '01114ad450e98f5a8acc8f59bb0c221bd62f5472ff50a21922c1b72abc649ebfc6d2efc9d23675d7a5341819f4cd90b2' +
          'afb1691824c0cb99373d8fa3e1484325be7f7726795116d446c53baac0a572b07acd738bc4e346cbab04278a6b042255' +
          'e87398c517c3e21e4f59269d7cbe53b9aa1e0f13284c24954efa88341016cbd23f2928205cb42ba038b546b4a930c38f' +
          '38ce0ba6c24af9dde3579a8e35a9c55861353cdf074b63b1eeca88b4fb87846f4fd8f8d4b6e95cb938cbcf42f030159d' +
          'bc052928afb8323317e3c1a56225149ed53786cf3622e0bde7b0e51fa37b37f08fc1f1e92733e910bf1ec94c93919425' +
          '0193c8c40500000c010000000a01000500000010040000000a020000ffff000000000000000000000000000000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'QUICK_MODE 1493004904 [ HASH SA No KE ID ID ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa80810200158fd7268000001ccc112d0bc5f534286968352998f29a768dbcd4451' +
          '085ebeff65b4137603ed1c007ef0c6e8ad7a60c4fc4ebdb6b79c94698dec8e53063024d49e9397805402a2a5d6f08238' +
          'f690863c6a3b4196f3a4bbc355e878c33f5df71a0da97ea232649beee7cc23eee9392b1c4f8b804e2538d5692befba94' +
          '191cca58264d14893661763eb09a803efb5dd23e304c3e344c76ce1c4481eb6f800b15e9ba3e668f9cbe0ac49cf4d2b6' +
          '20fab8b0dd74c8cd196c4fdb7ea081839cdfddb6f69ea685db73b36305ed08d28d9412da165ca05d357fb7778a7e8f31' +
          '16d09e6429edd54e510fb77e71ae13303daa76751e517d5471d193bc6ee22c4ab236492e87ea06cd9d457d01ae447f50' +
          '3004f19a20a3bb321482c836706139ce438e17197f200fe3100a957f5f39f222276b92598192412b7e5c3a0fa48febbd' +
          '1269f9547d63a54ade2f9d348cf97dabe261d1c954256683a11fd0ff7d099cac1f891d2ffe6125d9ba62127952a3954a' +
          'beea1a435e6c3a487ccbd7613641e5d751219301d0714a620ac303a7394bba3a5994db22cce96ac25b19bb1738ca2786' +
          '9752ddd76aa7a98a4f80766f764379b6842db1b115ed93222e00afde',
        iv: '9e43ec03283e4a7afa8c58b02ebf8c9b',
        plaintext:
          '010000245a4dd0c88a45e4288301c4f0f68c5f419c2eab2f83430450db57d0997202deb70a0000380000000100000001' +
          '0000002c0103040174dd324100000020010c000080060100800500028003000e800400038001000180020f7804000024' +
          'f91007b394215331314c86c1f57af16dab9c24601a2671f3a4f19cf8ce595e76050001049be4b6822a6a01effa2c6033' +
          '864c6d23a39c074b59567d38bd11f7d493fe0c44ab0b372758da8b5df437ccdd57ffc36e1a9e61a11f9967b7ccb27383' +
          '3765dc19891f72855a29207f9722e869c5289f0d019a62a5f0084c12b020629a8af55462bed72669c06f2bfa6da32430' +
          '48b8a1b918166b67c917159cd3df18296e743b7d1b7f00344bee47d7cd013865a007cb16925434a8ef278294f17790c0' +
          'fafe771a4fc846b2f5e88157ef783f667c17b84d747ea2307720d7b6fc5626b68aa01ba1569def6a2eec2594c8c96852' +
          'b2f980f8073bf2903496b7a205ce460438dbcd467c94600fa8b48edb3c89708df1f1b98cd7ef8989b766ad4dc91b1fb1' +
          '090972430500000c010000000a01000500000010040000000a020000ffff000000000000000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 1493004904 [ HASH ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa80810200158fd72680000004c54f34207385358a687a9d14d3c1289515a9324bc' +
          '52739903da8a3ed88972c4bf662b5ac56bb7135ab79387f151e5f148',
        iv: '764379b6842db1b115ed93222e00afde',
        plaintext:
          '00000024bc80ec5d88d806d98cdab2039da7c7a539eab5c0073eaa4c8723c78335da4615000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 1624446946 [ HASH D ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa80810050160d317e20000005c3c49edd6f751153213ecad496032106b82c212a4' +
          'd3c76f918852f6ad4abccfa921e2823fa3f63df7178345107a057fe5e1b186e7849133979641cb15aef96eb7',
        iv: '3cac90e22aaf1dd44a829601e9130ce4',
        plaintext:
          '0c000024188754eb5b0df68f98acfd90d27ef0afaacdd78f6fde45acf2d6d6d075fa631e000000100000000103040001' +
          'ca778e2a000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 3423105342 [ HASH D ]',
        wire:
          'cfe26f5d5b84804d961ce920075b9aa808100501cc08713e0000006cd421e606c8eb188eca95f9865314a77d7fbdf310' +
          '530d5c606879a6d4bf6653407219f3e415ec61d05338b2c7b5d32077bd392f1281186584d85c1beaab967aedcecc1a0f' +
          '64f627b874d7d6b19c2a672b',
        iv: 'edf64da7e4f0b9d5096abcaf634c10a3',
        plaintext:
          '0c000024bebd2fbf34edb600dfb1cbc085870de4baff45f0dbc881a5794b6bb8f2c88b080000001c0000000101100001' +
          'cfe26f5d5b84804d961ce920075b9aa800000000000000000000000000000000',
      },
    ],
  },
  {
    name: 'mainModeIpv6',
    description: 'Main Mode over IPv6 with ECP-384, Quick Mode with PFS and IPv6 subnets',
    key: '985d7dccdd2fbacbd47acfc540edc44d94d89a6e61e441424bd9f37701175e42',
    messages: [
      {
        from: 'initiator',
        port: 500,
        strongswan: 'ID_PROT 0 [ SA V V V V V ]',
        wire:
          '9bafeef0ab25e69d00000000000000000110020000000000000000b40d00003800000001000000010000002c01010001' +
          '000000240101000080010007800e0100800200058004001480030001800b0001800c3de00d00000c09002689dfd6b712' +
          '0d000014afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d3800000000d000014' +
          '4a131c81070358455c5728f20e95452f0000001490cb80913ebb696e086381b5ec427b1f',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'ID_PROT 0 [ SA V V V V ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed0110020000000000000000a00d00003800000001000000010000002c01010001' +
          '000000240101000080010007800e0100800200058004001480030001800b0001800c3de00d00000c09002689dfd6b712' +
          '0d000014afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d38000000000000014' +
          '4a131c81070358455c5728f20e95452f',
      },
      {
        from: 'initiator',
        port: 500,
        strongswan: 'ID_PROT 0 [ KE No NAT-D NAT-D ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed04100200000000000000010c0a0000641b9dfebf03ce6ddd1ff6c9f606327a8d' +
          '5b5aa8752e2be26bf07b557f9a1a3c989ce25394fd3630e829f4cbf82f35ba071b1ec96b20e81c2c009f377c0b3d4df2' +
          'ea71e827113edfbea8ffe1aa9976f285da65f1b125526449231c1c166ed68ec714000024e5e2c88284de27ce05dd72f9' +
          '3443627dfde43da74f04b2b12b07f456abc3c0281400003417b57001163c27ddff331d5c7687f4394e902a8e4af0b7bd' +
          'cd4490afa93b6d10832ac5d6579bdf193d07be8f0ca61eb800000034100acea4c1f5f141495fab0981b8307adafcd4d8' +
          '01ab17a5aa1103075d436b93e37fece68f6b83c1cbce90aa45f9f4ca',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'ID_PROT 0 [ KE No NAT-D NAT-D ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed04100200000000000000010c0a000064c18705d8fd7c28f339847113746bac67' +
          'b0c321f6b9b845748ddf6f2cffda8cc339a4f30445dfaf546799c876a08dca0d85c9c39d0de0cb5be79c3d387a6585fc' +
          '45b1213a218b9dcf61e550836e0a638219298f55c6b6a5d43669b0fa2c78a5d914000024f5ee2c353b3378a99103a2ea' +
          '9d4be544bcef722c9aafae9b8429291a1e5cd3ab140000342d0a7786bc1643d228edd51de104f51d2b65061b2f0b8f96' +
          'bf44391ede0b9e090ccbaf0356a8b567173c4556e6bd4c5b000000347d857ee6d8799979b318b49dfc035661d74184f1' +
          '215d19f5eeb6907b83aa37cfd01d74f4f30d785d209dc57fb75b8232',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'ID_PROT 0 [ ID HASH N(INITIAL_CONTACT) ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed05100201000000000000008c563913a27cfcbcde0026bd4fd14a3fccb7547598' +
          'c572d41a65640c99bb96b68de9cd479db7ca2c47df490b87285fa17446543e400247945935a8e18e3717a8b3dc9ec1c2' +
          '233e3e97c381ed3908a9dae7c4a78ff64b9889a6c0f2e57dd3cce3f234c2f63c33f7a20f21b027488c9ff8e6',
        iv: '478486b402bf081069bb56ea6997d559',
        plaintext:
          '080000180500000020010db80000000000000000000000010b000034ea5cf78cb390348c80150856e8e7bdc7195c5602' +
          '92fc48b1e713e577e7d263d7f5b88e6bfa53605332a7dc584a22d1530000001c00000001011060029bafeef0ab25e69d' +
          '9a1ee6627e16ceed0000000000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'ID_PROT 0 [ ID HASH ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed05100201000000000000006c2951c31a49328e8a4d92c172bf9b4a4adfd13536' +
          'a125d7e7585d78e94e33c355f83e58ffc46301fa38d26d85f7082bd7818acb4541a816059329fc3a6549c0e51b549a31' +
          'c67b5dff8b9d2995dfeb9477',
        iv: '34c2f63c33f7a20f21b027488c9ff8e6',
        plaintext:
          '080000180500000020010db800000000000000000000000200000034eacfbaa41b786407a04d648c6912eaeffbd628e9' +
          'd33b8562ece4ae0e142889dbf9ba8665a6de9c0da628df656c6dd47d00000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 316311261 [ HASH SA No KE ID ID ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed0810200112da86dd0000016ce8a172bb388a0fa38f3b28208cd6a472e7e1bef3' +
          '8c36c04345adbb6dcf0a7c15f4dc6761b29de1a6af30cf025dfeddfddb61b7d5a051d6ebcce2e1ae9ae5c933293b2d67' +
          '4de1a03cdcbaac813082dad5b391cffed3ce7ccdd38b637c32d2b313462b48bc9cd177025419c7d29d5dad398d58356a' +
          '610eebbc6f2624b22ab21a9c4731fbf2c51979b2064808a12fe10c52b562d3362f9b418a34c966b09fc2f164683eb666' +
          '23351f4740f7ccbdcf71cd656e3008b1c15634802c07e9c87f27c3a2c3c007a5d4a1bd3e33ae1b4fa94561e8a394ee3f' +
          '9afa6768ed6125f8a6c1001f0c978604067301ce4bc55fc0aac3d3877876f8b10c6ad30950c18b830da9f10b43e745a5' +
          '59e103c95483b14caa8ce12b6ad0ecbc7687324efaf129e37ec7a26abb37067842033fd18907c086cd1a779838e67146' +
          '5fce53b0ed58b7d4f371aae070b89d9b8f40dd95c3e2a1468b52eafd',
        iv: '02c649bd6783b405d23a8567008b0e64',
        plaintext:
          '010000345adb4f344fb82417e83fd02c13d4f975cdca3ea25172b58261aed435d75ed69e3d8667eeb4f980d377be502d' +
          'cc4ed1030a000034000000010000000100000028010304015af95fda0000001c01140000800601008003001480040003' +
          '8001000180020f7804000024adcc9a438ab6888a1bd4bb7cdaec286bc46bd99a27345a4f54c32f8b66d7efa205000064' +
          '19e34aa88e5cabc1faecaf4de63937535d9635a990e2a0bd8cac2450a0f9978b37fbdf6ececf827be1abbc2ffd2a5ad8' +
          'd6119812da110aab4dd835e7c5a3d298a23b01809c232ba7a799cf0ab4543cc8dea7de8bddeb3f1011777c1c66356b25' +
          '0500002806000000fd000001000000000000000000000000ffffffffffffffff00000000000000000000002806000000' +
          'fd000002000000000000000000000000ffffffffffffffff000000000000000000000000000000000000000000000000',
      },
      {
        from: 'responder',
        port: 4500,
        strongswan: 'QUICK_MODE 316311261 [ HASH SA No KE ID ID ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed0810200112da86dd0000016c6cd3190a0698817ded6c8766326a83a20a175056' +
          '79acf969b097965b9bce84a46a53178f1c26cb7ad23df36cd22561ac0d5a14bddf3ff6b4ca9eeb41b1ff0ac391ffa53e' +
          '1699d368b2083e5fe56dc8ae3ff2e21829f11df012fc15141d8ef7fd413c139887ea16a2dffb39751bc6251f9fa7a077' +
          'aa748d9abd205d97a1b21e732bf4626db268e9f2ce0c76d285846ce56a266f6603c919a08a5bd795bce8b648a1ecafe1' +
          '99810a54fca998e51b11f4439beddd4623ab1dfb80c3e26c7c5aa58c27a7cafef823369856c1ff9037fd6def090cb7e7' +
          '33fcdd94c6b2407797db46a6cd13364bada9f26c13298476d530fe17c6f1ca1899516a9043641d46aabc18b82751c107' +
          '4093e8f954da92fdc4eea5047f8a030efad74d3a1d28da291663980647b05aad1762493b637c3fd458a89de72d3d6748' +
          'b1070f7146e518b2c66580cb9888c846731cd1eb03b74ae12caedcb4',
        iv: '70b89d9b8f40dd95c3e2a1468b52eafd',
        plaintext:
          '01000034ab9062b2d3f60ddd568c4a34da709c39f27fe12405fa989b3da8f698908d0ae0bcc159b44bbfa82bb2ed56c4' +
          '4bacc61a0a00003400000001000000010000002801030401923cae9a0000001c01140000800601008003001480040003' +
          '8001000180020f7804000024473f9a0e07b0680bad614b684fc76ea1c79da3c8669b6309cea273b1d406d60505000064' +
          'c836e5659c60a5c60697b88f7ab475cfe8c80424bd828cf47a3473ae012aea37c15202e7c1a20c82a6d337a1b920b2ab' +
          '1fddc194606ddb6da0bb0d1b362ba9f63c8e850a7c67ca7cdec63c86e718421adbc30bcc978a6c9d6fe5410d46b3fe21' +
          '0500002806000000fd000001000000000000000000000000ffffffffffffffff00000000000000000000002806000000' +
          'fd000002000000000000000000000000ffffffffffffffff000000000000000000000000000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'QUICK_MODE 316311261 [ HASH ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed0810200112da86dd0000005c8386c606eaddb3f47973be0a441c15adf70c22a2' +
          'b6f231547eea86a9e3466566efee68d1ef49511b14f3522453089f869e71d1af7d173af186c41ac88448a114',
        iv: '9888c846731cd1eb03b74ae12caedcb4',
        plaintext:
          '000000346493fd91fcc8e2b23fb5fe6a8447015230dc70dca80659b41e4af3b62597be0dda13e01b18097c233c95d17e' +
          '3d72f71e000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 3815490145 [ HASH D ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed08100501e36bc2610000006c83c8de16b67748978d2796ca782d2901fed9478e' +
          '3cc4f4ba8e6a8d978fd61d8067b768c2c13145b09fa7ae4cb9416b6e95e5095bb52c2b3370b43564ee94f073bb6edacc' +
          'cb7bc561bdc853045020795d',
        iv: 'b4cbeec7e2e8bed0177f436b12646565',
        plaintext:
          '0c0000349ffe38b36d1f79252f1176408dc1952168fb31a85a11aadbacf8010f69d4351a70bcbb70a2cb3d169d07b682' +
          '3389ddf10000001000000001030400015af95fda000000000000000000000000',
      },
      {
        from: 'initiator',
        port: 4500,
        strongswan: 'INFORMATIONAL_V1 701660383 [ HASH D ]',
        wire:
          '9bafeef0ab25e69d9a1ee6627e16ceed0810050129d27cdf0000007c68b746a478e9f8dd1484748a0bb5376f25546441' +
          '493dd3c61752d67d4b1af29bea657256cd9e0a0ae44dc9a697fc250484bc49577c0e343fb6359076c5ca8618aa3f98eb' +
          '859963710d03d22ea6557c72113813e08f9a38db11c3e36c8c707415',
        iv: 'd7c4f789323b4572efa329cbbce95689',
        plaintext:
          '0c000034e68474c91d84bf57898050048e9fb1d2072fc350df794e83a4309394c5c1786319300da888874a85f54018ca' +
          '034d58e70000001c00000001011000019bafeef0ab25e69d9a1ee6627e16ceed00000000000000000000000000000000',
      },
    ],
  },
  {
    name: 'noProposalChosen',
    description: 'Main Mode refused: no proposal chosen',
    messages: [
      {
        from: 'initiator',
        port: 500,
        strongswan: 'ID_PROT 0 [ SA V V V V V ]',
        wire:
          '0aeaa317fa1f76d300000000000000000110020000000000000000b40d00003800000001000000010000002c01010001' +
          '000000240101000080010007800e0080800200048004001f80030001800b0001800c3de00d00000c09002689dfd6b712' +
          '0d000014afcad71368a1f1c96b8696fc775701000d0000184048b7d56ebce88525e7de7f00d6c2d3800000000d000014' +
          '4a131c81070358455c5728f20e95452f0000001490cb80913ebb696e086381b5ec427b1f',
      },
      {
        from: 'responder',
        port: 500,
        strongswan: 'INFORMATIONAL_V1 3709707265 [ N(NO_PROP) ]',
        wire:
          '0aeaa317fa1f76d3b22d4b59188b2eeb0b100500dd1da401000000380000001c000000010110000e0aeaa317fa1f76d3' +
          'b22d4b59188b2eeb',
      },
    ],
  },
];
