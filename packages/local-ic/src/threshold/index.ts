export type { KeyName, ManagementMethod, SchnorrAlgorithm, ThresholdAlgorithm } from './key_ids';
export { KEY_NAMES, existingKeyIds, formatKeyId } from './key_ids';
export type { DerivedPublicKey, ThresholdKeys } from './threshold_keys';
export { createThresholdKeys } from './threshold_keys';
export type { SigningScheme } from './fees';
export { checkSigningFee, signingFee } from './fees';
export { heldKeyNames, keyHoldingSubnetSize } from './key_subnets';
export type { MasterPublicKey } from './master_keys';
export { localMasterPublicKey } from './master_keys';
export {
  MAX_DERIVATION_PATH_LENGTH,
  validatePublicKeyRequest,
  validateSignWithEcdsa,
  validateSignWithSchnorr
} from './request_validation';
export {
  DerivationPathTooLongError,
  InsufficientCyclesError,
  InvalidManagementPayloadError,
  InvalidSchnorrAuxError,
  MessageHashLengthError,
  RejectCode,
  SchnorrAuxNotSupportedError,
  ThresholdKeyError,
  UnknownThresholdKeyError
} from './errors';
