// Published whole-packet ESP vectors, typed in from their sources as hex, each field as printed.
// What the sources do not give (an outer IP header, an integrity key for RFC 3602's encryption-only
// SAs) is added by the tests in test/esp-vectors.test.ts, never here. Every vector is checked
// against node:crypto by that test before the engine sees it, so a typo cannot hide.

/**
 * RFC 3602 §4, cases #5–#8: AES-128-CBC ESP packets, encryption only — the RFC's SAs have no
 * integrity algorithm and its packets no ICV.
 *
 * Read from transcriptions of the RFC (the RFC's own text was not reachable from here): the ESP
 * bytes of all four cases as in RUB-NDS/IPsec-StateMachineExtractor's ESPMessageTest.java; the
 * IP headers of cases #5 and #7 as in pcapkit's ESP tests and (#5) a jdsu DecryptionTest.java — all
 * three agree where they overlap. Case #6's headers are as we know them from the RFC and agree with
 * their own checksums; case #8's outer header (`outerHeader`) is built here after the pattern of
 * case #7 (outer IP id = inner id + 1) — nothing in the tests depends on its id.
 * The test decrypts every ciphertext with node:crypto and checks padding, lengths and checksums.
 */
export interface Rfc3602Case {
  name: string;
  mode: 'tunnel' | 'transport';
  key: string;
  spi: number;
  seq: number;
  src: string;
  dst: string;
  iv: string;
  /** The original packet (IP header + data) — the inner packet in tunnel mode. */
  original: string;
  /** Padding ‖ Pad Length ‖ Next Header, as the RFC lists them ("Augment data with"). */
  trailer: string;
  /** The outer IP header as printed ("Post-encryption packet … IP header"). */
  outerHeader: string;
  /** SPI ‖ Sequence Number ‖ IV ‖ encrypted data: the ESP part of the post-encryption packet. */
  esp: string;
}

export const RFC3602: Rfc3602Case[] = [
  {
    name: 'RFC 3602 §4 case #5: transport mode, ping 192.168.123.100',
    mode: 'transport',
    key: '90d382b4 10eeba7a d938c46c ec1a82bf',
    spi: 0x4321,
    seq: 1,
    src: '192.168.123.3',
    dst: '192.168.123.100',
    iv: 'e96e8c08 ab465763 fd098d45 dd3ff893',
    original:
      '45000054 08f20000 4001f9fe c0a87b03 c0a87b64' +
      '08000ebd a70a0000 8e9c083d b95b0700 08090a0b 0c0d0e0f 10111213 14151617' +
      '18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637',
    trailer: '01020304 05060708 090a0b0c 0d0e 0e 01',
    outerHeader: '4500007c 08f20000 4032f9a5 c0a87b03 c0a87b64',
    esp:
      '00004321 00000001' +
      'e96e8c08 ab465763 fd098d45 dd3ff893' +
      'f663c25d 325c18c6 a9453e19 4e120849 a4870b66 cc6b9965 330013b4 898dc856' +
      'a4699e52 3a55db08 0b59ec3a 8e4b7e52 775b07d1 db34ed9c 538ab50c 551b874a' +
      'a269add0 47ad2d59 13ac19b7 cfbad4a6',
  },
  {
    name: 'RFC 3602 §4 case #6: transport mode, ping -p 77 -s 20 192.168.123.100',
    mode: 'transport',
    key: '90d382b4 10eeba7a d938c46c ec1a82bf',
    spi: 0x4321,
    seq: 8,
    src: '192.168.123.3',
    dst: '192.168.123.100',
    iv: '69d08df7 d203329d b093fc49 24e5bd80',
    original:
      '45000030 08fe0000 4001fa16 c0a87b03 c0a87b64' +
      '0800b5e8 a80a0500 a69c083d 0b660e00 77777777 77777777 77777777',
    trailer: '0102 02 01',
    outerHeader: '4500004c 08fe0000 4032f9c9 c0a87b03 c0a87b64',
    esp:
      '00004321 00000008' +
      '69d08df7 d203329d b093fc49 24e5bd80' +
      'f5199588 1ec4e0c4 488987ce 742e8109 689bb379 d2d750c0 d915dca3 46a89f75',
  },
  {
    name: 'RFC 3602 §4 case #7: tunnel mode, ping 192.168.123.200',
    mode: 'tunnel',
    key: '01234567 89abcdef 01234567 89abcdef',
    spi: 0x8765,
    seq: 2,
    src: '192.168.123.3',
    dst: '192.168.123.200',
    iv: 'f4e76524 4f6407ad f13dc138 0f673f37',
    original:
      '45000054 09040000 4001f988 c0a87b03 c0a87bc8' +
      '08009f76 a90a0100 b49c083d 02a20400 08090a0b 0c0d0e0f 10111213 14151617' +
      '18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637',
    trailer: '01020304 05060708 090a 0a 04',
    outerHeader: '4500008c 09050000 4032f91e c0a87b03 c0a87bc8',
    esp:
      '00008765 00000002' +
      'f4e76524 4f6407ad f13dc138 0f673f37' +
      '773b5241 a4c44922 5e4f3ce5 ed611b0c 237ca96c f74a9301 3c1b0ea1 a0cf70f8' +
      'e4ecaec7 8ac53aad 7a0f022b 859243c6 47752e94 a859352b 8a4d4d2d ecd136e5' +
      'c177f132 ad3fbfb2 201ac990 4c74ee0a 109e0ca1 e4dfe9d5 a100b842 f1c22f0d',
  },
  {
    name: 'RFC 3602 §4 case #8: tunnel mode, ping -p ff -s 40 192.168.123.200',
    mode: 'tunnel',
    key: '01234567 89abcdef 01234567 89abcdef',
    spi: 0x8765,
    seq: 5,
    src: '192.168.123.3',
    dst: '192.168.123.200',
    iv: '85d47224 b5f3dd5d 2101d4ea 8dffab22',
    original:
      '45000044 090c0000 4001f990 c0a87b03 c0a87bc8' +
      '0800d63c aa0a0200 c69c083d a3de0300 ffffffff ffffffff ffffffff ffffffff' +
      'ffffffff ffffffff ffffffff ffffffff',
    trailer: '01020304 05060708 090a 0a 04',
    // Built here (see above): id 0x090d, TTL 64, protocol 50, checksum per RFC 791.
    outerHeader: '4500007c 090d0000 4032f926 c0a87b03 c0a87bc8',
    esp:
      '00008765 00000005' +
      '85d47224 b5f3dd5d 2101d4ea 8dffab22' +
      '15b92683 819596a8 047232cc 00f7048f e45318e1 1f8a0f62 ede3c3fc 61203bb5' +
      '0f980a08 c9843fd3 a1b06d5c 07ff9639 b7eb7dfb 3512e5de 435e7207 ed971ef3' +
      'd2726d9b 5ef6affc 6d17a0de cbb13892',
  },
];

/**
 * draft-mcgrew-gcm-test-01 (March 2009), "Test Cases for the use of Galois/Counter Mode (GCM) and
 * Galois Message Authentication Code (GMAC) in IPsec ESP", §4: every AES-GCM-ESP case (the one
 * AES-GMAC-ESP case, page 19, is left out). Fields as the draft names them: `seq` is the 4-octet
 * Sequence Number or, where 8 octets are printed, the 64-bit Extended Sequence Number; `nonce` is
 * Salt ‖ IV (RFC 4106 §4); `plaintext` ends with Padding ‖ Pad Length ‖ Next Header; `packet` is the
 * complete ESP packet, SPI to ICV, with no IP header.
 *
 * Every case carries Next Header 1 (ICMP), even those whose payload looks like an IP packet, so
 * the tests run them in transport mode (a tunnel-mode SA must drop Next Header 1).
 */
export interface GcmEspCase {
  name: string;
  key: string;
  spi: string;
  seq: string;
  nonce: string;
  plaintext: string;
  aad: string;
  ctextTag: string;
  packet: string;
}

export const MCGREW_GCM: GcmEspCase[] = [
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 7: AES-128, 64-bit ESN',
    key: '4c80cdefbb5d10da906ac73c3613a634',
    spi: '00004321',
    seq: '8765432100000000',
    nonce: '2e443b684956ed7e3b244cfe',
    plaintext:
      '45000048699a000080114db7c0a80102 c0a801010a9bf15638d3010000010000 00000000045f736970045f7564700373' +
      '69700963796265726369747902646b00 0021000101020201',
    aad: '000043218765432100000000',
    ctextTag:
      'fecf537e729d5b07dc30df528dd22b76 8d1b98736696a6fd348509fa13ceac34 cfa2436f14a3f3cf65925bf1f4a13c5d' +
      '15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72 2fd04796562dfdb4',
    packet:
      '00004321000000004956ed7e3b244cfe fecf537e729d5b07dc30df528dd22b76 8d1b98736696a6fd348509fa13ceac34' +
      'cfa2436f14a3f3cf65925bf1f4a13c5d 15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72' +
      '2fd04796562dfdb4',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 8: AES-128',
    key: 'feffe9928665731c6d6a8f9467308308',
    spi: '0000a5f8',
    seq: '0000000a',
    nonce: 'cafebabefacedbaddecaf888',
    plaintext:
      '4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100 00010000000000000373697009637962' +
      '65726369747902646b00000100010001',
    aad: '0000a5f80000000a',
    ctextTag:
      'deb22cd9b07c72c16e3a65beeb8df304 a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642' +
      'cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a',
    packet:
      '0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304 a5a5897d33ae530f1ba76d5d114d2a5c' +
      '3de81827c10e9a4f51330d0eec416642 cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 9: AES-256',
    key: 'abbccddef00112233445566778899aab abbccddef00112233445566778899aab',
    spi: '4a2cbfe3',
    seq: '00000002',
    nonce: '112233440102030405060708',
    plaintext:
      '4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000 7002400020bf0000020405b401010402' +
      '01020201',
    aad: '4a2cbfe300000002',
    ctextTag:
      'ff425c9b724599df7a3bcd510194e00d 6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d' +
      'ef842d8eb335f4eecfdbf831824b4c49 15956c96',
    packet:
      '4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d 6a78107f1b0b1cbf06efae9d65a5d763' +
      '748a637985771d347f0545659f14e99d ef842d8eb335f4eecfdbf831824b4c49 15956c96',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 10: AES-128, zero key, SPI 0',
    key: '00000000000000000000000000000000',
    spi: '00000000',
    seq: '00000001',
    nonce: '000000000000000000000000',
    plaintext:
      '4500003c99c500008001cb7a40679318 010101010800075c0200440061626364 65666768696a6b6c6d6e6f7071727374' +
      '75767761626364656667686901020201',
    aad: '0000000000000001',
    ctextTag:
      '4688daf2f973a392732909c331d56d60 f694abaa414b5e7ff5fdcdfff5e9a284 456476492719ffb64de7d9dca1e1d894' +
      'bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d',
    packet:
      '00000000000000010000000000000000 4688daf2f973a392732909c331d56d60 f694abaa414b5e7ff5fdcdfff5e9a284' +
      '456476492719ffb64de7d9dca1e1d894 bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 11: AES-128, 64-bit ESN',
    key: '3de09874b388e6491988d0c3607eae1f',
    spi: '42f67e3f',
    seq: '1010101010101010',
    nonce: '57690e434e280000a2fca1a3',
    plaintext:
      '4500003c99c300008001cb7c40679318 010101010800085c0200430061626364 65666768696a6b6c6d6e6f7071727374' +
      '75767761626364656667686901020201',
    aad: '42f67e3f1010101010101010',
    ctextTag:
      'fba2caa4853cf9f0f22cb10d86dd83b0 fec75691cf1a04b00d1138ec9c357917 65acbd8701ad79845bf9fe3fba487bc9' +
      '1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48',
    packet:
      '42f67e3f101010104e280000a2fca1a3 fba2caa4853cf9f0f22cb10d86dd83b0 fec75691cf1a04b00d1138ec9c357917' +
      '65acbd8701ad79845bf9fe3fba487bc9 1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 12 (first): AES-128, 64-bit ESN',
    key: '3de09874b388e6491988d0c3607eae1f',
    spi: '42f67e3f',
    seq: '1010101010101010',
    nonce: '57690e434e280000a2fca1a3',
    plaintext: '4500001c42a200008001441f406793b6 e00000020a00f5ff01020201',
    aad: '42f67e3f1010101010101010',
    ctextTag: 'fba2ca845e5df9f0f22c3e6e86dd831e 1fc65792cd1af9130e1379ed369f071f 35e034be95f112e4e7d05d35',
    packet:
      '42f67e3f101010104e280000a2fca1a3 fba2ca845e5df9f0f22c3e6e86dd831e 1fc65792cd1af9130e1379ed369f071f' +
      '35e034be95f112e4e7d05d35',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 12 (second): AES-192',
    key: 'feffe9928665731c6d6a8f9467308308 feffe9928665731c',
    spi: '0000a5f8',
    seq: '0000000a',
    nonce: 'cafebabefacedbaddecaf888',
    plaintext: '45000028a4ad4000400678800a01038f 0a010612802306b8cb712602dd6bb03e 501016d075680001',
    aad: '0000a5f80000000a',
    ctextTag:
      'a5b1f8066029aea40e598b8122de0242 0938b3ab33f828e687b8858b5bfbdbd0 315b27452144cc7795457b9652037f53' +
      '18027b5b4cd7a636',
    packet:
      '0000a5f80000000afacedbaddecaf888 a5b1f8066029aea40e598b8122de0242 0938b3ab33f828e687b8858b5bfbdbd0' +
      '315b27452144cc7795457b9652037f53 18027b5b4cd7a636',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 13: AES-128, 64-bit ESN (high half 0)',
    key: 'abbccddef00112233445566778899aab',
    spi: '00000100',
    seq: '0000000000000001',
    nonce: 'decaf888cafedebaceface74',
    plaintext:
      '4500004933ba00007f119106c3fb1d10 c2b1d326c02831ce0035dd7b800302d5 00004e20001e8c18d75b81dc91baa047' +
      '6b91b924b280389d92c963bac046ec95 9b6266c04722b14923010101',
    aad: '000001000000000000000001',
    ctextTag:
      '18a6fd42f72cbf4ab2a2ea901f73d814 e3e7f243d95412e1c349c1d2fbec168f 9190feebaf2cb01984e65863965d7472' +
      'b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6 5f354f75ff17015769623436',
    packet:
      '0000010000000001cafedebaceface74 18a6fd42f72cbf4ab2a2ea901f73d814 e3e7f243d95412e1c349c1d2fbec168f' +
      '9190feebaf2cb01984e65863965d7472 b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6' +
      '5f354f75ff17015769623436',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 14: AES-256, 64-bit ESN',
    key: 'abbccddef00112233445566778899aab abbccddef00112233445566778899aab',
    spi: '17405e67',
    seq: '156f3126dd0db99b',
    nonce: '73616c74616e640169766563',
    plaintext: '45080028732c00004006e9f90a010612 0a01038f06b88023dd6bafbecb712602 50101f646d540001',
    aad: '17405e67156f3126dd0db99b',
    ctextTag:
      'f2d69ecdbd5a0d5b8d5ef38bad4da58d 1f278fde98ef67549d524a3018d9a57f f4d3a31ce673119e451626c2415771e3' +
      'b7eebca614c89b35',
    packet:
      '17405e67dd0db99b616e640169766563 f2d69ecdbd5a0d5b8d5ef38bad4da58d 1f278fde98ef67549d524a3018d9a57f' +
      'f4d3a31ce673119e451626c2415771e3 b7eebca614c89b35',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 15: AES-128, 64-bit ESN',
    key: '3de09874b388e6491988d0c3607eae1f',
    spi: '42f67e3f',
    seq: '1010101010101010',
    nonce: '57690e434e280000a2fca1a3',
    plaintext:
      '45000049333e00007f119182c3fb1d10 c2b1d326c02831ce0035cb458003025b 000001e0001e8c18d65759d52284a035' +
      '2c71475c8880391c764d6e5ee0496b32 5ae270c03899493915010101',
    aad: '42f67e3f1010101010101010',
    ctextTag:
      'fba2cad12fc1f9f00d3cebf305410db8 3d7784b607323d220f24b0a97d541828 00cadb0f68d99ef0e0c0c89ae9bea888' +
      '4e52d65bc1afd0740f742444747b5b39 ab533163aad4550ee5160975cdb608c5 769189609763b8e18caa81e2',
    packet:
      '42f67e3f101010104e280000a2fca1a3 fba2cad12fc1f9f00d3cebf305410db8 3d7784b607323d220f24b0a97d541828' +
      '00cadb0f68d99ef0e0c0c89ae9bea888 4e52d65bc1afd0740f742444747b5b39 ab533163aad4550ee5160975cdb608c5' +
      '769189609763b8e18caa81e2',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 16: AES-256, 64-bit ESN',
    key: 'abbccddef00112233445566778899aab abbccddef00112233445566778899aab',
    spi: '17405e67',
    seq: '156f3126dd0db99b',
    nonce: '73616c74616e640169766563',
    plaintext:
      '636973636f0172756c65730174686501 6e6574776501646566696e6501746865 746563686e6f6c6f6769657301746861' +
      '7477696c6c01646566696e65746f6d6f 72726f7701020201',
    aad: '17405e67156f3126dd0db99b',
    ctextTag:
      'd4b7ed86a1777f2ea13d6973d324c69e 7b43f826fb56831226508bebd2dceb18 d0a6df10e5487df074113e14c641024e' +
      '3e6773d91a62ee429b043a10e3efe6b0 12a49363412364f8c0cac587f249e56b 11e24f30e44ccc76',
    packet:
      '17405e67dd0db99b616e640169766563 d4b7ed86a1777f2ea13d6973d324c69e 7b43f826fb56831226508bebd2dceb18' +
      'd0a6df10e5487df074113e14c641024e 3e6773d91a62ee429b043a10e3efe6b0 12a49363412364f8c0cac587f249e56b' +
      '11e24f30e44ccc76',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 17 (first): AES-128, empty payload, sequence number 2^32-1',
    key: '7d773d00c144c525ac619d18c84a3f47',
    spi: '335467ae',
    seq: 'ffffffff',
    nonce: 'd966426743457e9182443bc6',
    plaintext: '01020201',
    aad: '335467aeffffffff',
    ctextTag: '437f866bcb3f699fe9b0822bac961c45 04bef270',
    packet: '335467aeffffffff43457e9182443bc6 437f866bcb3f699fe9b0822bac961c45 04bef270',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 17 (second): AES-128, 64-bit ESN (high half 0)',
    key: 'abbccddef00112233445566778899aab',
    spi: '00000100',
    seq: '0000000000000001',
    nonce: 'decaf888cafedebaceface74',
    plaintext: '746f016265016f72016e6f7401746f01 62650001',
    aad: '000001000000000000000001',
    ctextTag: '29c9fc69a197d038ccdd14e2ddfcaa05 43332164412503524303ed3c6c5f2838 43af8c3e',
    packet:
      '0000010000000001cafedebaceface74 29c9fc69a197d038ccdd14e2ddfcaa05 43332164412503524303ed3c6c5f2838' +
      '43af8c3e',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 18: AES-256, 64-bit ESN 2^64-1',
    key: '6c6567616c697a656d6172696a75616e 61616e64646f69746265666f72656961',
    spi: '796b6963',
    seq: 'ffffffffffffffff',
    nonce: '7475726e333021696765746d',
    plaintext:
      '45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364 65666768696a6b6c6d6e6f7071727374' +
      '01020201',
    aad: '796b6963ffffffffffffffff',
    ctextTag:
      'f97ab2aa356d8edce17644ac8c78e25d d24dedbb29ebf1b64a274b39b49c3a86 4cd3d78ca4ae68a32b42458fb57dbe82' +
      '1dcc63b9d0937ba2945f669368661a32 9fb4c053',
    packet:
      '796b6963ffffffff333021696765746d f97ab2aa356d8edce17644ac8c78e25d d24dedbb29ebf1b64a274b39b49c3a86' +
      '4cd3d78ca4ae68a32b42458fb57dbe82 1dcc63b9d0937ba2945f669368661a32 9fb4c053',
  },
  // page 19 is AES-GMAC-ESP (ENCR_NULL_AUTH_AES_GMAC): not an AES-GCM case.
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 20: AES-128, 64-bit ESN',
    key: '3de09874b388e6491988d0c3607eae1f',
    spi: '3f7ef642',
    seq: '1010101010101010',
    nonce: '57690e434e280000a2fca1a3',
    plaintext:
      '45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364 65666768696a6b6c6d6e6f7071727374' +
      '01020201',
    aad: '3f7ef6421010101010101010',
    ctextTag:
      'fba2caa8c6c5f9f0f22ca54a061210ad 3f6e5791cf1aca210d117cec9c357917 65acbd8701ad79845bf9fe3fba487bc9' +
      '6321930684eecadb56912546e7a95c97 40d7cb05',
    packet:
      '3f7ef642101010104e280000a2fca1a3 fba2caa8c6c5f9f0f22ca54a061210ad 3f6e5791cf1aca210d117cec9c357917' +
      '65acbd8701ad79845bf9fe3fba487bc9 6321930684eecadb56912546e7a95c97 40d7cb05',
  },
  {
    name: 'draft-mcgrew-gcm-test-01 §4 page 21: AES-128, 64-bit ESN',
    key: '4c80cdefbb5d10da906ac73c3613a634',
    spi: '00004321',
    seq: '8765432100000007',
    nonce: '22433c644855ec7d3a234bfd',
    plaintext: '0800c6cd020007006162636465666768 696a6b6c6d6e6f707172737401020201',
    aad: '000043218765432100000007',
    ctextTag:
      '74752e8aeb5d873cd7c0f4acc36c4bff 84b7d7b98f0ca8b6acda6894bc619069 ef9cbc28fe1b56a7c4e0d58c86cd2bc0',
    packet:
      '00004321000000074855ec7d3a234bfd 74752e8aeb5d873cd7c0f4acc36c4bff 84b7d7b98f0ca8b6acda6894bc619069' +
      'ef9cbc28fe1b56a7c4e0d58c86cd2bc0',
  },
];

/**
 * RFC 7634 Appendix A, "ESP Example": ChaCha20-Poly1305, tunnel mode, ESN off. Typed from the text
 * of draft-ietf-ipsecme-chacha20-poly1305-12, the version published as RFC 7634 (the RFC's own text
 * was not reachable from here). The appendix also prints the source packet and the ESP packet as a
 * base64 snoop file (RFC 1761); `snoop` holds it, and the test checks both transcriptions agree.
 */
export const RFC7634_ESP = {
  name: 'RFC 7634 Appendix A: ChaCha20-Poly1305 ESP, tunnel mode',
  /** KEYMAT: 32-octet key ‖ 4-octet salt (RFC 7634 §2). */
  keymat:
    '80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f' +
    '90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f' +
    'a0 a1 a2 a3',
  spi: 0x01020304,
  seq: 5,
  iv: '10 11 12 13 14 15 16 17',
  /** "The gateway IP address for this side is 203.0.113.153; The peer address is 203.0.113.5." */
  src: '203.0.113.153',
  dst: '203.0.113.5',
  nonce: 'a0 a1 a2 a3 10 11 12 13 14 15 16 17',
  // Rows as printed (16 octets each).
  sourcePacket:
    '45 00 00 54 a6 f2 00 00 40 01 e7 78 c6 33 64 05' +
    'c0 00 02 05 08 00 5b 7a 3a 08 00 00 55 3b ec 10' +
    '00 07 36 27 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13' +
    '14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23' +
    '24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33' +
    '34 35 36 37',
  /** "Plaintext (includes padding and pad length)": the source packet ‖ 01 02 ‖ 02 ‖ 04. */
  plaintext:
    '45 00 00 54 a6 f2 00 00 40 01 e7 78 c6 33 64 05' +
    'c0 00 02 05 08 00 5b 7a 3a 08 00 00 55 3b ec 10' +
    '00 07 36 27 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13' +
    '14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23' +
    '24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33' +
    '34 35 36 37 01 02 02 04',
  ciphertext:
    '24 03 94 28 b9 7f 41 7e 3c 13 75 3a 4f 05 08 7b' +
    '67 c3 52 e6 a7 fa b1 b9 82 d4 66 ef 40 7a e5 c6' +
    '14 ee 80 99 d5 28 44 eb 61 aa 95 df ab 4c 02 f7' +
    '2a a7 1e 7c 4c 4f 64 c9 be fe 2f ac c6 38 e8 f3' +
    'cb ec 16 3f ac 46 9b 50 27 73 f6 fb 94 e6 64 da' +
    '91 65 b8 28 29 f6 41 e0',
  /** "Poly1305 one-time key". */
  polyKey:
    'af 1f 41 2c c1 15 ad ce 5e 4d 0e 29 d5 c1 30 bf' +
    '46 31 21 0e 0f ef 74 31 c0 45 4f e7 0f d7 c2 d1',
  aad: '01 02 03 04 00 00 00 05',
  tag: '76 aa a8 26 6b 7f b0 f7 b1 1b 36 99 07 e1 ad 43',
  /** "ESP packet": the whole outer IPv4 packet. */
  espPacket:
    '45 00 00 8c 23 45 00 00 40 32 de 5b cb 00 71 99' +
    'cb 00 71 05 01 02 03 04 00 00 00 05 10 11 12 13' +
    '14 15 16 17 24 03 94 28 b9 7f 41 7e 3c 13 75 3a' +
    '4f 05 08 7b 67 c3 52 e6 a7 fa b1 b9 82 d4 66 ef' +
    '40 7a e5 c6 14 ee 80 99 d5 28 44 eb 61 aa 95 df' +
    'ab 4c 02 f7 2a a7 1e 7c 4c 4f 64 c9 be fe 2f ac' +
    'c6 38 e8 f3 cb ec 16 3f ac 46 9b 50 27 73 f6 fb' +
    '94 e6 64 da 91 65 b8 28 29 f6 41 e0 76 aa a8 26' +
    '6b 7f b0 f7 b1 1b 36 99 07 e1 ad 43',
  snoop:
    'c25vb3AAAAAAAAACAAAABAAAAGIAAABiAAAAegAAAABVPq8PAAADVdhs6fUQBHgx' +
    'wbcpwggARQAAVKbyAABAAed4xjNkBcAAAgUIAFt6OggAAFU77BAABzYnCAkKCwwN' +
    'Dg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3AAAAmgAA' +
    'AJoAAACyAAAAAFU+rw8AAAo62Gzp9RAEeDHBtynCCABFAACMI0UAAEAy3lvLAHGZ' +
    'ywBxBQECAwQAAAAFEBESExQVFhckA5QouX9BfjwTdTpPBQh7Z8NS5qf6sbmC1Gbv' +
    'QHrlxhTugJnVKETrYaqV36tMAvcqpx58TE9kyb7+L6zGOOjzy+wWP6xGm1Anc/b7' +
    'lOZk2pFluCgp9kHgdqqoJmt/sPexGzaZB+GtQwAAAG8AAABvAAAAhwAAAABVPq8P' +
    'AAARH9hs6fUQBHgxwbcpwggARQAAYSNFAABAEd6nywBxmcsAcQUB9AH0AE0IUcDB' +
    'wsPExcbH0NHS09TV1tcuICUAAAAACQAAAEUpAAApEBESExQVFhdhA5RwH40Bf3wS' +
    'kkiJa3G/4lI279fNxnBmkGMVsg==',
};
