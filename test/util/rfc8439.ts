// Test vectors of RFC 8439 (ChaCha20 and Poly1305 for IETF Protocols), typed in from the RFC's
// text. Byte strings are hex (whitespace ignored); texts the RFC prints as hex dumps of ASCII are
// given as strings and checked against their lengths in the RFC.
import { hex } from './vectors.js';

/** §2.4.2 and §2.8.2 plaintext, 114 bytes. */
export const SUNSCREEN =
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

/** A.2 #2 and A.3 #2, #3 text, 375 bytes. */
export const IETF_NOTE =
  'Any submission to the IETF intended by the Contributor for publication as all or part of an IETF ' +
  'Internet-Draft or RFC and any statement made within the context of an IETF activity is considered ' +
  'an "IETF Contribution". Such statements include oral statements in IETF sessions, as well as ' +
  'written and electronic communications made at any time or place, which are addressed to';

/** A.2 #3 and A.3 #4 text, 127 bytes. */
export const JABBERWOCKY =
  "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n" +
  'All mimsy were the borogoves,\nAnd the mome raths outgrabe.';

/** A.5 plaintext, 265 bytes (UTF-8; the quotes are U+201C and U+201D). */
export const INTERNET_DRAFTS =
  'Internet-Drafts are draft documents valid for a maximum of six months and may be updated, ' +
  'replaced, or obsoleted by other documents at any time. It is inappropriate to use ' +
  'Internet-Drafts as reference material or to cite them other than as /\u201cwork in progress./\u201d';

const KEY_00_1F = '000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f';
const KEY_80_9F = '808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f';
const KEY_ZERO = '00'.repeat(32);
const KEY_ONE = '00'.repeat(31) + '01';
const KEY_JABBER = '1c9240a5eb55d38af333888604f6b5f0 473917c1402b80099dca5cbc207075c0';
const NONCE_ZERO = '00'.repeat(12);
const NONCE_2 = '00'.repeat(11) + '02';

export interface BlockVector { name: string; key: string; nonce: string; counter: number; keyStream: string }

/** Key stream blocks (the serialized block function output, §2.3): §2.3.2 and A.1. */
export const BLOCKS: BlockVector[] = [
  {
    name: '§2.3.2', key: KEY_00_1F, nonce: '000000090000004a00000000', counter: 1,
    keyStream: '10f1e7e4d13b5915500fdd1fa32071c4 c7d1f4c733c068030422aa9ac3d46c4e' +
      'd2826446079faa0914c2d705d98b02a2 b5129cd1de164eb9cbd083e8a2503c4e',
  },
  {
    name: 'A.1 #1', key: KEY_ZERO, nonce: NONCE_ZERO, counter: 0,
    keyStream: '76b8e0ada0f13d90405d6ae55386bd28 bdd219b8a08ded1aa836efcc8b770dc7' +
      'da41597c5157488d7724e03fb8d84a37 6a43b8f41518a11cc387b669b2ee6586',
  },
  {
    name: 'A.1 #2', key: KEY_ZERO, nonce: NONCE_ZERO, counter: 1,
    keyStream: '9f07e7be5551387a98ba977c732d080d cb0f29a048e3656912c6533e32ee7aed' +
      '29b721769ce64e43d57133b074d839d5 31ed1f28510afb45ace10a1f4b794d6f',
  },
  {
    name: 'A.1 #3', key: KEY_ONE, nonce: NONCE_ZERO, counter: 1,
    keyStream: '3aeb5224ecf849929b9d828db1ced4dd 832025e8018b8160b82284f3c949aa5a' +
      '8eca00bbb4a73bdad192b5c42f73f2fd 4e273644c8b36125a64addeb006c13a0',
  },
  {
    name: 'A.1 #4', key: '00ff' + '00'.repeat(30), nonce: NONCE_ZERO, counter: 2,
    keyStream: '72d54dfbf12ec44b362692df94137f32 8fea8da73990265ec1bbbea1ae9af0ca' +
      '13b25aa26cb4a648cb9b9d1be65b2c09 24a66c54d545ec1b7374f4872e99f096',
  },
  {
    name: 'A.1 #5', key: KEY_ZERO, nonce: NONCE_2, counter: 0,
    keyStream: 'c2c64d378cd536374ae204b9ef933fcd 1a8b2288b3dfa49672ab765b54ee27c7' +
      '8a970e0e955c14f3a88e741b97c286f7 5f8fc299e8148362fa198a39531bed6d',
  },
];

export interface CipherVector { name: string; key: string; nonce: string; counter: number; plaintext: Uint8Array | string; ciphertext: string }

/** ChaCha20 encryption (§2.4): §2.4.2 and A.2. */
export const ENCRYPTIONS: CipherVector[] = [
  {
    name: '§2.4.2', key: KEY_00_1F, nonce: '000000000000004a00000000', counter: 1, plaintext: SUNSCREEN,
    ciphertext: '6e2e359a2568f98041ba0728dd0d6981 e97e7aec1d4360c20a27afccfd9fae0b' +
      'f91b65c5524733ab8f593dabcd62b357 1639d624e65152ab8f530c359f0861d8' +
      '07ca0dbf500d6a6156a38e088a22b65e 52bc514d16ccf806818ce91ab7793736' +
      '5af90bbf74a35be6b40b8eedf2785e42 874d',
  },
  {
    name: 'A.2 #1', key: KEY_ZERO, nonce: NONCE_ZERO, counter: 0, plaintext: new Uint8Array(64),
    ciphertext: '76b8e0ada0f13d90405d6ae55386bd28 bdd219b8a08ded1aa836efcc8b770dc7' +
      'da41597c5157488d7724e03fb8d84a37 6a43b8f41518a11cc387b669b2ee6586',
  },
  {
    name: 'A.2 #2', key: KEY_ONE, nonce: NONCE_2, counter: 1, plaintext: IETF_NOTE,
    ciphertext: 'a3fbf07df3fa2fde4f376ca23e827370 41605d9f4f4f57bd8cff2c1d4b7955ec' +
      '2a97948bd3722915c8f3d337f7d37005 0e9e96d647b7c39f56e031ca5eb6250d' +
      '4042e02785ececfa4b4bb5e8ead0440e 20b6e8db09d881a7c6132f420e527950' +
      '42bdfa7773d8a9051447b3291ce1411c 680465552aa6c405b7764d5e87bea85a' +
      'd00f8449ed8f72d0d662ab052691ca66 424bc86d2df80ea41f43abf937d3259d' +
      'c4b2d0dfb48a6c9139ddd7f76966e928 e635553ba76c5c879d7b35d49eb2e62b' +
      '0871cdac638939e25e8a1e0ef9d5280f a8ca328b351c3c765989cbcf3daa8b6c' +
      'cc3aaf9f3979c92b3720fc88dc95ed84 a1be059c6499b9fda236e7e818b04b0b' +
      'c39c1e876b193bfe5569753f88128cc0 8aaa9b63d1a16f80ef2554d7189c411f' +
      '5869ca52c5b83fa36ff216b9c1d30062 bebcfd2dc5bce0911934fda79a86f6e6' +
      '98ced759c3ff9b6477338f3da4f9cd85 14ea9982ccafb341b2384dd902f3d1ab' +
      '7ac61dd29c6f21ba5b862f3730e37cfd c4fd806c22f221',
  },
  {
    name: 'A.2 #3', key: KEY_JABBER, nonce: NONCE_2, counter: 42, plaintext: JABBERWOCKY,
    ciphertext: '62e6347f95ed87a45ffae7426f27a1df 5fb69110044c0d73118effa95b01e5cf' +
      '166d3df2d721caf9b21e5fb14c616871 fd84c54f9d65b283196c7fe4f60553eb' +
      'f39c6402c42234e32a356b3e764312a6 1a5532055716ead6962568f87d3f3f77' +
      '04c6a8d1bcd1bf4d50d6154b6da731b1 87b58dfd728afa36757a797ac188d1',
  },
];

export interface MacVector { name: string; key: string; message: Uint8Array | string; tag: string }

const R1 = '01' + '00'.repeat(15);
const R2 = '02' + '00'.repeat(15);
const S0 = '00'.repeat(16);

/** Poly1305 (§2.5): §2.5.2 and A.3, including A.3 #5–#11, the reduction edge cases. */
export const MACS: MacVector[] = [
  {
    name: '§2.5.2', key: '85d6be7857556d337f4452fe42d506a8 0103808afb0db2fd4abff6af4149f51b',
    message: 'Cryptographic Forum Research Group', tag: 'a8061dc1305136c6c22b8baf0c0127a9',
  },
  { name: 'A.3 #1', key: '00'.repeat(32), message: new Uint8Array(64), tag: '00'.repeat(16) },
  {
    name: 'A.3 #2 (r = 0: tag = s)', key: '00'.repeat(16) + '36e5f6b5c5e06070f0efca96227a863e',
    message: IETF_NOTE, tag: '36e5f6b5c5e06070f0efca96227a863e',
  },
  {
    name: 'A.3 #3', key: '36e5f6b5c5e06070f0efca96227a863e' + '00'.repeat(16),
    message: IETF_NOTE, tag: 'f3477e7cd95417af89a6b8794c310cf0',
  },
  { name: 'A.3 #4', key: KEY_JABBER, message: JABBERWOCKY, tag: '4541669a7eaaee61e708dc7cbcc5eb62' },
  {
    name: 'A.3 #5 (partially reduced result not fully reduced)', key: R2 + S0,
    message: hex('ff'.repeat(16)), tag: '03' + '00'.repeat(15),
  },
  {
    name: 'A.3 #6 (adding s overflows 2^128)', key: R2 + 'ff'.repeat(16),
    message: hex('02' + '00'.repeat(15)), tag: '03' + '00'.repeat(15),
  },
  {
    name: 'A.3 #7 (data limb all ones with carry from below)', key: R1 + S0,
    message: hex('ff'.repeat(16) + 'f0' + 'ff'.repeat(15) + '11' + '00'.repeat(15)),
    tag: '05' + '00'.repeat(15),
  },
  {
    name: 'A.3 #8 (result exactly 2^130 - 5)', key: R1 + S0,
    message: hex('ff'.repeat(16) + 'fb' + 'fe'.repeat(15) + '01'.repeat(16)),
    tag: '00'.repeat(16),
  },
  {
    name: 'A.3 #9 (result exactly 2^130 - 6)', key: R2 + S0,
    message: hex('fd' + 'ff'.repeat(15)), tag: 'fa' + 'ff'.repeat(15),
  },
  {
    name: 'A.3 #10 (5*H+L reduction gives a 131-bit intermediate)',
    key: '01000000000000000400000000000000' + S0,
    message: hex('e33594d7505e43b9 0000000000000000 3394d7505e4379cd 0100000000000000' +
      '00'.repeat(16) + '01' + '00'.repeat(15)),
    tag: '14000000000000005500000000000000',
  },
  {
    name: 'A.3 #11 (5*H+L reduction gives a 131-bit final result)',
    key: '01000000000000000400000000000000' + S0,
    message: hex('e33594d7505e43b9 0000000000000000 3394d7505e4379cd 0100000000000000' + '00'.repeat(16)),
    tag: '13000000000000000000000000000000',
  },
];

export interface KeyGenVector { name: string; key: string; nonce: string; oneTimeKey: string }

/** Poly1305 one-time key generation (§2.6): §2.6.2, §2.8.2 and A.4. */
export const KEYGENS: KeyGenVector[] = [
  {
    name: '§2.6.2', key: KEY_80_9F, nonce: '000000000001020304050607',
    oneTimeKey: '8ad5a08b905f81cc815040274ab29471 a833b637e3fd0da508dbb8e2fdd1a646',
  },
  {
    name: '§2.8.2', key: KEY_80_9F, nonce: '07000000 4041424344454647',
    oneTimeKey: '7bac2b252db447af09b67a55a4e95584 0ae1d6731075d9eb2a9375783ed553ff',
  },
  {
    name: 'A.4 #1', key: KEY_ZERO, nonce: NONCE_ZERO,
    oneTimeKey: '76b8e0ada0f13d90405d6ae55386bd28 bdd219b8a08ded1aa836efcc8b770dc7',
  },
  {
    name: 'A.4 #2', key: KEY_ONE, nonce: NONCE_2,
    oneTimeKey: 'ecfa254f845f647473d3cb140da9e876 06cb33066c447b87bc2666dde3fbb739',
  },
  {
    name: 'A.4 #3', key: KEY_JABBER, nonce: NONCE_2,
    oneTimeKey: '965e3bc6f9ec7ed9560808f4d229f94b 137ff275ca9b3fcbdd59deaad23310ae',
  },
];

export interface AeadVector { name: string; key: string; nonce: string; aad: string; plaintext: string; ciphertext: string; tag: string }

/** AEAD_CHACHA20_POLY1305 (§2.8): §2.8.2 (sealing) and A.5 (opening). */
export const AEADS: AeadVector[] = [
  {
    name: '§2.8.2', key: KEY_80_9F, nonce: '07000000 4041424344454647', aad: '50515253c0c1c2c3c4c5c6c7',
    plaintext: SUNSCREEN,
    ciphertext: 'd31a8d34648e60db7b86afbc53ef7ec2 a4aded51296e08fea9e2b5a736ee62d6' +
      '3dbea45e8ca9671282fafb69da92728b 1a71de0a9e060b2905d6a5b67ecd3b36' +
      '92ddbd7f2d778b8c9803aee328091b58 fab324e4fad675945585808b4831d7bc' +
      '3ff4def08e4b7a9de576d26586cec64b 6116',
    tag: '1ae10b594f09e26a7e902ecbd0600691',
  },
  {
    name: 'A.5', key: KEY_JABBER, nonce: '000000000102030405060708', aad: 'f33388860000000000004e91',
    plaintext: INTERNET_DRAFTS,
    ciphertext: '64a0861575861af460f062c79be643bd 5e805cfd345cf389f108670ac76c8cb2' +
      '4c6cfc18755d43eea09ee94e382d26b0 bdb7b73c321b0100d4f03b7f355894cf' +
      '332f830e710b97ce98c8a84abd0b9481 14ad176e008d33bd60f982b1ff37c855' +
      '9797a06ef4f0ef61c186324e2b350638 3606907b6a7c02b0f9f6157b53c867e4' +
      'b9166c767b804d46a59b5216cde7a4e9 9040c5a40433225ee282a1b0a06c523e' +
      'af4534d7f83fa1155b0047718cbc546a 0d072b04b3564eea1b422273f548271a' +
      '0bb2316053fa76991955ebd63159434e cebb4e466dae5a1073a6727627097a10' +
      '49e617d91d361094fa68f0ff77987130 305beaba2eda04df997b714d6c6f2c29' +
      'a6ad5cb4022b02709b',
    tag: 'eead9d67890cbb22392336fea1851f38',
  },
];
