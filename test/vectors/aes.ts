// Published AES vectors, typed in from their sources.

/** FIPS-197 Appendix C: the example vectors, plaintext 00112233445566778899aabbccddeeff. */
export const FIPS197 = [
  { name: 'C.1 AES-128', key: '000102030405060708090a0b0c0d0e0f', ct: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  { name: 'C.2 AES-192', key: '000102030405060708090a0b0c0d0e0f1011121314151617', ct: 'dda97ca4864cdfe06eaf70a0ec0d7191' },
  { name: 'C.3 AES-256', key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', ct: '8ea2b7ca516745bfeafc49904b496089' },
];
export const FIPS197_PT = '00112233445566778899aabbccddeeff';

/** NIST SP 800-38A Appendix F: the common plaintext of F.2 (CBC) and F.5 (CTR). */
export const SP800_38A_PT =
  '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' +
  '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710';
const K128 = '2b7e151628aed2a6abf7158809cf4f3c';
const K192 = '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b';
const K256 = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4';

/** SP 800-38A F.2.1, F.2.3, F.2.5 (CBC-AES128/192/256.Encrypt; the .Decrypt cases are their inverses). */
export const SP800_38A_CBC = [
  { name: 'F.2.1 CBC-AES128', key: K128, iv: '000102030405060708090a0b0c0d0e0f',
    ct: '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7' },
  { name: 'F.2.3 CBC-AES192', key: K192, iv: '000102030405060708090a0b0c0d0e0f',
    ct: '4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd' },
  { name: 'F.2.5 CBC-AES256', key: K256, iv: '000102030405060708090a0b0c0d0e0f',
    ct: 'f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b' },
];

/** SP 800-38A F.5.1, F.5.5 (CTR-AES128/256.Encrypt). */
export const SP800_38A_CTR = [
  { name: 'F.5.1 CTR-AES128', key: K128, ctr: 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
    ct: '874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee' },
  { name: 'F.5.5 CTR-AES256', key: K256, ctr: 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
    ct: '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6' },
];

// The GCM specification's test cases (McGrew & Viega, "The Galois/Counter Mode of Operation",
// revised 2005, Appendix B): cases 1-4 (AES-128), 7-10 (AES-192) and 13-16 (AES-256); the cases
// with IVs other than 96 bits (5, 6, 11, 12, 17, 18) are outside what ESP uses.
const GCM_K = 'feffe9928665731c6d6a8f9467308308';
const GCM_IV = 'cafebabefacedbaddecaf888';
const GCM_P =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const GCM_P60 = GCM_P.slice(0, 120);
const GCM_A = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const Z96 = '000000000000000000000000';
const Z128 = '00000000000000000000000000000000';

export const GCM_SPEC = [
  { name: 'case 1', key: Z128, iv: Z96, aad: '', pt: '', ct: '', tag: '58e2fccefa7e3061367f1d57a4e7455a' },
  { name: 'case 2', key: Z128, iv: Z96, aad: '', pt: Z128, ct: '0388dace60b6a392f328c2b971b2fe78', tag: 'ab6e47d42cec13bdf53a67b21257bddf' },
  { name: 'case 3', key: GCM_K, iv: GCM_IV, aad: '', pt: GCM_P,
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4' },
  { name: 'case 4', key: GCM_K, iv: GCM_IV, aad: GCM_A, pt: GCM_P60,
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47' },
  { name: 'case 7', key: Z128 + '0000000000000000', iv: Z96, aad: '', pt: '', ct: '', tag: 'cd33b28ac773f74ba00ed1f312572435' },
  { name: 'case 8', key: Z128 + '0000000000000000', iv: Z96, aad: '', pt: Z128, ct: '98e7247c07f0fe411c267e4384b0f600', tag: '2ff58d80033927ab8ef4d4587514f0fb' },
  { name: 'case 9', key: GCM_K + 'feffe9928665731c', iv: GCM_IV, aad: '', pt: GCM_P,
    ct: '3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256',
    tag: '9924a7c8587336bfb118024db8674a14' },
  { name: 'case 10', key: GCM_K + 'feffe9928665731c', iv: GCM_IV, aad: GCM_A, pt: GCM_P60,
    ct: '3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710',
    tag: '2519498e80f1478f37ba55bd6d27618c' },
  { name: 'case 13', key: Z128 + Z128, iv: Z96, aad: '', pt: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { name: 'case 14', key: Z128 + Z128, iv: Z96, aad: '', pt: Z128, ct: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  { name: 'case 15', key: GCM_K + GCM_K, iv: GCM_IV, aad: '', pt: GCM_P,
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    tag: 'b094dac5d93471bdec1a502270e3cc6c' },
  { name: 'case 16', key: GCM_K + GCM_K, iv: GCM_IV, aad: GCM_A, pt: GCM_P60,
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b' },
];
