// IKE control-plane cryptography (IKEv1 and IKEv2), on node:crypto: D-H groups, PRFs and key
// derivation, IKEv1 payload encryption, certificates and signatures. Nothing here logs; key
// material is wiped with wipe() where this code owns it.
export { wipe, concat, random, u32be, equalConstantTime } from './bytes.js';
export { HASH_NAMES, hashBytes, hashFromIkev1, hashFromIkev2Prf, hashOf, prf, prfPlus, type HashName } from './prf.js';
export { DH_GROUPS, DhError, dhGroup, dhPrivateFromBytes, type DhGroup, type DhPrivate } from './dh.js';
export {
  cbcDecrypt, cbcEncrypt, deriveIsakmpKeys, encryptionAlgorithm, expandKa, hashI, hashR, informationalHash, keymat,
  lastBlock, padPayloads, phase1Iv, phase2Iv, quickHash1, quickHash2, quickHash3, skeyidPsk, skeyidSig,
  type IsakmpKeys, type Phase1Cipher, type Phase1CipherName, type Phase1HashInput,
} from './ikev1.js';
export {
  childKeys, deriveIkeKeys, KEY_PAD, macedId, pskAuth, rekeySkeyseed, skeyseed, type IkeKeys, type IkeKeySizes,
} from './ikev2.js';
export {
  basicConstraints, certLabel, certMatchesId, ID_TYPE, loadCertificate, loadCertificates, loadPrivateKey, MAX_PATH,
  subjectDer, validity, verifyChain, type ChainResult,
} from './certs.js';
export {
  algorithmIdentifier, decodeAuth, encodeAuth, schemeFromAlgorithmIdentifier, SIGNATURE_SCHEMES, signV1, signV2,
  verifyV1, verifyV2, type SignatureScheme,
} from './signature.js';
