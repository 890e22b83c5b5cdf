// GENERATED FILE — do not edit. The error shapes of the service.
// Source: ../shared/aws-models/kinesis/kinesis.smithy.json (Smithy JSON AST).
// Regenerate: node --import tsx scripts/generate-model.ts   (check: … --check)

import type { ModelErrorSpec } from '../shape.js';

/** Every error shape of the service: fault (client/server), and httpError/retryable when modeled. */
export const kinesisErrorShapes = {
  AccessDeniedException: { fault: 'client' },
  DryRunOperationException: { fault: 'client' },
  ExpiredIteratorException: { fault: 'client' },
  ExpiredNextTokenException: { fault: 'client' },
  InternalFailureException: { fault: 'server' },
  InvalidArgumentException: { fault: 'client' },
  KMSAccessDeniedException: { fault: 'client' },
  KMSDisabledException: { fault: 'client' },
  KMSInvalidStateException: { fault: 'client' },
  KMSNotFoundException: { fault: 'client' },
  KMSOptInRequired: { fault: 'client' },
  KMSThrottlingException: { fault: 'client' },
  LimitExceededException: { fault: 'client' },
  ProvisionedThroughputExceededException: { fault: 'client' },
  ResourceInUseException: { fault: 'client' },
  ResourceNotFoundException: { fault: 'client' },
  ValidationException: { fault: 'client' },
} as const satisfies Readonly<Record<string, ModelErrorSpec>>;

export type KinesisErrorShapeName = keyof typeof kinesisErrorShapes;
