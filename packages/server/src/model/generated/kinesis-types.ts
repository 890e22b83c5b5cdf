// GENERATED FILE — do not edit. TypeScript types of the service model.
// Source: ../shared/aws-models/kinesis/kinesis.smithy.json (Smithy JSON AST).
// Regenerate: node --import tsx scripts/generate-model.ts   (check: … --check)

import type { RequestContext } from '../context.js';

/** Specifies that you do not have the permissions required to perform this operation. */
export interface AccessDeniedException {
  message?: string | undefined;
}

/** Represents the input for AddTagsToStream. */
export interface AddTagsToStreamInput {
  /** The name of the stream. */
  StreamName?: string | undefined;
  /** A set of up to 50 key-value pairs to use to create the tags. */
  Tags: { [key: string]: string };
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** Describes the configuration and current status of a channel. */
export interface ChannelDescription {
  /** The name of the channel. */
  ChannelName: string;
  /** The Amazon Resource Name (ARN) of the channel. */
  ChannelARN: string;
  /** The unique identifier of the channel. */
  ChannelId: string;
  /** The current status of the channel. */
  ChannelStatus: ChannelStatus;
  /** A message describing the reason for a FAILED status. */
  ChannelStatusReason?: string | undefined;
  /** The time at which the channel was created. */
  ChannelCreationTimestamp: Date;
  /** The Amazon Resource Name (ARN) of the IAM role that Amazon Kinesis Data Streams assumes to write records to the destination. */
  ServiceExecutionRoleARN: string;
  /** The source stream configuration for the channel. */
  StreamConfigurationList: ChannelStreamDescription[];
  /** The configuration for delivery to a general purpose Amazon S3 bucket. */
  S3DestinationConfiguration?: S3DestinationDescription | undefined;
  /** The configuration for delivery to streaming tables on Apache Iceberg in Amazon S3 Tables. */
  S3TablesDestinationConfiguration?: S3TablesDestinationDescription | undefined;
  /** The Amazon Web Services KMS key configuration that Amazon Kinesis Data Streams uses to encrypt data delivered to the channel's destination. */
  EncryptionConfiguration?: ChannelEncryptionConfiguration | undefined;
  /** The Amazon CloudWatch Logs configuration for the channel. */
  LoggingConfiguration: ChannelLoggingConfiguration;
}

export const ChannelDestinationType = {
  S3: 'S3',
  S3_TABLES: 'S3_TABLES',
} as const;
export type ChannelDestinationType = (typeof ChannelDestinationType)[keyof typeof ChannelDestinationType];

/** Specifies the Amazon Web Services KMS key that Amazon Kinesis Data Streams uses to encrypt data delivered to the channel's destination. */
export interface ChannelEncryptionConfiguration {
  /** The encryption type. */
  EncryptionType: ChannelEncryptionType;
  /** The identifier of the customer managed Amazon Web Services KMS key. */
  KeyId: string;
}

export const ChannelEncryptionType = {
  KMS: 'KMS',
} as const;
export type ChannelEncryptionType = (typeof ChannelEncryptionType)[keyof typeof ChannelEncryptionType];

/** The Amazon CloudWatch Logs configuration for a channel. */
export interface ChannelLoggingConfiguration {
  /** The Amazon CloudWatch Logs settings for the channel. */
  CloudWatchLogs: CloudWatchLogs;
}

/** The updated Amazon CloudWatch Logs configuration for a channel. */
export interface ChannelLoggingUpdateInput {
  /** The updated Amazon CloudWatch Logs settings, including whether logging is enabled and the target log group and log stream. */
  CloudWatchLogs: CloudWatchLogsUpdateInput;
}

export const ChannelStatus = {
  CREATING: 'CREATING',
  ACTIVE: 'ACTIVE',
  UPDATING: 'UPDATING',
  DELETING: 'DELETING',
  FAILED: 'FAILED',
} as const;
export type ChannelStatus = (typeof ChannelStatus)[keyof typeof ChannelStatus];

/** Specifies the source stream and record configuration when creating a channel. */
export interface ChannelStreamConfiguration {
  /** The Amazon Resource Name (ARN) of the source Kinesis data stream. */
  StreamARN: string;
  /** The record format configuration for the source stream. */
  RecordConfiguration: RecordConfiguration;
}

/** Describes the source stream of a channel. */
export interface ChannelStreamDescription {
  /** The Amazon Resource Name (ARN) of the source Kinesis data stream. */
  StreamARN: string;
  /** The time at which the source stream was created. */
  StreamCreationTimestamp: Date;
  /** The record format configuration for the source stream. */
  RecordConfiguration: RecordConfiguration;
}

/** Identifies a source stream associated with a channel. */
export interface ChannelStreamIdentifier {
  /** The Amazon Resource Name (ARN) of the source Kinesis data stream. */
  StreamARN: string;
  /** The time at which the source stream was created. */
  StreamCreationTimestamp: Date;
}

/** A summary of a channel, returned by ListChannels. */
export interface ChannelSummary {
  /** The name of the channel. */
  ChannelName: string;
  /** The Amazon Resource Name (ARN) of the channel. */
  ChannelARN: string;
  /** The unique identifier of the channel. */
  ChannelId: string;
  /** The current status of the channel. */
  ChannelStatus: ChannelStatus;
  /** A message describing the reason for a FAILED status. */
  ChannelStatusReason?: string | undefined;
  /** The time at which the channel was created. */
  ChannelCreationTimestamp: Date;
  /** The destination type of the channel. */
  ChannelDestinationType: ChannelDestinationType;
  /** The source streams associated with the channel. */
  Streams: ChannelStreamIdentifier[];
}

/** Output parameter of the GetRecords API. */
export interface ChildShard {
  /** The shard ID of the existing child shard of the current shard. */
  ShardId: string;
  /** The current shard that is the parent of the existing child shard. */
  ParentShards: string[];
  HashKeyRange: HashKeyRange;
}

/** The Amazon CloudWatch Logs settings for channel logging. */
export interface CloudWatchLogs {
  /** Specifies whether logging to Amazon CloudWatch Logs is enabled. */
  Enabled: boolean;
  /** The name of the Amazon CloudWatch Logs log group. */
  LogGroupName?: string | undefined;
  /** The name of the Amazon CloudWatch Logs log stream. */
  LogStreamName?: string | undefined;
}

/** The updated Amazon CloudWatch Logs settings for a channel. */
export interface CloudWatchLogsUpdateInput {
  /** Specifies whether logging to Amazon CloudWatch Logs is enabled. */
  Enabled: boolean;
  /** The name of the Amazon CloudWatch Logs log group. */
  LogGroupName?: string | undefined;
  /** The name of the Amazon CloudWatch Logs log stream. */
  LogStreamName?: string | undefined;
}

/** An object that represents the details of the consumer you registered. */
export interface Consumer {
  /** The name of the consumer is something you choose when you register the consumer. */
  ConsumerName: string;
  /** When you register a consumer, Kinesis Data Streams generates an ARN for it. */
  ConsumerARN: string;
  /** A consumer can't read data while in the CREATING or DELETING states. */
  ConsumerStatus: ConsumerStatus;
  ConsumerCreationTimestamp: Date;
}

/** An object that represents the details of a registered consumer. */
export interface ConsumerDescription {
  /** The name of the consumer is something you choose when you register the consumer. */
  ConsumerName: string;
  /** When you register a consumer, Kinesis Data Streams generates an ARN for it. */
  ConsumerARN: string;
  /** A consumer can't read data while in the CREATING or DELETING states. */
  ConsumerStatus: ConsumerStatus;
  ConsumerCreationTimestamp: Date;
  /** The ARN of the stream with which you registered the consumer. */
  StreamARN: string;
}

export const ConsumerStatus = {
  CREATING: 'CREATING',
  DELETING: 'DELETING',
  ACTIVE: 'ACTIVE',
} as const;
export type ConsumerStatus = (typeof ConsumerStatus)[keyof typeof ConsumerStatus];

export interface CreateChannelInput {
  /** The name of the channel. */
  ChannelName: string;
  /** The Amazon Resource Name (ARN) of the IAM role that Amazon Kinesis Data Streams assumes to write records to the destination. */
  ServiceExecutionRoleARN: string;
  /** The source stream configuration for the channel. */
  StreamConfigurationList: ChannelStreamConfiguration[];
  /** The configuration for delivery to a general purpose Amazon S3 bucket. */
  S3DestinationConfiguration?: S3DestinationConfiguration | undefined;
  /** The configuration for delivery to streaming tables on Apache Iceberg in Amazon S3 Tables. */
  S3TablesDestinationConfiguration?: S3TablesDestinationConfiguration | undefined;
  /** The server-side encryption configuration that uses an Amazon Web Services KMS key to encrypt data delivered to the destination. */
  EncryptionConfiguration?: ChannelEncryptionConfiguration | undefined;
  /** A set of key-value pairs to assign to the channel. */
  Tags?: { [key: string]: string } | undefined;
  /** The Amazon CloudWatch Logs configuration for the channel. */
  LoggingConfiguration?: ChannelLoggingConfiguration | undefined;
}

export interface CreateChannelOutput {
  /** The configuration and current status of the channel, including its ARN, destination configuration, and lifecycle state. */
  ChannelDescription: ChannelDescription;
}

/** Represents the input for CreateStream. */
export interface CreateStreamInput {
  /** A name to identify the stream. */
  StreamName: string;
  /** The number of shards that the stream will use. */
  ShardCount?: number | undefined;
  /** Indicates the capacity mode of the data stream. */
  StreamModeDetails?: StreamModeDetails | undefined;
  /** A set of up to 50 key-value pairs to use to create the tags. */
  Tags?: { [key: string]: string } | undefined;
  /** The target warm throughput in MB/s that the stream should be scaled to handle. */
  WarmThroughputMiBps?: number | undefined;
  /** The maximum record size of a single record in kibibyte (KiB) that you can write to, and read from a stream. */
  MaxRecordSizeInKiB?: number | undefined;
  /** The record distribution strategy for the stream, which determines how Amazon Kinesis Data Streams distributes records across shards. */
  RecordDistributionStrategy?: RecordDistributionStrategy | undefined;
}

/** The Amazon S3 dead-letter queue configuration for records that cannot be delivered. */
export interface DeadLetterQueueS3Configuration {
  /** The Amazon Resource Name (ARN) of the dead-letter queue Amazon S3 bucket. */
  BucketARN: string;
  /** The Amazon Web Services account ID of the expected owner of the dead-letter queue bucket. */
  ExpectedBucketOwner: string;
  /** The Amazon S3 key prefix for error records. */
  ErrorOutputPrefix?: string | undefined;
}

/** Represents the input for DecreaseStreamRetentionPeriod. */
export interface DecreaseStreamRetentionPeriodInput {
  /** The name of the stream to modify. */
  StreamName?: string | undefined;
  /** The new retention period of the stream, in hours. */
  RetentionPeriodHours: number;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface DeleteChannelInput {
  /** The Amazon Resource Name (ARN) of the channel to delete. */
  ChannelARN: string;
}

export interface DeleteResourcePolicyInput {
  /** The Amazon Resource Name (ARN) of the data stream or consumer. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** Represents the input for DeleteStream. */
export interface DeleteStreamInput {
  /** The name of the stream to delete. */
  StreamName?: string | undefined;
  /** If this parameter is unset (null) or if you set it to false, and the stream has registered consumers, the call to DeleteStream fails with a ResourceInUseException. */
  EnforceConsumerDeletion?: boolean | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface DeregisterStreamConsumerInput {
  /** The ARN of the Kinesis data stream that the consumer is registered with. */
  StreamARN?: string | undefined;
  /** The name that you gave to the consumer. */
  ConsumerName?: string | undefined;
  /** The ARN returned by Kinesis Data Streams when you registered the consumer. */
  ConsumerARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export type DescribeAccountSettingsInput = { [key: string]: never };

export interface DescribeAccountSettingsOutput {
  /** The current configuration of the minimum throughput billing commitment for your Amazon Web Services account. */
  MinimumThroughputBillingCommitment?: MinimumThroughputBillingCommitmentOutput | undefined;
}

export interface DescribeChannelInput {
  /** The Amazon Resource Name (ARN) of the channel to describe. */
  ChannelARN: string;
}

export interface DescribeChannelOutput {
  /** The configuration and current status of the channel, including its ARN, source stream, destination configuration, and lifecycle state. */
  ChannelDescription: ChannelDescription;
}

export type DescribeLimitsInput = { [key: string]: never };

export interface DescribeLimitsOutput {
  /** The maximum number of shards. */
  ShardLimit: number;
  /** The number of open shards. */
  OpenShardCount: number;
  /** Indicates the number of data streams with the on-demand capacity mode. */
  OnDemandStreamCount: number;
  /** The maximum number of data streams with the on-demand capacity mode. */
  OnDemandStreamCountLimit: number;
  /** The number of channels in the account. */
  ChannelCount?: number | undefined;
  /** The maximum number of channels allowed in the account. */
  ChannelCountLimit?: number | undefined;
}

export interface DescribeStreamConsumerInput {
  /** The ARN of the Kinesis data stream that the consumer is registered with. */
  StreamARN?: string | undefined;
  /** The name that you gave to the consumer. */
  ConsumerName?: string | undefined;
  /** The ARN returned by Kinesis Data Streams when you registered the consumer. */
  ConsumerARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface DescribeStreamConsumerOutput {
  /** An object that represents the details of the consumer. */
  ConsumerDescription: ConsumerDescription;
}

/** Represents the input for DescribeStream. */
export interface DescribeStreamInput {
  /** The name of the stream to describe. */
  StreamName?: string | undefined;
  /** The maximum number of shards to return in a single call. */
  Limit?: number | undefined;
  /** The shard ID of the shard to start with. */
  ExclusiveStartShardId?: string | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** Represents the output for DescribeStream. */
export interface DescribeStreamOutput {
  /** The current status of the stream, the stream Amazon Resource Name (ARN), an array of shard objects that comprise the stream, and whether there are more shards available. */
  StreamDescription: StreamDescription;
}

export interface DescribeStreamSummaryInput {
  /** The name of the stream to describe. */
  StreamName?: string | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface DescribeStreamSummaryOutput {
  /** A StreamDescriptionSummary containing information about the stream. */
  StreamDescriptionSummary: StreamDescriptionSummary;
}

/** Represents the input for DisableEnhancedMonitoring. */
export interface DisableEnhancedMonitoringInput {
  /** The name of the Kinesis data stream for which to disable enhanced monitoring. */
  StreamName?: string | undefined;
  /** List of shard-level metrics to disable. */
  ShardLevelMetrics: MetricsName[];
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** The request was rejected because the DryRun parameter was specified. */
export interface DryRunOperationException {
  message?: string | undefined;
}

/** Represents the input for EnableEnhancedMonitoring. */
export interface EnableEnhancedMonitoringInput {
  /** The name of the stream for which to enable enhanced monitoring. */
  StreamName?: string | undefined;
  /** List of shard-level metrics to enable. */
  ShardLevelMetrics: MetricsName[];
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export const EncryptionType = {
  NONE: 'NONE',
  KMS: 'KMS',
} as const;
export type EncryptionType = (typeof EncryptionType)[keyof typeof EncryptionType];

/** Represents enhanced metrics types. */
export interface EnhancedMetrics {
  /** List of shard-level metrics. */
  ShardLevelMetrics?: MetricsName[] | undefined;
}

/** Represents the output for EnableEnhancedMonitoring and DisableEnhancedMonitoring. */
export interface EnhancedMonitoringOutput {
  /** The name of the Kinesis data stream. */
  StreamName?: string | undefined;
  /** Represents the current state of the metrics that are in the enhanced state before the operation. */
  CurrentShardLevelMetrics?: MetricsName[] | undefined;
  /** Represents the list of all the metrics that would be in the enhanced state after the operation. */
  DesiredShardLevelMetrics?: MetricsName[] | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
}

/** The provided iterator exceeds the maximum age allowed. */
export interface ExpiredIteratorException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The pagination token passed to the operation is expired. */
export interface ExpiredNextTokenException {
  message?: string | undefined;
}

/** Represents the input for GetRecords. */
export interface GetRecordsInput {
  /** The position in the shard from which you want to start sequentially reading data records. */
  ShardIterator: string;
  /** The maximum number of records to return. */
  Limit?: number | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Checks if your request will succeed. */
  DryRun?: boolean | undefined;
}

/** Represents the output for GetRecords. */
export interface GetRecordsOutput {
  /** The data records retrieved from the shard. */
  Records: Record[];
  /** The next position in the shard from which to start sequentially reading data records. */
  NextShardIterator?: string | undefined;
  /** The number of milliseconds the GetRecords response is from the tip of the stream, indicating how far behind current time the consumer is. */
  MillisBehindLatest?: number | undefined;
  /** The list of the current shard's child shards, returned in the GetRecords API's response only when the end of the current shard is reached. */
  ChildShards?: ChildShard[] | undefined;
}

export interface GetResourcePolicyInput {
  /** The Amazon Resource Name (ARN) of the data stream or consumer. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface GetResourcePolicyOutput {
  /** Details of the resource policy. */
  Policy: string;
}

/** Represents the input for GetShardIterator. */
export interface GetShardIteratorInput {
  /** The name of the Amazon Kinesis data stream. */
  StreamName?: string | undefined;
  /** The shard ID of the Kinesis Data Streams shard to get the iterator for. */
  ShardId: string;
  /** Determines how the shard iterator is used to start reading data records from the shard. */
  ShardIteratorType: ShardIteratorType;
  /** The sequence number of the data record in the shard from which to start reading. */
  StartingSequenceNumber?: string | undefined;
  /** The time stamp of the data record from which to start reading. */
  Timestamp?: Date | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Checks if your request will succeed. */
  DryRun?: boolean | undefined;
}

/** Represents the output for GetShardIterator. */
export interface GetShardIteratorOutput {
  /** The position in the shard from which to start reading data records sequentially. */
  ShardIterator?: string | undefined;
}

/** The range of possible hash key values for the shard, which is a set of ordered contiguous positive integers. */
export interface HashKeyRange {
  /** The starting hash key of the hash key range. */
  StartingHashKey: string;
  /** The ending hash key of the hash key range. */
  EndingHashKey: string;
}

/** Represents the input for IncreaseStreamRetentionPeriod. */
export interface IncreaseStreamRetentionPeriodInput {
  /** The name of the stream to modify. */
  StreamName?: string | undefined;
  /** The new retention period of the stream, in hours. */
  RetentionPeriodHours: number;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** The processing of the request failed because of an unknown error, exception, or failure. */
export interface InternalFailureException {
  message?: string | undefined;
}

/** A specified parameter exceeds its restrictions, is not supported, or can't be used. */
export interface InvalidArgumentException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The ciphertext references a key that doesn't exist or that you don't have access to. */
export interface KMSAccessDeniedException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The request was rejected because the specified customer master key (CMK) isn't enabled. */
export interface KMSDisabledException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The request was rejected because the state of the specified resource isn't valid for this request. */
export interface KMSInvalidStateException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The request was rejected because the specified entity or resource can't be found. */
export interface KMSNotFoundException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The Amazon Web Services access key ID needs a subscription for the service. */
export interface KMSOptInRequired {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The request was denied due to request throttling. */
export interface KMSThrottlingException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The requested resource exceeds the maximum number allowed, or the number of concurrent stream requests exceeds the maximum number allowed. */
export interface LimitExceededException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

export interface ListChannelsInput {
  /** Filters the results to channels associated with the specified streams. */
  StreamFilter?: StreamFilter[] | undefined;
  /** The maximum number of channels to return in a single call. */
  MaxResults?: number | undefined;
  /** The pagination token returned by a previous call. */
  NextToken?: string | undefined;
}

export interface ListChannelsOutput {
  /** A list of channel summaries. */
  ChannelSummaries: ChannelSummary[];
  /** The pagination token to use in a subsequent call to retrieve the next page of results. */
  NextToken?: string | undefined;
}

export interface ListShardsInput {
  /** The name of the data stream whose shards you want to list. */
  StreamName?: string | undefined;
  /** When the number of shards in the data stream is greater than the default value for the MaxResults parameter, or if you explicitly specify a value for MaxResults that is less than the number of shar… */
  NextToken?: string | undefined;
  /** Specify this parameter to indicate that you want to list the shards starting with the shard whose ID immediately follows ExclusiveStartShardId. */
  ExclusiveStartShardId?: string | undefined;
  /** The maximum number of shards to return in a single call to ListShards. */
  MaxResults?: number | undefined;
  /** Specify this input parameter to distinguish data streams that have the same name. */
  StreamCreationTimestamp?: Date | undefined;
  /** Enables you to filter out the response of the ListShards API. */
  ShardFilter?: ShardFilter | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface ListShardsOutput {
  /** An array of JSON objects. */
  Shards?: Shard[] | undefined;
  /** When the number of shards in the data stream is greater than the default value for the MaxResults parameter, or if you explicitly specify a value for MaxResults that is less than the number of shar… */
  NextToken?: string | undefined;
}

export interface ListStreamConsumersInput {
  /** The ARN of the Kinesis data stream for which you want to list the registered consumers. */
  StreamARN: string;
  /** When the number of consumers that are registered with the data stream is greater than the default value for the MaxResults parameter, or if you explicitly specify a value for MaxResults that is les… */
  NextToken?: string | undefined;
  /** The maximum number of consumers that you want a single call of ListStreamConsumers to return. */
  MaxResults?: number | undefined;
  /** Specify this input parameter to distinguish data streams that have the same name. */
  StreamCreationTimestamp?: Date | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface ListStreamConsumersOutput {
  /** An array of JSON objects. */
  Consumers?: Consumer[] | undefined;
  /** When the number of consumers that are registered with the data stream is greater than the default value for the MaxResults parameter, or if you explicitly specify a value for MaxResults that is les… */
  NextToken?: string | undefined;
}

/** Represents the input for ListStreams. */
export interface ListStreamsInput {
  /** The maximum number of streams to list. */
  Limit?: number | undefined;
  /** The name of the stream to start the list with. */
  ExclusiveStartStreamName?: string | undefined;
  NextToken?: string | undefined;
}

/** Represents the output for ListStreams. */
export interface ListStreamsOutput {
  /** The names of the streams that are associated with the Amazon Web Services account making the ListStreams request. */
  StreamNames: string[];
  /** If set to true, there are more streams available to list. */
  HasMoreStreams: boolean;
  NextToken?: string | undefined;
  StreamSummaries?: StreamSummary[] | undefined;
}

export interface ListTagsForResourceInput {
  /** The Amazon Resource Name (ARN) of the Kinesis resource for which to list tags. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface ListTagsForResourceOutput {
  /** An array of tags associated with the specified Kinesis resource. */
  Tags?: Tag[] | undefined;
}

/** Represents the input for ListTagsForStream. */
export interface ListTagsForStreamInput {
  /** The name of the stream. */
  StreamName?: string | undefined;
  /** The key to use as the starting point for the list of tags. */
  ExclusiveStartTagKey?: string | undefined;
  /** The number of tags to return. */
  Limit?: number | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** Represents the output for ListTagsForStream. */
export interface ListTagsForStreamOutput {
  /** A list of tags associated with StreamName, starting with the first tag after ExclusiveStartTagKey and up to the specified Limit. */
  Tags: Tag[];
  /** If set to true, more tags are available. */
  HasMoreTags: boolean;
}

/** Represents the input for MergeShards. */
export interface MergeShardsInput {
  /** The name of the stream for the merge. */
  StreamName?: string | undefined;
  /** The shard ID of the shard to combine with the adjacent shard for the merge. */
  ShardToMerge: string;
  /** The shard ID of the adjacent shard for the merge. */
  AdjacentShardToMerge: string;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export const MetricsName = {
  INCOMING_BYTES: 'IncomingBytes',
  INCOMING_RECORDS: 'IncomingRecords',
  OUTGOING_BYTES: 'OutgoingBytes',
  OUTGOING_RECORDS: 'OutgoingRecords',
  WRITE_PROVISIONED_THROUGHPUT_EXCEEDED: 'WriteProvisionedThroughputExceeded',
  READ_PROVISIONED_THROUGHPUT_EXCEEDED: 'ReadProvisionedThroughputExceeded',
  ITERATOR_AGE_MILLISECONDS: 'IteratorAgeMilliseconds',
  ALL: 'ALL',
} as const;
export type MetricsName = (typeof MetricsName)[keyof typeof MetricsName];

/** Represents the request parameters for configuring minimum throughput billing commitment. */
export interface MinimumThroughputBillingCommitmentInput {
  /** The desired status of the minimum throughput billing commitment. */
  Status: MinimumThroughputBillingCommitmentInputStatus;
}

export const MinimumThroughputBillingCommitmentInputStatus = {
  ENABLED: 'ENABLED',
  DISABLED: 'DISABLED',
} as const;
export type MinimumThroughputBillingCommitmentInputStatus = (typeof MinimumThroughputBillingCommitmentInputStatus)[keyof typeof MinimumThroughputBillingCommitmentInputStatus];

/** Represents the current status of minimum throughput billing commitment for an account. */
export interface MinimumThroughputBillingCommitmentOutput {
  /** The current status of the minimum throughput billing commitment. */
  Status: MinimumThroughputBillingCommitmentOutputStatus;
  /** The timestamp when the commitment was started. */
  StartedAt?: Date | undefined;
  /** The timestamp when the commitment was ended. */
  EndedAt?: Date | undefined;
  /** The earliest timestamp when the commitment can be ended. */
  EarliestAllowedEndAt?: Date | undefined;
}

export const MinimumThroughputBillingCommitmentOutputStatus = {
  ENABLED: 'ENABLED',
  DISABLED: 'DISABLED',
  ENABLED_UNTIL_EARLIEST_ALLOWED_END: 'ENABLED_UNTIL_EARLIEST_ALLOWED_END',
} as const;
export type MinimumThroughputBillingCommitmentOutputStatus = (typeof MinimumThroughputBillingCommitmentOutputStatus)[keyof typeof MinimumThroughputBillingCommitmentOutputStatus];

/** Specifies a single partition field. */
export interface PartitionField {
  /** The partition transform to apply. */
  Transform: PartitionTransform;
  /** The name of the source column used for partitioning. */
  SourceName: string;
}

/** Specifies how the destination table is partitioned. */
export interface PartitionSpec {
  /** The list of partition fields. */
  PartitionFields: PartitionField[];
}

export const PartitionTransform = {
  TIME_HOUR: 'TIME_HOUR',
} as const;
export type PartitionTransform = (typeof PartitionTransform)[keyof typeof PartitionTransform];

/** The request rate for the stream is too high, or the requested data is too large for the available throughput. */
export interface ProvisionedThroughputExceededException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** Represents the input for PutRecord. */
export interface PutRecordInput {
  /** The name of the stream to put the data record into. */
  StreamName?: string | undefined;
  /** The data blob to put into the record, which is base64-encoded when the blob is serialized. */
  Data: Uint8Array;
  /** Determines which shard in the stream the data record is assigned to. */
  PartitionKey?: string | undefined;
  /** The hash value used to explicitly determine the shard the data record is assigned to by overriding the partition key hash. */
  ExplicitHashKey?: string | undefined;
  /** Guarantees strictly increasing sequence numbers, for puts from the same client and to the same partition key. */
  SequenceNumberForOrdering?: string | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Checks if your request will succeed. */
  DryRun?: boolean | undefined;
}

/** Represents the output for PutRecord. */
export interface PutRecordOutput {
  /** The shard ID of the shard where the data record was placed. */
  ShardId: string;
  /** The sequence number identifier that was assigned to the put data record. */
  SequenceNumber: string;
  /** The encryption type to use on the record. */
  EncryptionType?: EncryptionType | undefined;
}

/** A PutRecords request. */
export interface PutRecordsInput {
  /** The records associated with the request. */
  Records: PutRecordsRequestEntry[];
  /** The stream name associated with the request. */
  StreamName?: string | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Checks if your request will succeed. */
  DryRun?: boolean | undefined;
}

/** PutRecords results. */
export interface PutRecordsOutput {
  /** The number of unsuccessfully processed records in a PutRecords request. */
  FailedRecordCount?: number | undefined;
  /** An array of successfully and unsuccessfully processed record results. */
  Records: PutRecordsResultEntry[];
  /** The encryption type used on the records. */
  EncryptionType?: EncryptionType | undefined;
}

/** Represents the output for PutRecords. */
export interface PutRecordsRequestEntry {
  /** The data blob to put into the record, which is base64-encoded when the blob is serialized. */
  Data: Uint8Array;
  /** The hash value used to determine explicitly the shard that the data record is assigned to by overriding the partition key hash. */
  ExplicitHashKey?: string | undefined;
  /** Determines which shard in the stream the data record is assigned to. */
  PartitionKey?: string | undefined;
}

/** Represents the result of an individual record from a PutRecords request. */
export interface PutRecordsResultEntry {
  /** The sequence number for an individual record result. */
  SequenceNumber?: string | undefined;
  /** The shard ID for an individual record result. */
  ShardId?: string | undefined;
  /** The error code for an individual record result. */
  ErrorCode?: string | undefined;
  /** The error message for an individual record result. */
  ErrorMessage?: string | undefined;
}

export interface PutResourcePolicyInput {
  /** The Amazon Resource Name (ARN) of the data stream or consumer. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Details of the resource policy. */
  Policy: string;
}

/** The unit of data of the Kinesis data stream, which is composed of a sequence number, a partition key, and a data blob. */
export interface Record {
  /** The unique identifier of the record within its shard. */
  SequenceNumber: string;
  /** The approximate time that the record was inserted into the stream. */
  ApproximateArrivalTimestamp?: Date | undefined;
  /** The data blob. */
  Data: Uint8Array;
  /** Identifies which shard in the stream the data record is assigned to. */
  PartitionKey?: string | undefined;
  /** The encryption type used on the record. */
  EncryptionType?: EncryptionType | undefined;
}

/** Specifies the format of records read from the source stream. */
export interface RecordConfiguration {
  /** The format of records on the source stream. */
  RecordFormatType: RecordFormatType;
  /** The Amazon Resource Name (ARN) of the Amazon Web Services Glue Schema Registry schema used to validate records. */
  GSRSchemaARN?: string | undefined;
}

export const RecordDistributionStrategy = {
  AUTO: 'AUTO',
  USER_PARTITION_KEY: 'USER_PARTITION_KEY',
} as const;
export type RecordDistributionStrategy = (typeof RecordDistributionStrategy)[keyof typeof RecordDistributionStrategy];

export const RecordFormatType = {
  GSR_JSON: 'GSR_JSON',
  JSON: 'JSON',
  STRING: 'STRING',
  BYTE_ARRAY: 'BYTE_ARRAY',
} as const;
export type RecordFormatType = (typeof RecordFormatType)[keyof typeof RecordFormatType];

export interface RegisterStreamConsumerInput {
  /** The ARN of the Kinesis data stream that you want to register the consumer with. */
  StreamARN: string;
  /** For a given Kinesis data stream, each consumer must have a unique name. */
  ConsumerName: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** A set of up to 50 key-value pairs. */
  Tags?: { [key: string]: string } | undefined;
}

export interface RegisterStreamConsumerOutput {
  /** An object that represents the details of the consumer you registered. */
  Consumer: Consumer;
}

/** Represents the input for RemoveTagsFromStream. */
export interface RemoveTagsFromStreamInput {
  /** The name of the stream. */
  StreamName?: string | undefined;
  /** A list of tag keys. */
  TagKeys: string[];
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** The resource is not available for this operation. */
export interface ResourceInUseException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

/** The requested resource could not be found. */
export interface ResourceNotFoundException {
  /** A message that provides information about the error. */
  message?: string | undefined;
}

export const S3CompressionType = {
  NONE: 'NONE',
  GZIP: 'GZIP',
  ZSTD: 'ZSTD',
} as const;
export type S3CompressionType = (typeof S3CompressionType)[keyof typeof S3CompressionType];

/** The configuration for delivery to a general purpose Amazon S3 bucket. */
export interface S3DestinationConfiguration {
  /** The maximum age, in seconds, of undelivered data before the channel delivers it to the destination. */
  DataFreshnessInSeconds?: number | undefined;
  /** The dead-letter queue configuration for records that cannot be delivered. */
  DeadLetterQueueS3Configuration?: DeadLetterQueueS3Configuration | undefined;
  /** The Amazon S3 storage configuration for the channel. */
  StorageConfiguration: S3StorageConfiguration;
}

/** The configuration for delivery to a general purpose Amazon S3 bucket. */
export interface S3DestinationDescription {
  /** The maximum age, in seconds, of undelivered data. */
  DataFreshnessInSeconds: number;
  /** The dead-letter queue configuration for records that cannot be delivered. */
  DeadLetterQueueS3Configuration: DeadLetterQueueS3Configuration;
  /** The Amazon S3 storage configuration for the channel. */
  StorageConfiguration: S3StorageConfiguration;
}

/** The updated configuration for a general purpose Amazon S3 destination. */
export interface S3DestinationUpdateInput {
  /** The maximum age, in seconds, of undelivered data before the channel delivers it to the destination. */
  DataFreshnessInSeconds: number;
}

export const S3StorageClass = {
  STANDARD: 'STANDARD',
  INTELLIGENT_TIERING: 'INTELLIGENT_TIERING',
  GLACIER_IR: 'GLACIER_IR',
} as const;
export type S3StorageClass = (typeof S3StorageClass)[keyof typeof S3StorageClass];

/** The Amazon S3 storage settings for a general purpose Amazon S3 destination. */
export interface S3StorageConfiguration {
  /** The Amazon Resource Name (ARN) of the destination Amazon S3 bucket. */
  BucketARN: string;
  /** The Amazon Web Services account ID of the expected owner of the destination bucket. */
  ExpectedBucketOwner: string;
  /** The template used to construct the Amazon S3 object key for delivered objects. */
  OutputKeyTemplate?: string | undefined;
  /** The Amazon S3 storage class for delivered objects. */
  StorageClass?: S3StorageClass | undefined;
  /** The compression applied to delivered objects. */
  CompressionType: S3CompressionType;
}

export const S3TablesCompressionType = {
  NONE: 'NONE',
  ZSTD: 'ZSTD',
  SNAPPY: 'SNAPPY',
} as const;
export type S3TablesCompressionType = (typeof S3TablesCompressionType)[keyof typeof S3TablesCompressionType];

/** Specifies a destination streaming table on Apache Iceberg. */
export interface S3TablesConfiguration {
  /** The Amazon Resource Name (ARN) of the Amazon S3 table bucket. */
  TableBucketARN: string;
  /** The namespace (database) of the destination table. */
  Namespace: string;
  /** The name of the destination table. */
  TableName: string;
  /** The compression applied to Parquet data files. */
  CompressionType: S3TablesCompressionType;
  /** The partitioning specification for the destination table. */
  PartitionSpec?: PartitionSpec | undefined;
}

/** The configuration for delivery to streaming tables on Apache Iceberg. */
export interface S3TablesDestinationConfiguration {
  /** The maximum age, in seconds, of undelivered data before the channel delivers it to the destination. */
  DataFreshnessInSeconds?: number | undefined;
  /** The dead-letter queue configuration for records that cannot be delivered. */
  DeadLetterQueueS3Configuration: DeadLetterQueueS3Configuration;
  /** The list of streaming table configurations. */
  S3TablesConfigurationList: S3TablesConfiguration[];
}

/** The configuration for delivery to streaming tables on Apache Iceberg. */
export interface S3TablesDestinationDescription {
  /** The maximum age, in seconds, of undelivered data. */
  DataFreshnessInSeconds: number;
  /** The dead-letter queue configuration for records that cannot be delivered. */
  DeadLetterQueueS3Configuration: DeadLetterQueueS3Configuration;
  /** The list of streaming table configurations. */
  S3TablesConfigurationList: S3TablesConfiguration[];
}

/** The updated configuration for a streaming table destination. */
export interface S3TablesDestinationUpdateInput {
  /** The maximum age, in seconds, of undelivered data before the channel delivers it to the destination. */
  DataFreshnessInSeconds: number;
}

export const ScalingType = {
  UNIFORM_SCALING: 'UNIFORM_SCALING',
} as const;
export type ScalingType = (typeof ScalingType)[keyof typeof ScalingType];

/** The range of possible sequence numbers for the shard. */
export interface SequenceNumberRange {
  /** The starting sequence number for the range. */
  StartingSequenceNumber: string;
  /** The ending sequence number for the range. */
  EndingSequenceNumber?: string | undefined;
}

/** A uniquely identified group of data records in a Kinesis data stream. */
export interface Shard {
  /** The unique identifier of the shard within the stream. */
  ShardId: string;
  /** The shard ID of the shard's parent. */
  ParentShardId?: string | undefined;
  /** The shard ID of the shard adjacent to the shard's parent. */
  AdjacentParentShardId?: string | undefined;
  /** The range of possible hash key values for the shard, which is a set of ordered contiguous positive integers. */
  HashKeyRange: HashKeyRange;
  /** The range of possible sequence numbers for the shard. */
  SequenceNumberRange: SequenceNumberRange;
}

/** The request parameter used to filter out the response of the ListShards API. */
export interface ShardFilter {
  /** The shard type specified in the ShardFilter parameter. */
  Type: ShardFilterType;
  /** The exclusive start shardID speified in the ShardFilter parameter. */
  ShardId?: string | undefined;
  /** The timestamps specified in the ShardFilter parameter. */
  Timestamp?: Date | undefined;
}

export const ShardFilterType = {
  AFTER_SHARD_ID: 'AFTER_SHARD_ID',
  AT_TRIM_HORIZON: 'AT_TRIM_HORIZON',
  FROM_TRIM_HORIZON: 'FROM_TRIM_HORIZON',
  AT_LATEST: 'AT_LATEST',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
  FROM_TIMESTAMP: 'FROM_TIMESTAMP',
} as const;
export type ShardFilterType = (typeof ShardFilterType)[keyof typeof ShardFilterType];

export const ShardIteratorType = {
  AT_SEQUENCE_NUMBER: 'AT_SEQUENCE_NUMBER',
  AFTER_SEQUENCE_NUMBER: 'AFTER_SEQUENCE_NUMBER',
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
} as const;
export type ShardIteratorType = (typeof ShardIteratorType)[keyof typeof ShardIteratorType];

/** Represents the input for SplitShard. */
export interface SplitShardInput {
  /** The name of the stream for the shard split. */
  StreamName?: string | undefined;
  /** The shard ID of the shard to split. */
  ShardToSplit: string;
  /** A hash key value for the starting hash key of one of the child shards created by the split. */
  NewStartingHashKey: string;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface StartStreamEncryptionInput {
  /** The name of the stream for which to start encrypting records. */
  StreamName?: string | undefined;
  /** The encryption type to use. */
  EncryptionType: EncryptionType;
  /** The GUID for the customer-managed Amazon Web Services KMS key to use for encryption. */
  KeyId: string;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** The starting position in the data stream from which to start streaming. */
export interface StartingPosition {
  /** You can set the starting position to one of the following values: AT_SEQUENCE_NUMBER: Start streaming from the position denoted by the sequence number specified in the SequenceNumber field. */
  Type: ShardIteratorType;
  /** The sequence number of the data record in the shard from which to start streaming. */
  SequenceNumber?: string | undefined;
  /** The time stamp of the data record from which to start reading. */
  Timestamp?: Date | undefined;
}

export interface StopStreamEncryptionInput {
  /** The name of the stream on which to stop encrypting records. */
  StreamName?: string | undefined;
  /** The encryption type. */
  EncryptionType: EncryptionType;
  /** The GUID for the customer-managed Amazon Web Services KMS key to use for encryption. */
  KeyId: string;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

/** Represents the output for DescribeStream. */
export interface StreamDescription {
  /** The name of the stream being described. */
  StreamName: string;
  /** The Amazon Resource Name (ARN) for the stream being described. */
  StreamARN: string;
  /** The current status of the stream being described. */
  StreamStatus: StreamStatus;
  /** Specifies the capacity mode to which you want to set your data stream. */
  StreamModeDetails?: StreamModeDetails | undefined;
  /** The shards that comprise the stream. */
  Shards: Shard[];
  /** If set to true, more shards in the stream are available to describe. */
  HasMoreShards: boolean;
  /** The current retention period, in hours. */
  RetentionPeriodHours: number;
  /** The approximate time that the stream was created. */
  StreamCreationTimestamp: Date;
  /** Represents the current enhanced monitoring settings of the stream. */
  EnhancedMonitoring: EnhancedMetrics[];
  /** The server-side encryption type used on the stream. */
  EncryptionType?: EncryptionType | undefined;
  /** The GUID for the customer-managed Amazon Web Services KMS key to use for encryption. */
  KeyId?: string | undefined;
}

/** Represents the output for DescribeStreamSummary */
export interface StreamDescriptionSummary {
  /** The name of the stream being described. */
  StreamName: string;
  /** The Amazon Resource Name (ARN) for the stream being described. */
  StreamARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** The current status of the stream being described. */
  StreamStatus: StreamStatus;
  /** Specifies the capacity mode to which you want to set your data stream. */
  StreamModeDetails?: StreamModeDetails | undefined;
  /** The current retention period, in hours. */
  RetentionPeriodHours: number;
  /** The approximate time that the stream was created. */
  StreamCreationTimestamp: Date;
  /** Represents the current enhanced monitoring settings of the stream. */
  EnhancedMonitoring: EnhancedMetrics[];
  /** The encryption type used. */
  EncryptionType?: EncryptionType | undefined;
  /** The GUID for the customer-managed Amazon Web Services KMS key to use for encryption. */
  KeyId?: string | undefined;
  /** The number of open shards in the stream. */
  OpenShardCount: number;
  /** The number of enhanced fan-out consumers registered with the stream. */
  ConsumerCount?: number | undefined;
  /** The warm throughput in MB/s for the stream. */
  WarmThroughput?: WarmThroughputObject | undefined;
  /** The maximum record size of a single record in kibibyte (KiB) that you can write to, and read from a stream. */
  MaxRecordSizeInKiB?: number | undefined;
  /** The number of channels associated with the stream. */
  ChannelCount?: number | undefined;
  /** The record distribution strategy that the stream currently uses. */
  RecordDistributionStrategy?: RecordDistributionStrategy | undefined;
}

/** Filters ListChannels results by source stream. */
export interface StreamFilter {
  /** The Amazon Resource Name (ARN) of the source stream to filter by. */
  StreamARN: string;
  /** The creation timestamp of the source stream. */
  StreamCreationTimestamp?: Date | undefined;
}

export const StreamMode = {
  PROVISIONED: 'PROVISIONED',
  ON_DEMAND: 'ON_DEMAND',
} as const;
export type StreamMode = (typeof StreamMode)[keyof typeof StreamMode];

/** Specifies the capacity mode to which you want to set your data stream. */
export interface StreamModeDetails {
  /** Specifies the capacity mode to which you want to set your data stream. */
  StreamMode: StreamMode;
}

export const StreamStatus = {
  CREATING: 'CREATING',
  DELETING: 'DELETING',
  ACTIVE: 'ACTIVE',
  UPDATING: 'UPDATING',
} as const;
export type StreamStatus = (typeof StreamStatus)[keyof typeof StreamStatus];

/** The summary of a stream. */
export interface StreamSummary {
  /** The name of a stream. */
  StreamName: string;
  /** The ARN of the stream. */
  StreamARN: string;
  /** The status of the stream. */
  StreamStatus: StreamStatus;
  StreamModeDetails?: StreamModeDetails | undefined;
  /** The timestamp at which the stream was created. */
  StreamCreationTimestamp?: Date | undefined;
}

/** After you call SubscribeToShard, Kinesis Data Streams sends events of this type over an HTTP/2 connection to your consumer. */
export interface SubscribeToShardEvent {
  Records: Record[];
  /** Use this as SequenceNumber in the next call to SubscribeToShard, with StartingPosition set to AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER. */
  ContinuationSequenceNumber: string;
  /** The number of milliseconds the read records are from the tip of the stream, indicating how far behind current time the consumer is. */
  MillisBehindLatest: number;
  /** The list of the child shards of the current shard, returned only at the end of the current shard. */
  ChildShards?: ChildShard[] | undefined;
}

/** This is a tagged union for all of the types of events an enhanced fan-out consumer can receive over HTTP/2 after a call to SubscribeToShard. */
export type SubscribeToShardEventStream =
  | { SubscribeToShardEvent: SubscribeToShardEvent }
  | { ResourceNotFoundException: ResourceNotFoundException }
  | { ResourceInUseException: ResourceInUseException }
  | { KMSDisabledException: KMSDisabledException }
  | { KMSInvalidStateException: KMSInvalidStateException }
  | { KMSAccessDeniedException: KMSAccessDeniedException }
  | { KMSNotFoundException: KMSNotFoundException }
  | { KMSOptInRequired: KMSOptInRequired }
  | { KMSThrottlingException: KMSThrottlingException }
  | { InternalFailureException: InternalFailureException };

export interface SubscribeToShardInput {
  /** For this parameter, use the value you obtained when you called RegisterStreamConsumer. */
  ConsumerARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** The ID of the shard you want to subscribe to. */
  ShardId: string;
  /** The starting position in the data stream from which to start streaming. */
  StartingPosition: StartingPosition;
  /** Checks if your request will succeed. */
  DryRun?: boolean | undefined;
}

export interface SubscribeToShardOutput {
  /** The event stream that your consumer can use to read records from the shard. */
  EventStream: AsyncIterable<SubscribeToShardEventStream>;
}

/** Metadata assigned to the stream or consumer, consisting of a key-value pair. */
export interface Tag {
  /** A unique identifier for the tag. */
  Key: string;
  /** An optional string, typically used to describe or define the tag. */
  Value?: string | undefined;
}

export interface TagResourceInput {
  /** An array of tags to be added to the Kinesis resource. */
  Tags: { [key: string]: string };
  /** The Amazon Resource Name (ARN) of the Kinesis resource to which to add tags. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface UntagResourceInput {
  /** A list of tag key-value pairs. */
  TagKeys: string[];
  /** The Amazon Resource Name (ARN) of the Kinesis resource from which to remove tags. */
  ResourceARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface UpdateAccountSettingsInput {
  /** Specifies the minimum throughput billing commitment configuration for your account. */
  MinimumThroughputBillingCommitment: MinimumThroughputBillingCommitmentInput;
}

export interface UpdateAccountSettingsOutput {
  /** The updated configuration of the minimum throughput billing commitment for your account. */
  MinimumThroughputBillingCommitment?: MinimumThroughputBillingCommitmentOutput | undefined;
}

export interface UpdateChannelInput {
  /** The Amazon Resource Name (ARN) of the channel to update. */
  ChannelARN: string;
  /** The updated configuration for a general purpose Amazon S3 destination. */
  S3DestinationConfiguration?: S3DestinationUpdateInput | undefined;
  /** The updated configuration for a streaming table destination. */
  S3TablesDestinationConfiguration?: S3TablesDestinationUpdateInput | undefined;
  /** The updated Amazon CloudWatch Logs configuration for the channel. */
  LoggingConfiguration?: ChannelLoggingUpdateInput | undefined;
}

export interface UpdateChannelOutput {
  /** The configuration and current status of the channel after the update, including its ARN, destination configuration, and lifecycle state. */
  ChannelDescription: ChannelDescription;
}

export interface UpdateMaxRecordSizeInput {
  /** The Amazon Resource Name (ARN) of the stream for the MaxRecordSize update. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** The maximum record size of a single record in KiB that you can write to, and read from a stream. */
  MaxRecordSizeInKiB: number;
}

export interface UpdateShardCountInput {
  /** The name of the stream. */
  StreamName?: string | undefined;
  /** The new number of shards. */
  TargetShardCount: number;
  /** The scaling type. */
  ScalingType: ScalingType;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
}

export interface UpdateShardCountOutput {
  /** The name of the stream. */
  StreamName?: string | undefined;
  /** The current number of shards. */
  CurrentShardCount?: number | undefined;
  /** The updated number of shards. */
  TargetShardCount?: number | undefined;
  /** The ARN of the stream. */
  StreamARN?: string | undefined;
}

export interface UpdateStreamModeInput {
  /** Specifies the ARN of the data stream whose capacity mode you want to update. */
  StreamARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** Specifies the capacity mode to which you want to set your data stream. */
  StreamModeDetails: StreamModeDetails;
  /** The target warm throughput in MB/s that the stream should be scaled to handle. */
  WarmThroughputMiBps?: number | undefined;
}

export interface UpdateStreamRecordDistributionStrategyInput {
  /** The Amazon Resource Name (ARN) of the stream to update. */
  StreamARN: string;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** The record distribution strategy to apply to the stream. */
  RecordDistributionStrategy: RecordDistributionStrategy;
}

export interface UpdateStreamWarmThroughputInput {
  /** The ARN of the stream to be updated. */
  StreamARN?: string | undefined;
  /** The name of the stream to be updated. */
  StreamName?: string | undefined;
  /** Not Implemented. */
  StreamId?: string | undefined;
  /** The target warm throughput in MB/s that the stream should be scaled to handle. */
  WarmThroughputMiBps: number;
}

export interface UpdateStreamWarmThroughputOutput {
  /** The ARN of the stream that was updated. */
  StreamARN?: string | undefined;
  /** The name of the stream that was updated. */
  StreamName?: string | undefined;
  /** Specifies the updated warm throughput configuration for your data stream. */
  WarmThroughput?: WarmThroughputObject | undefined;
}

/** Specifies that you tried to invoke this API for a data stream with the on-demand capacity mode. */
export interface ValidationException {
  message?: string | undefined;
}

/** Represents the warm throughput configuration on the stream. */
export interface WarmThroughputObject {
  /** The target warm throughput value on the stream. */
  TargetMiBps?: number | undefined;
  /** The current warm throughput value on the stream. */
  CurrentMiBps?: number | undefined;
}

// Simple, list and map shapes (members above inline these types).
export type BooleanObject = boolean;
export type BucketARN = string;
export type ChannelARN = string;
export type ChannelCountObject = number;
export type ChannelId = string;
export type ChannelName = string;
export type ChannelStatusReason = string;
export type ChannelStreamConfigurationList = ChannelStreamConfiguration[];
export type ChannelStreamDescriptionList = ChannelStreamDescription[];
export type ChannelStreamIdentifierList = ChannelStreamIdentifier[];
export type ChannelSummaryList = ChannelSummary[];
export type ChildShardList = ChildShard[];
export type CloudWatchLogGroupName = string;
export type CloudWatchLogStreamName = string;
export type ConsumerARN = string;
export type ConsumerCountObject = number;
export type ConsumerList = Consumer[];
export type ConsumerName = string;
export type Data = Uint8Array;
export type DataFreshnessInSeconds = number;
export type DescribeStreamInputLimit = number;
export type EnhancedMonitoringList = EnhancedMetrics[];
export type ErrorCode = string;
export type ErrorMessage = string;
export type ExpectedBucketOwner = string;
export type GSRSchemaARN = string;
export type GetRecordsInputLimit = number;
export type HashKey = string;
export type KeyId = string;
export type ListChannelsInputLimit = number;
export type ListShardsInputLimit = number;
export type ListStreamConsumersInputLimit = number;
export type ListStreamsInputLimit = number;
export type ListTagsForStreamInputLimit = number;
export type MaxRecordSizeInKiB = number;
export type MetricsNameList = MetricsName[];
export type MillisBehindLatest = number;
export type NaturalIntegerObject = number;
export type NextToken = string;
export type OnDemandStreamCountLimitObject = number;
export type OnDemandStreamCountObject = number;
export type PartitionFieldList = PartitionField[];
export type PartitionKey = string;
export type PartitionSourceName = string;
export type Policy = string;
export type PositiveIntegerObject = number;
export type PutRecordsRequestEntryList = PutRecordsRequestEntry[];
export type PutRecordsResultEntryList = PutRecordsResultEntry[];
export type RecordList = Record[];
export type ResourceARN = string;
export type RetentionPeriodHours = number;
export type RoleARN = string;
export type S3ErrorOutputPrefix = string;
export type S3OutputKeyTemplate = string;
export type S3TablesConfigurationList = S3TablesConfiguration[];
export type S3TablesNamespace = string;
export type S3TablesTableName = string;
export type SequenceNumber = string;
export type ShardCountObject = number;
export type ShardId = string;
export type ShardIdList = string[];
export type ShardIterator = string;
export type ShardList = Shard[];
export type StreamARN = string;
export type StreamFilterList = StreamFilter[];
export type StreamId = string;
export type StreamName = string;
export type StreamNameList = string[];
export type StreamSummaryList = StreamSummary[];
export type TableBucketARN = string;
export type TagKey = string;
export type TagKeyList = string[];
export type TagList = Tag[];
export type TagMap = { [key: string]: string };
export type TagValue = string;
export type Timestamp = Date;

/** Every operation of the service with its input and output types (Unit output: void). */
export interface KinesisOperationMap {
  AddTagsToStream: { input: AddTagsToStreamInput; output: void };
  CreateChannel: { input: CreateChannelInput; output: CreateChannelOutput };
  CreateStream: { input: CreateStreamInput; output: void };
  DecreaseStreamRetentionPeriod: { input: DecreaseStreamRetentionPeriodInput; output: void };
  DeleteChannel: { input: DeleteChannelInput; output: void };
  DeleteResourcePolicy: { input: DeleteResourcePolicyInput; output: void };
  DeleteStream: { input: DeleteStreamInput; output: void };
  DeregisterStreamConsumer: { input: DeregisterStreamConsumerInput; output: void };
  DescribeAccountSettings: { input: DescribeAccountSettingsInput; output: DescribeAccountSettingsOutput };
  DescribeChannel: { input: DescribeChannelInput; output: DescribeChannelOutput };
  DescribeLimits: { input: DescribeLimitsInput; output: DescribeLimitsOutput };
  DescribeStream: { input: DescribeStreamInput; output: DescribeStreamOutput };
  DescribeStreamConsumer: { input: DescribeStreamConsumerInput; output: DescribeStreamConsumerOutput };
  DescribeStreamSummary: { input: DescribeStreamSummaryInput; output: DescribeStreamSummaryOutput };
  DisableEnhancedMonitoring: { input: DisableEnhancedMonitoringInput; output: EnhancedMonitoringOutput };
  EnableEnhancedMonitoring: { input: EnableEnhancedMonitoringInput; output: EnhancedMonitoringOutput };
  GetRecords: { input: GetRecordsInput; output: GetRecordsOutput };
  GetResourcePolicy: { input: GetResourcePolicyInput; output: GetResourcePolicyOutput };
  GetShardIterator: { input: GetShardIteratorInput; output: GetShardIteratorOutput };
  IncreaseStreamRetentionPeriod: { input: IncreaseStreamRetentionPeriodInput; output: void };
  ListChannels: { input: ListChannelsInput; output: ListChannelsOutput };
  ListShards: { input: ListShardsInput; output: ListShardsOutput };
  ListStreamConsumers: { input: ListStreamConsumersInput; output: ListStreamConsumersOutput };
  ListStreams: { input: ListStreamsInput; output: ListStreamsOutput };
  ListTagsForResource: { input: ListTagsForResourceInput; output: ListTagsForResourceOutput };
  ListTagsForStream: { input: ListTagsForStreamInput; output: ListTagsForStreamOutput };
  MergeShards: { input: MergeShardsInput; output: void };
  PutRecord: { input: PutRecordInput; output: PutRecordOutput };
  PutRecords: { input: PutRecordsInput; output: PutRecordsOutput };
  PutResourcePolicy: { input: PutResourcePolicyInput; output: void };
  RegisterStreamConsumer: { input: RegisterStreamConsumerInput; output: RegisterStreamConsumerOutput };
  RemoveTagsFromStream: { input: RemoveTagsFromStreamInput; output: void };
  SplitShard: { input: SplitShardInput; output: void };
  StartStreamEncryption: { input: StartStreamEncryptionInput; output: void };
  StopStreamEncryption: { input: StopStreamEncryptionInput; output: void };
  SubscribeToShard: { input: SubscribeToShardInput; output: SubscribeToShardOutput };
  TagResource: { input: TagResourceInput; output: void };
  UntagResource: { input: UntagResourceInput; output: void };
  UpdateAccountSettings: { input: UpdateAccountSettingsInput; output: UpdateAccountSettingsOutput };
  UpdateChannel: { input: UpdateChannelInput; output: UpdateChannelOutput };
  UpdateMaxRecordSize: { input: UpdateMaxRecordSizeInput; output: void };
  UpdateShardCount: { input: UpdateShardCountInput; output: UpdateShardCountOutput };
  UpdateStreamMode: { input: UpdateStreamModeInput; output: void };
  UpdateStreamRecordDistributionStrategy: { input: UpdateStreamRecordDistributionStrategyInput; output: void };
  UpdateStreamWarmThroughput: { input: UpdateStreamWarmThroughputInput; output: UpdateStreamWarmThroughputOutput };
}

export type KinesisOperationName = keyof KinesisOperationMap;

/** A handler for every operation: typed input in, typed output out (or a thrown ServiceError). */
export type KinesisHandlers = {
  [K in KinesisOperationName]: (input: KinesisOperationMap[K]['input'], context: RequestContext) => Promise<KinesisOperationMap[K]['output']>;
};
