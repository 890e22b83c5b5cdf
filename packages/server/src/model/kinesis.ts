/**
 * The Kinesis model as the rest of the server uses it: the service spec (operation table for the
 * router) and the input parser (decode + validate), both from the generated model code.
 */
import { kinesisServiceSpec, kinesisShapes } from './generated/kinesis-schema.js';
import { createInputParser } from './input.js';
import type { InputParser } from './input.js';
import { plainOutputOperations } from './plain-output.js';

export { kinesisServiceSpec, kinesisShapes };

/** Parses and validates the decoded body of a Kinesis request; throws ServiceError. */
export const parseKinesisInput: InputParser = createInputParser(kinesisShapes, kinesisServiceSpec);

/** Kinesis operations whose JSON output can be rendered natively (no blobs, no timestamps). */
export const kinesisPlainOutputs: ReadonlySet<string> = plainOutputOperations(kinesisShapes, kinesisServiceSpec);
