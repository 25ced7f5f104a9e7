// The execution engine behind the IC HTTP interface.
import type { CertifiedCanister, ReplicaBackend } from '../http_interface';
import type { LocalIc } from '../local_ic';

export function localIcReplicaBackend(ic: LocalIc): ReplicaBackend {
  return {
    nowNanos: () => ic.time,
    // LocalIc.updateCall makes the ingress checks itself (canister exists, is running,
    // has the cycles, inspect_message accepts); a refusal comes back as its rejection.
    inspectIngress: async () => undefined,
    update: (call) => ic.updateCall(call.canisterId, call.methodName, call.arg, { sender: call.caller }),
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
