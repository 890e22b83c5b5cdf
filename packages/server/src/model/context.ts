/**
 * What an operation handler receives besides its typed input. Built by the protocol layer from the
 * request (credential scope, headers, socket); handlers never see HTTP.
 */

/** Wire protocol of the request; responses (and event-stream payloads) use the same one. */
export const WireProtocol = { JSON: 'json', CBOR: 'cbor' } as const;
export type WireProtocol = (typeof WireProtocol)[keyof typeof WireProtocol];

export interface Caller {
  /** 12-digit account id from the credential (or the server default). */
  readonly accountId: string;
  /** Access key id from the Authorization header; undefined when unsigned. Never the secret. */
  readonly accessKeyId?: string | undefined;
  /** IAM-style principal ARN, when authentication is on. */
  readonly principalArn?: string | undefined;
}

export interface RequestContext {
  readonly requestId: string;
  /** Region from the credential scope, or the server default. */
  readonly region: string;
  readonly caller: Caller;
  readonly protocol: WireProtocol;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** True when the request arrived over TLS. */
  readonly secureTransport: boolean;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
}

/** Injected time source: all time-dependent behaviour reads it, so tests can drive it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.ms = startMs;
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
