// The PocketIC REST API that @dfinity/pic uses, over PocketInstances: paths, JSON shapes and the
// real server's error replies (400 with {"message": ...}; {"Error": {"message"}} on creation).
import { ManagementRejectedError } from '../shared/errors.js';
import { routeRequest, type RunningReplicaServer } from '../http_interface/index.js';
import { warmUpInstrumenter } from '../wasm/warm_up_module.js';
import { BlobStore } from './blob_store.js';
import { InstanceOperationError, PocketInstance } from './instance.js';
import { parseJson, stringifyJson } from './json.js';
import {
  asObject,
  BadRequestError,
  base64Bytes,
  bytesField,
  canisterResult,
  effectivePrincipalField,
  encodeEffectivePrincipal,
  naturalField,
  principalField,
  rawSubnetId,
  stringField,
  toBase64,
  type JsonObject
} from './rest_types.js';
import { planSubnets, subnetRequests } from './subnet_layout.js';

export interface ApiRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface ApiReply {
  readonly status: number;
  readonly contentType?: string;
  readonly body: Uint8Array | string;
}

export interface PocketIcApiOptions {
  /** Canister debug output to stderr (the real server's canister logs). */
  readonly debugPrintToStderr?: boolean;
}

type InstanceHandler = (instance: PocketInstance, body: JsonObject) => unknown;

const JSON_TYPE = 'application/json';
const ok = (value: unknown): ApiReply => ({ status: 200, contentType: JSON_TYPE, body: stringifyJson(value ?? null) });
const failure = (status: number, message: string): ApiReply => ({ status, contentType: JSON_TYPE, body: stringifyJson({ message }) });
const notFound = (): ApiReply => ({ status: 404, body: '' });
/** The request body as text, read in place (a chunk upload's body is over a megabyte). */
const utf8 = (body: Uint8Array): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');

interface Gateway {
  readonly instance: PocketInstance;
  readonly server: RunningReplicaServer;
}

export class PocketIcApi {
  /** Deleted instances stay as `undefined`, so ids are never reused (and GET /instances says "Deleted"). */
  private readonly instances: (PocketInstance | undefined)[] = [];
  private readonly gateways: (Gateway | undefined)[] = [];
  private readonly blobs = new BlobStore();
  private readonly reads: Readonly<Record<string, InstanceHandler>>;
  private readonly updates: Readonly<Record<string, InstanceHandler>>;

  private deletions = 0;

  constructor(private readonly options: PocketIcApiOptions = {}) {
    this.reads = {
      query: async (instance, body) =>
        canisterResult(
          await instance.query(principalField(body, 'canister_id'), stringField(body, 'method'), bytesField(body, 'payload'), principalField(body, 'sender'), effectivePrincipalField(body, 'effective_principal')),
          false
        ),
      get_time: (instance) => ({ nanos_since_epoch: instance.time() }),
      get_cycles: (instance, body) => ({ cycles: instance.cycles(principalField(body, 'canister_id')) }),
      get_stable_memory: (instance, body) => ({ blob: toBase64(instance.stableMemory(principalField(body, 'canister_id'))) }),
      get_subnet: (instance, body) => {
        const subnet = instance.subnetOf(principalField(body, 'canister_id'));
        return subnet === undefined ? null : rawSubnetId(subnet);
      },
      get_controllers: (instance, body) => instance.controllers(principalField(body, 'canister_id')).map((p) => ({ principal_id: toBase64(p.toUint8Array()) })),
      pub_key: (instance, body) => [...instance.subnetPublicKey(principalField(body, 'subnet_id'))],
      get_canister_http: () => [],
      ingress_status: (instance, body) => {
        const raw = asObject(body.raw_message_id, 'raw_message_id');
        const result = instance.ingressResult(bytesField(raw, 'message_id'));
        return result === undefined ? null : canisterResult(result, true);
      }
    };
    this.updates = {
      submit_ingress_message: async (instance, body) => {
        const submission = await instance.submit(
          principalField(body, 'canister_id'),
          stringField(body, 'method'),
          bytesField(body, 'payload'),
          principalField(body, 'sender'),
          effectivePrincipalField(body, 'effective_principal')
        );
        if (!submission.accepted) return canisterResult(submission.result, true);
        return { Ok: { effective_principal: encodeEffectivePrincipal(submission.effectivePrincipal), message_id: toBase64(submission.messageId) } };
      },
      await_ingress_message: async (instance, body) => canisterResult(await instance.awaitMessage(bytesField(body, 'message_id')), true),
      set_time: (instance, body) => instance.setTime(naturalField(body, 'nanos_since_epoch'), false),
      set_certified_time: (instance, body) => instance.setTime(naturalField(body, 'nanos_since_epoch'), true),
      add_cycles: (instance, body) => ({ cycles: instance.addCycles(principalField(body, 'canister_id'), naturalField(body, 'amount')) }),
      set_stable_memory: async (instance, body) => {
        const blobId = Buffer.from(base64Bytes(body.blob_id, 'blob_id')).toString('hex');
        const content = this.blobs.content(blobId);
        if (content === undefined) throw new InstanceOperationError(`BlobNotFound(${blobId})`);
        await instance.setStableMemory(principalField(body, 'canister_id'), content);
      },
      tick: (instance) => instance.tick(),
      // No outcall is ever pending here, so every request id is unknown (the real server's error).
      mock_canister_http: (_instance, body) => {
        const subnet = asObject(body.subnet_id, 'subnet_id');
        throw new InstanceOperationError(`InvalidCanisterHttpRequestId((${principalField(subnet, 'subnet_id').toText()}, ${naturalField(body, 'request_id')}))`);
      }
    };
  }

  async handle(request: ApiRequest): Promise<ApiReply> {
    try {
      return await this.dispatch(request);
    } catch (error) {
      if (error instanceof BadRequestError || error instanceof SyntaxError) return failure(400, `Invalid request: ${error.message}`);
      if (error instanceof InstanceOperationError) return failure(400, error.message);
      if (error instanceof ManagementRejectedError) return failure(400, error.message);
      return failure(500, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Instruments a generated module and creates and deletes one throwaway instance, so that first-use
   * set-up (the instrumenter's optimised code, curve tables, the code paths of instance creation) is
   * done before clients connect, not in their first create and install.
   */
  async warmUp(): Promise<void> {
    await warmUpInstrumenter();
    const instance = await PocketInstance.create(planSubnets(subnetRequests({ subnet_config_set: { application: [{}] } })));
    await instance.close();
  }

  /** Stops every gateway and instance (server shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.instances.map((_, id) => this.deleteInstance(id)));
  }

  private async dispatch({ method, path, headers, body }: ApiRequest): Promise<ApiReply> {
    const parts = path.split('/').filter((part) => part !== '');
    const [root, id, section, name] = parts;
    if (root === 'status' && parts.length === 1) return { status: 200, body: '' };
    if (root === 'blobstore') return this.blobstore(method, id, headers, body);
    if (root === 'http_gateway') return this.httpGateway(method, id, section, body);
    if (root !== 'instances') return notFound();
    if (id === undefined) {
      if (method === 'GET') return ok(this.instances.map((instance) => (instance === undefined ? 'Deleted' : 'Available')));
      if (method === 'POST') return this.createInstance(body);
      return notFound();
    }
    const instanceId = Number(id);
    const instance = Number.isSafeInteger(instanceId) ? this.instances[instanceId] : undefined;
    if (instance === undefined) {
      return failure(400, instanceId in this.instances ? `Instance ${id} was deleted` : `Instance ${id} not found`);
    }
    if (section === undefined && method === 'DELETE') {
      await this.deleteInstance(instanceId);
      return ok(null);
    }
    if (section === 'api') return this.icHttpInterface(instance, method, `/${parts.slice(2).join('/')}`, headers, body);
    if (section === '_' && name === 'topology' && method === 'GET') return ok(instance.topology());
    if (section === 'auto_progress' && parts.length === 3) {
      if (method === 'GET') return ok(instance.autoProgress);
      instance.setAutoProgress(true);
      return ok(null);
    }
    if (section === 'stop_progress' && method === 'POST') {
      instance.setAutoProgress(false);
      return ok(null);
    }
    const handlers = section === 'read' ? this.reads : section === 'update' ? this.updates : undefined;
    const handler = name === undefined || parts.length !== 4 ? undefined : handlers?.[name];
    if (handler === undefined) return notFound();
    const json = body.length === 0 ? {} : asObject(parseJson(utf8(body)), 'request body');
    return ok(await handler(instance, json));
  }

  private async createInstance(body: Uint8Array): Promise<ApiReply> {
    try {
      const config = asObject(parseJson(utf8(body)), 'request body');
      const features = config.icp_features;
      if (features !== undefined && features !== null && Object.values(asObject(features, 'icp_features')).some((v) => v !== null && v !== undefined)) {
        throw new BadRequestError('ICP features (system canisters such as the registry, ledgers or II) are not available on this server');
      }
      const initialTime = config.initial_time === undefined || config.initial_time === null ? undefined : asObject(config.initial_time, 'initial_time');
      const instance = await PocketInstance.create(planSubnets(subnetRequests(config)), {
        startTimeNanos: initialTime?.Timestamp === undefined ? undefined : naturalField(asObject(initialTime.Timestamp, 'Timestamp'), 'nanos_since_epoch'),
        autoProgress: initialTime?.AutoProgress !== undefined,
        debugPrint: this.options.debugPrintToStderr === true ? 'stderr' : undefined
      });
      const instanceId = this.instances.push(instance) - 1;
      return ok({ Created: { instance_id: instanceId, topology: instance.topology(), http_gateway_info: null } });
    } catch (error) {
      if (error instanceof BadRequestError || error instanceof InstanceOperationError || error instanceof SyntaxError) {
        return { status: 400, contentType: JSON_TYPE, body: stringifyJson({ Error: { message: error.message } }) };
      }
      throw error;
    }
  }

  /** Instances deleted since the server started (the server collects garbage after deletions). */
  get deletedInstanceCount(): number {
    return this.deletions;
  }

  private async deleteInstance(instanceId: number): Promise<void> {
    const instance = this.instances[instanceId];
    if (instance === undefined) return;
    this.instances[instanceId] = undefined;
    this.deletions += 1;
    this.gateways.forEach((gateway, gatewayId) => {
      if (gateway?.instance === instance) this.gateways[gatewayId] = undefined;
    });
    await instance.close();
  }

  private async httpGateway(method: string, id: string | undefined, action: string | undefined, body: Uint8Array): Promise<ApiReply> {
    if (method !== 'POST') return notFound();
    if (id === undefined) {
      const config = asObject(parseJson(utf8(body)), 'request body');
      const forwardTo = asObject(config.forward_to, 'forward_to');
      const target = typeof forwardTo.PocketIcInstance === 'number' ? this.instances[forwardTo.PocketIcInstance] : undefined;
      const refusal =
        config.https_config !== undefined && config.https_config !== null
          ? 'HTTPS gateways are not supported by this server'
          : target === undefined
            ? 'forward_to must name a live PocketIC instance of this server ({"PocketIcInstance": id})'
            : undefined;
      if (refusal !== undefined || target === undefined) return { status: 400, contentType: JSON_TYPE, body: stringifyJson({ Error: { message: refusal } }) };
      const port = typeof config.port === 'number' ? config.port : 0;
      const server = await target.startGateway(port);
      const gatewayId = this.gateways.push({ instance: target, server }) - 1;
      return ok({ Created: { instance_id: gatewayId, port: server.port } });
    }
    const gatewayId = Number(id);
    const gateway = Number.isSafeInteger(gatewayId) ? this.gateways[gatewayId] : undefined;
    if (action !== 'stop') return notFound();
    if (gateway !== undefined) {
      this.gateways[gatewayId] = undefined;
      await gateway.instance.stopGateway(gateway.server);
    }
    return ok(null);
  }

  private blobstore(method: string, id: string | undefined, headers: ApiRequest['headers'], body: Uint8Array): ApiReply {
    if (method === 'POST' && id === undefined) {
      const encoding = headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'gzip') return { status: 400, body: "Bad encoding: Only 'gzip' content encoding is supported" };
      return { status: 200, body: this.blobs.store(body, encoding === 'gzip') };
    }
    if (method === 'GET' && id !== undefined) {
      const blob = this.blobs.raw(id);
      return blob === undefined ? { status: 404, body: '' } : { status: 200, body: blob.data };
    }
    return notFound();
  }

  private async icHttpInterface(instance: PocketInstance, method: string, path: string, headers: ApiRequest['headers'], body: Uint8Array): Promise<ApiReply> {
    const contentType = headers['content-type'];
    return routeRequest(instance.api, { method, url: path, contentType: typeof contentType === 'string' ? contentType : undefined, body }, { syncCallEndpoint: true });
  }
}
