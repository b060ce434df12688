import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { firstInvalidCharacter, throwInvalidProp } from './private/validation';

/**
 * Cost allocation tags for an application's Bedrock usage.
 *
 * The tags go on the application inference profile, so that AWS billing reports every token spent
 * through it under these keys once they are activated as cost allocation tags.
 *
 * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html
 */
export interface CostAllocationTags {
  /**
   * Value of the `Application` tag: the application that the cost belongs to.
   */
  readonly application: string;

  /**
   * Value of the `Environment` tag, for example `Production`.
   *
   * @default - no Environment tag
   */
  readonly environment?: string;

  /**
   * Value of the `CostCenter` tag: who pays for the usage.
   *
   * @default - no CostCenter tag
   */
  readonly costCenter?: string;

  /**
   * Further cost allocation tags, tag key to tag value.
   *
   * Keys must differ from `Application`, `Environment` and `CostCenter` (compared without case,
   * because billing reports treat keys that differ only in case as separate tags).
   *
   * @default - no further tags
   */
  readonly additionalTags?: { [key: string]: string };
}

/** Tag keys used for the named fields of {@link CostAllocationTags}. */
export const APPLICATION_TAG_KEY = 'Application';
export const ENVIRONMENT_TAG_KEY = 'Environment';
export const COST_CENTER_TAG_KEY = 'CostCenter';

const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** Characters that Bedrock accepts in tag keys and values (API_Tag in the Bedrock API reference). */
const TAG_CHARACTERS = /^[a-zA-Z0-9\s._:/=+@-]*$/;
const TAG_CHARACTER = /^[a-zA-Z0-9\s._:/=+@-]$/;

/**
 * Validates `tags` and returns them as one map, tag key to tag value, in a stable order.
 *
 * Rules from the Bedrock `Tag` type: keys of 1 to 128 characters, values of up to 256, both from
 * letters, digits, white space and `_ . : / = + @ -`. Keys may not start with the reserved `aws:`
 * prefix. Unresolved tokens are passed through unchecked.
 *
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Tag.html
 */
export function costAllocationTagMap(scope: IConstruct, tags: CostAllocationTags, prop: string): Record<string, string> {
  const result: Record<string, string> = {};
  const seen = new Map<string, string>();

  const add = (key: string, value: string, valueProp: string, required = false) => {
    validateTagKey(scope, key, `${prop}.additionalTags`);
    validateTagValue(scope, value, valueProp, required);
    if (!Token.isUnresolved(key)) {
      const existing = seen.get(key.toLowerCase());
      if (existing !== undefined) {
        throwInvalidProp(scope, `${prop}.additionalTags`, key,
          `the key duplicates "${existing}" (tag keys are compared without case)`,
          `remove "${key}" from additionalTags or set the value through the matching field`);
      }
      seen.set(key.toLowerCase(), key);
    }
    result[key] = value;
  };

  if (tags.application === undefined) {
    throwInvalidProp(scope, `${prop}.application`, tags.application, 'the Application tag is required', 'set application to the name of the application that pays');
  }
  add(APPLICATION_TAG_KEY, tags.application, `${prop}.application`, true);
  if (tags.environment !== undefined) {
    add(ENVIRONMENT_TAG_KEY, tags.environment, `${prop}.environment`);
  }
  if (tags.costCenter !== undefined) {
    add(COST_CENTER_TAG_KEY, tags.costCenter, `${prop}.costCenter`);
  }
  const namedKeys: Record<string, string> = {
    [APPLICATION_TAG_KEY.toLowerCase()]: 'application',
    [ENVIRONMENT_TAG_KEY.toLowerCase()]: 'environment',
    [COST_CENTER_TAG_KEY.toLowerCase()]: 'costCenter',
  };
  for (const key of Object.keys(tags.additionalTags ?? {})) {
    const field = Token.isUnresolved(key) ? undefined : namedKeys[key.toLowerCase()];
    if (field !== undefined) {
      throwInvalidProp(scope, `${prop}.additionalTags`, key,
        'the key duplicates a named field (tag keys are compared without case)',
        `set ${prop}.${field} instead`);
    }
    add(key, tags.additionalTags![key], `${prop}.additionalTags["${key}"]`);
  }
  return result;
}

function validateTagKey(scope: IConstruct, key: string, prop: string): void {
  if (Token.isUnresolved(key)) {
    return;
  }
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throwInvalidProp(scope, prop, key, `a tag key must have 1 to ${MAX_KEY_LENGTH} characters`, 'shorten or rename the key');
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throwInvalidProp(scope, prop, key, 'the "aws:" prefix is reserved for tags that AWS creates', 'choose a key without the "aws:" prefix');
  }
  if (!TAG_CHARACTERS.test(key)) {
    throwInvalidProp(scope, prop, key,
      `a tag key may contain only letters, digits, white space and _ . : / = + @ -${firstInvalidCharacter(key, TAG_CHARACTER)}`,
      'remove the other characters');
  }
}

function validateTagValue(scope: IConstruct, value: string, prop: string, required: boolean): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string') {
    throwInvalidProp(scope, prop, value, 'a tag value must be a string', 'pass the value as a string');
  }
  if (value.trim().length === 0) {
    const fix = required ? 'set a value' : 'set a value, or leave the optional field out';
    throwInvalidProp(scope, prop, value, 'an empty tag value cannot group costs', fix);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throwInvalidProp(scope, prop, value, `a tag value may have at most ${MAX_VALUE_LENGTH} characters`, 'shorten the value');
  }
  if (!TAG_CHARACTERS.test(value)) {
    throwInvalidProp(scope, prop, value,
      `a tag value may contain only letters, digits, white space and _ . : / = + @ -${firstInvalidCharacter(value, TAG_CHARACTER)}`,
      'remove the other characters');
  }
}
