export type { KeyName, ManagementMethod, SchnorrAlgorithm, ThresholdAlgorithm } from './key-ids';
export { KEY_NAMES, existingKeyIds, formatKeyId } from './key-ids';
export type { DerivedPublicKey, ThresholdKeys } from './threshold-keys';
export { createThresholdKeys } from './threshold-keys';
export type { SigningScheme } from './fees';
export { checkSigningFee, signingFee } from './fees';
export { keyHoldingSubnetSize } from './key-subnets';
export type { MasterPublicKey } from './master-keys';
export { localMasterPublicKey } from './master-keys';
export {
  MAX_DERIVATION_PATH_LENGTH,
  validatePublicKeyRequest,
  validateSignWithEcdsa,
  validateSignWithSchnorr
} from './request-validation';
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
