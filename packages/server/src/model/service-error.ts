/**
 * The one catalogue of client-visible errors. Every error a client can see is a {@link ServiceError}
 * with an AWS error name from {@link errorCatalogue}; the protocol layer renders it as
 * `{"__type": name, "message": …}` with the catalogue's HTTP status. Anything else thrown by a handler
 * becomes `InternalFailureException` (500), logged with its cause and never leaked.
 *
 * The Kinesis entries are checked against the model's error shapes by test/model/errors.test.ts.
 */

export interface ErrorSpec {
  readonly httpStatus: number;
  /** Whether a client may retry the same request (throttling and server faults). */
  readonly retryable: boolean;
}

const client = { httpStatus: 400, retryable: false } as const;
const throttle = { httpStatus: 400, retryable: true } as const;

export const errorCatalogue = {
  // Kinesis error shapes (kinesis.smithy.json)
  AccessDeniedException: client,
  DryRunOperationException: client,
  ExpiredIteratorException: client,
  ExpiredNextTokenException: client,
  InternalFailureException: { httpStatus: 500, retryable: true },
  InvalidArgumentException: client,
  KMSAccessDeniedException: client,
  KMSDisabledException: client,
  KMSInvalidStateException: client,
  KMSNotFoundException: client,
  KMSOptInRequired: client,
  KMSThrottlingException: throttle,
  LimitExceededException: throttle,
  ProvisionedThroughputExceededException: throttle,
  ResourceInUseException: client,
  ResourceNotFoundException: client,
  ValidationException: client,
  // Protocol-level errors common to AWS JSON services
  SerializationException: client,
  UnknownOperationException: client,
  MissingAuthenticationTokenException: { httpStatus: 403, retryable: false },
  IncompleteSignatureException: { httpStatus: 400, retryable: false },
  InvalidSignatureException: { httpStatus: 400, retryable: false },
  UnrecognizedClientException: { httpStatus: 400, retryable: false },
  InvalidClientTokenId: { httpStatus: 403, retryable: false },
  RequestExpired: { httpStatus: 400, retryable: false },
  SignatureDoesNotMatch: { httpStatus: 403, retryable: false },
  RequestEntityTooLargeException: { httpStatus: 413, retryable: false },
  ThrottlingException: throttle,
  ServiceUnavailableException: { httpStatus: 503, retryable: true },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof errorCatalogue;

/** A client-visible error with an AWS name. Throw it from handlers; never branch on `message`. */
export class ServiceError extends Error {
  readonly code: ErrorName;
  readonly httpStatus: number;
  readonly retryable: boolean;
  constructor(code: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceError';
    this.code = code;
    const spec: ErrorSpec = errorCatalogue[code];
    this.httpStatus = spec.httpStatus;
    this.retryable = spec.retryable;
  }
}

export function isServiceError(value: unknown): value is ServiceError {
  return value instanceof ServiceError;
}
