// The execution engine behind the IC HTTP interface.
import { IcHttpInterface, type CertifiedCanister, type IcHttpInterfaceOptions, type ReplicaBackend } from '../http_interface';
import type { LocalIc } from '../local_ic';

/**
 * The IC HTTP interface in front of `ic`, which also certifies the data
 * certificates of the queries `ic` runs by itself (gateway, in-process calls).
 */
export function icHttpInterfaceFor(ic: LocalIc, options: Omit<IcHttpInterfaceOptions, 'backend'>): IcHttpInterface {
  const api = new IcHttpInterface({ ...options, backend: localIcReplicaBackend(ic) });
  ic.setCertificateProvider({ dataCertificate: (id, data, time) => api.dataCertificateAt(id, data, time) });
  return api;
}

export function localIcReplicaBackend(ic: LocalIc): ReplicaBackend {
  return {
    nowNanos: () => ic.time,
    // LocalIc.updateCall makes the ingress checks itself (canister exists, is running,
    // has the cycles, inspect_message accepts); a refusal comes back as its rejection.
    inspectIngress: async () => undefined,
    update: (call) => ic.updateCall(call.canisterId, call.methodName, call.arg, {
        sender: call.caller,
        messageBytes: call.messageBytes,
        effectiveCanisterId: call.effectiveCanisterId
      }),
    query: (call) =>
      ic.queryCall(call.canisterId, call.methodName, call.arg, {
        sender: call.caller,
        certificateProvider: { dataCertificate: (_id, certifiedData, time) => call.dataCertificateAt(certifiedData, time) }
      }),
    *certifiedCanisters(): Iterable<CertifiedCanister> {
      for (const id of ic.canisterIds()) {
        yield {
          id,
          certifiedData: ic.certifiedData(id),
          moduleHash: ic.moduleHash(id),
          controllers: ic.controllers(id),
          metadata: ic.metadata(id)
        };
      }
    }
  };
}
