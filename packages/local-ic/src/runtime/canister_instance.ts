import type { CanisterModule } from '../wasm/canister_module.js';
import { CommittedMemory } from './committed_memory.js';
import type { ExecutionContext, TableCallback } from './execution_context.js';
import { SystemApi, type SystemApiEnvironment } from './system_api.js';
import { CanisterTrap, trapFromError } from './traps.js';

export type GlobalValue = number | bigint;

/** What to run: an exported function by name, or a callback from the function table. */
export type EntryPoint = { readonly exportName: string } | { readonly callback: TableCallback };

/**
 * One instantiation of a canister module, with its committed state (memory
 * and mutable globals as of the last committed message).
 */
export class CanisterInstance {
  private instance: WebAssembly.Instance;
  private memory: WebAssembly.Memory | undefined;
  private readonly committedMemory: CommittedMemory | undefined;
  private committedGlobals: GlobalValue[];

  private constructor(
    readonly module: CanisterModule,
    private readonly systemApi: SystemApi,
    instance: WebAssembly.Instance,
    committedMemory: CommittedMemory | undefined,
    committedGlobals: GlobalValue[]
  ) {
    this.instance = instance;
    this.memory = memoryOf(module, instance);
    this.committedMemory = committedMemory;
    this.committedGlobals = committedGlobals;
    systemApi.attachMemory(this.memory);
  }

  /** A fresh instance, as after Wasm instantiation (the start function has not run). */
  static create(module: CanisterModule, environment: SystemApiEnvironment): CanisterInstance {
    const systemApi = new SystemApi(environment);
    const instance = instantiate(module, systemApi);
    const memory = memoryOf(module, instance);
    return new CanisterInstance(
      module,
      systemApi,
      instance,
      memory === undefined ? undefined : CommittedMemory.capture(memory),
      readGlobals(module, instance)
    );
  }

  /** An instance holding previously saved memory and globals (no start function is run). */
  static restore(
    module: CanisterModule,
    environment: SystemApiEnvironment,
    memoryBytes: Uint8Array | undefined,
    globals: readonly GlobalValue[]
  ): CanisterInstance {
    const systemApi = new SystemApi(environment);
    const instance = instantiate(module, systemApi);
    const committedMemory = memoryBytes === undefined ? undefined : CommittedMemory.fromBytes(memoryBytes);
    const restored = new CanisterInstance(module, systemApi, instance, committedMemory, [...globals]);
    restored.loadCommittedState(instance);
    return restored;
  }

  get memoryBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  get globalCount(): number {
    return this.committedGlobals.length;
  }

  hasExport(name: string): boolean {
    return typeof this.instance.exports[name] === 'function';
  }

  /** Runs an entry point with the given context; returns the trap if it trapped. */
  run(context: ExecutionContext, entry: EntryPoint): CanisterTrap | undefined {
    this.systemApi.execution = context;
    try {
      this.resolve(entry)();
      return undefined;
    } catch (error) {
      return trapFromError(error);
    } finally {
      this.systemApi.execution = undefined;
    }
  }

  /** Makes the current memory and globals the committed state. */
  commit(): void {
    if (this.memory !== undefined) this.committedMemory?.commitFrom(this.memory);
    this.committedGlobals = readGlobals(this.module, this.instance);
  }

  /** Puts the committed memory and globals back. */
  rollback(): void {
    if (this.memory !== undefined && this.committedMemory !== undefined && !this.committedMemory.restoreInto(this.memory)) {
      // The memory grew and cannot shrink: continue in a fresh instance.
      this.loadCommittedState(instantiate(this.module, this.systemApi));
      return;
    }
    writeGlobals(this.module, this.instance, this.committedGlobals);
  }

  /** The committed memory and globals, for saving (valid until the next message). */
  committedState(): { memory: Uint8Array | undefined; globals: readonly GlobalValue[] } {
    return { memory: this.committedMemory?.bytes(), globals: this.committedGlobals };
  }

  private loadCommittedState(instance: WebAssembly.Instance): void {
    this.instance = instance;
    this.memory = memoryOf(this.module, instance);
    if (this.memory !== undefined) this.committedMemory?.writeInto(this.memory);
    this.systemApi.attachMemory(this.memory);
    writeGlobals(this.module, instance, this.committedGlobals);
  }

  private resolve(entry: EntryPoint): () => void {
    if ('exportName' in entry) {
      const exported = this.instance.exports[entry.exportName];
      if (typeof exported !== 'function') {
        throw CanisterTrap.contractViolation(`the module does not export a function '${entry.exportName}'`);
      }
      return exported as () => void;
    }
    const table = this.module.tableExport === undefined ? undefined : this.instance.exports[this.module.tableExport];
    const { fun, env } = entry.callback;
    const target =
      table instanceof WebAssembly.Table && fun < table.length ? (table.get(fun) as ((env: number) => void) | null) : null;
    if (typeof target !== 'function' || target.length !== 1) {
      throw CanisterTrap.contractViolation(`requested to invoke a non-existent Wasm function ${fun} from table 0`);
    }
    return () => target(env);
  }
}

function instantiate(module: CanisterModule, systemApi: SystemApi): WebAssembly.Instance {
  return new WebAssembly.Instance(module.compiled, { ic0: systemApi.imports as WebAssembly.ModuleImports });
}

function memoryOf(module: CanisterModule, instance: WebAssembly.Instance): WebAssembly.Memory | undefined {
  const memory = module.memoryExport === undefined ? undefined : instance.exports[module.memoryExport];
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

function globalsOf(module: CanisterModule, instance: WebAssembly.Instance): WebAssembly.Global[] {
  return module.mutableGlobalExports.map((name) => instance.exports[name] as WebAssembly.Global);
}

function readGlobals(module: CanisterModule, instance: WebAssembly.Instance): GlobalValue[] {
  return globalsOf(module, instance).map((global) => global.value as GlobalValue);
}

function writeGlobals(module: CanisterModule, instance: WebAssembly.Instance, values: readonly GlobalValue[]): void {
  globalsOf(module, instance).forEach((global, index) => {
    const value = values[index];
    if (value !== undefined && global.value !== value) global.value = value;
  });
}
