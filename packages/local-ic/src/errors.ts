/**
 * Errors the local IC throws at its host-side API (tests, the HTTP layer).
 * Outcomes the IC itself would report to a caller (traps, rejects) are not
 * thrown: they come back as `CallResult` rejections.
 */
export class LocalIcError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The bytes handed to install are not a canister module the local IC can run. */
export class InvalidWasmModuleError extends LocalIcError {
  constructor(message: string) {
    super('invalid_wasm_module', message);
  }
}

/** The module imports a function (or other item) the local IC does not provide. */
export class UnsupportedImportError extends LocalIcError {
  readonly importModule: string;
  readonly importName: string;

  constructor(importModule: string, importName: string, reason: string) {
    super('unsupported_import', `Wasm module imports "${importModule}"."${importName}": ${reason}`);
    this.importModule = importModule;
    this.importName = importName;
  }
}

/**
 * A management operation requested through the host API was rejected, as the
 * IC would reject the equivalent management-canister call.
 */
export class ManagementRejectedError extends LocalIcError {
  readonly rejectCode: number;
  readonly errorCode: string;

  constructor(rejectCode: number, errorCode: string, message: string) {
    super('management_rejected', message);
    this.rejectCode = rejectCode;
    this.errorCode = errorCode;
  }
}

/** An update call did not finish within the configured number of rounds. */
export class ExecutionStalledError extends LocalIcError {
  constructor(message: string) {
    super('execution_stalled', message);
  }
}

/** Saving or loading local IC state to or from a folder failed. */
export class StateStoreError extends LocalIcError {
  constructor(message: string) {
    super('state_store', message);
  }
}

/** The host API was used wrongly (bad argument, closed instance, ...). */
export class InvalidArgumentError extends LocalIcError {
  constructor(message: string) {
    super('invalid_argument', message);
  }
}
