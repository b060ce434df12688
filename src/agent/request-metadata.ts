/**
 * Builds and validates the `requestMetadata` of Converse requests: the application's cost allocation
 * tags and, when the request names one, the caller.
 *
 * Bedrock writes request metadata into its model invocation logs, where it can filter them. The
 * limits below are those of the `RequestMetadata` shape in the Bedrock runtime Smithy model
 * (aws/aws-sdk-js-v3, codegen/sdk-codegen/aws-models/bedrock-runtime.json): 1 to 16 entries, keys
 * of 1 to 256 characters, values of 0 to 256 characters, and both from the pattern
 * `[a-zA-Z0-9\s:_@$#=/+,-.]`. The AWS SDK does not check them, so Bedrock rejects a request that
 * breaks them with ValidationException.
 */

/** The request-metadata key that carries the caller. */
export const CALLER_METADATA_KEY = 'caller';

/** Maximum number of request-metadata entries that Converse accepts. */
export const MAX_REQUEST_METADATA_ENTRIES = 16;

/** Maximum number of cost allocation tags, because one request-metadata entry is kept for the caller. */
export const MAX_METADATA_TAGS = MAX_REQUEST_METADATA_ENTRIES - 1;

/** Maximum length of a request-metadata key or value, in characters. */
export const MAX_REQUEST_METADATA_LENGTH = 256;

/**
 * Characters that Converse accepts in request-metadata keys and values. The Smithy pattern uses the
 * Java `\s`, which matches ASCII white space only, so the JavaScript `\s`, which also matches
 * Unicode spaces, is spelled out here.
 */
const REQUEST_METADATA_CHARACTERS = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,.-]*$/;

/** The characters of {@link REQUEST_METADATA_CHARACTERS}, as messages name them. */
export const REQUEST_METADATA_CHARACTERS_TEXT = 'letters A-Z and a-z, digits, white space and : _ @ $ # = / + , - .';

/** Returns true if `value` contains only characters that Converse accepts in request metadata. */
export function hasRequestMetadataCharacters(value: string): boolean {
  return REQUEST_METADATA_CHARACTERS.test(value);
}

/**
 * Checks that the cost allocation tags fit in request metadata next to the caller, and returns
 * a description of each problem. An empty list means that the tags fit.
 */
export function requestMetadataProblems(tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(tags);
  if (keys.length > MAX_METADATA_TAGS) {
    problems.push(`it has ${keys.length} tags, but Converse request metadata carries at most ${MAX_REQUEST_METADATA_ENTRIES} entries, ` +
      `one of them reserved for the caller, so keep at most ${MAX_METADATA_TAGS} tags`);
  }

  for (const key of keys) {
    if (key.toLowerCase() === CALLER_METADATA_KEY) {
      problems.push(`the tag key ${JSON.stringify(key)} is reserved for the caller in request metadata, so rename the tag`);
    }
    if (key.length > MAX_REQUEST_METADATA_LENGTH || !hasRequestMetadataCharacters(key)) {
      problems.push(`the tag key ${JSON.stringify(key)} must have at most ${MAX_REQUEST_METADATA_LENGTH} characters from ${REQUEST_METADATA_CHARACTERS_TEXT}`);
    }
    const value = tags[key];
    if (value.length > MAX_REQUEST_METADATA_LENGTH || !hasRequestMetadataCharacters(value)) {
      problems.push(`the value of tag ${JSON.stringify(key)} must have at most ${MAX_REQUEST_METADATA_LENGTH} characters from ${REQUEST_METADATA_CHARACTERS_TEXT}`);
    }
  }
  return problems;
}

/**
 * Builds the request metadata of a Converse request: the cost allocation tags, plus the caller
 * under {@link CALLER_METADATA_KEY} when there is one. The configuration and the request are
 * validated before, so the result fits the limits.
 */
export function buildRequestMetadata(tags: Readonly<Record<string, string>>, caller: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = { ...tags };
  if (caller !== undefined) {
    metadata[CALLER_METADATA_KEY] = caller;
  }
  return metadata;
}
