/**
 * Tag rules shared by AddTagsToStream, TagResource, CreateStream (Tags) and the consumer registration:
 * up to 50 tags per resource (a setting), keys 1–128 and values 0–256 characters (checked by the model
 * validator), only Unicode letters, digits, white space and `_ . : / = + - @`, and no `aws:` prefix
 * (reserved for AWS). https://docs.aws.amazon.com/streams/latest/dev/tagging.html
 */
import { ServiceError } from '../model/service-error.js';

const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Validate tags to be added; returns the merged tag map (existing overwritten by new keys). */
export function mergeTags(
  existing: Readonly<Record<string, string>>,
  added: Readonly<Record<string, string | undefined>>,
  maxTags: number,
): Record<string, string> {
  const out: Record<string, string> = { ...existing };
  for (const [key, rawValue] of Object.entries(added)) {
    const value = rawValue ?? '';
    checkTagKey(key);
    if (!allowed.test(value)) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Tag value for key ${key} contains invalid characters. Tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @`,
      );
    }
    out[key] = value;
  }
  if (Object.keys(out).length > maxTags) {
    throw new ServiceError(
      'LimitExceededException',
      `Failed to add tags: a resource can have at most ${maxTags} tags (it would have ${Object.keys(out).length}).`,
    );
  }
  return out;
}

export function checkTagKey(key: string): void {
  if (key.length < 1 || key.length > 128) {
    throw new ServiceError('InvalidArgumentException', `Tag key ${key} must be between 1 and 128 characters long.`);
  }
  if (!allowed.test(key)) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Tag key ${key} contains invalid characters. Tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @`,
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new ServiceError('InvalidArgumentException', `Tag key ${key} uses the reserved prefix aws:.`);
  }
}

/** Remove keys (absent keys are ignored, as AWS documents). */
export function removeTags(existing: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...existing };
  for (const key of keys) delete out[key];
  return out;
}

/** Tags as the API lists them, sorted by key. */
export function tagList(tags: Readonly<Record<string, string>>): Array<{ Key: string; Value: string }> {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] }));
}
