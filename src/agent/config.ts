/**
 * Reads the agent's configuration from the environment variables that the construct sets.
 *
 * The variables are read and validated once, when the module loads. An invalid configuration does
 * not throw, so the module always loads. The handler replies with a ConfigurationError instead,
 * whose message names the variable to fix.
 *
 * An optional variable that is unset, empty or whitespace-only takes its default.
 */
import { inferenceParametersFor } from './inference-parameters';
import type { InferenceParameters } from './inference-parameters';
import { requestMetadataProblems } from './request-metadata';

/** The validated configuration of the agent handler. */
export interface AgentConfig {
  /** ARN of the application inference profile, sent as `modelId` in every Converse request (`BEDROCK_MODEL_ID`). */
  readonly modelId: string;
  /** ID of the foundation model behind the inference profile (`FOUNDATION_MODEL_ID`). */
  readonly foundationModelId: string;
  /** Cost allocation tags of the inference profile, tag key to tag value (`COST_ALLOCATION_TAGS`). */
  readonly costAllocationTags: Readonly<Record<string, string>>;
  /** System prompt sent with every Converse request (`SYSTEM_PROMPT`). Never empty. */
  readonly systemPrompt: string;
  /** Maximum number of tool rounds in one invocation (`MAX_TOOL_ROUNDS`). */
  readonly maxToolRounds: number;
  /** Maximum number of output tokens of each Converse request (`MAX_OUTPUT_TOKENS`). */
  readonly maxOutputTokens: number;
  /** Sampling temperature from 0 to 1 (`TEMPERATURE`), or undefined to use the model's default. */
  readonly temperature?: number;
  /** Nucleus sampling value from 0 to 1 (`TOP_P`), or undefined to use the model's default. */
  readonly topP?: number;
  /**
   * The `inferenceConfig` of every Converse request, which holds only the parameters that the
   * model accepts, and the configured ones left out. See `inference-parameters.ts`.
   */
  readonly inference: InferenceParameters;
  /** Whether prompts and answers are logged (`LOG_CONVERSATION_TEXT`). */
  readonly logConversationText: boolean;
  /** AWS region of the function, which Lambda sets (`AWS_REGION`). */
  readonly region: string;
}

/** The result of {@link readConfig}: the configuration, or a message that lists every invalid variable. */
export type ConfigResult =
  | { readonly config: AgentConfig }
  | { readonly error: string };

export const DEFAULT_MAX_TOOL_ROUNDS = 5;
export const MAX_TOOL_ROUNDS_LIMIT = 20;
export const DEFAULT_MAX_OUTPUT_TOKENS = 2048;
/**
 * Upper bound of MAX_OUTPUT_TOKENS. A model whose own output limit is lower rejects a larger value
 * with ValidationException, so the construct should pass a value that fits its model.
 */
export const MAX_OUTPUT_TOKENS_LIMIT = 8192;

// arn:<partition>:bedrock:<region>:<account>:<resource>. The region and account may be empty
// because foundation-model ARNs have no account.
const BEDROCK_ARN_PATTERN = /^arn:aws(-[a-z]+)*:bedrock:[a-z0-9-]*:[0-9]*:\S+$/;
const EXAMPLE_PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
const EXAMPLE_TAGS = '{"Application":"MyApp","Environment":"Production"}';

// Messages quote at most this many characters of a value, so that a long value does not flood the logs.
const MAX_QUOTED_LENGTH = 120;

/**
 * Reads and validates the agent's environment variables.
 *
 * Every invalid variable is reported, not only the first, so that one deployment can fix them all.
 */
export function readConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const problems: string[] = [];
  const report = <T>(result: VariableResult<T>): T | undefined => {
    if ('problem' in result) {
      problems.push(result.problem);
      return undefined;
    }
    return result.value;
  };

  const modelId = report(readModelArn(env));
  const foundationModelId = report(readFoundationModelId(env));
  const costAllocationTags = report(readCostAllocationTags(env));
  const maxToolRounds = report(readInteger(env, 'MAX_TOOL_ROUNDS', 1, MAX_TOOL_ROUNDS_LIMIT, DEFAULT_MAX_TOOL_ROUNDS));
  const maxOutputTokens = report(readInteger(env, 'MAX_OUTPUT_TOKENS', 1, MAX_OUTPUT_TOKENS_LIMIT, DEFAULT_MAX_OUTPUT_TOKENS));
  const temperature = report(readFraction(env, 'TEMPERATURE'));
  const topP = report(readFraction(env, 'TOP_P'));
  const logConversationText = report(readBoolean(env, 'LOG_CONVERSATION_TEXT'));
  const region = report(readRegion(env));

  // Each value is undefined exactly when its variable added a problem.
  if (
    modelId === undefined ||
    foundationModelId === undefined ||
    costAllocationTags === undefined ||
    maxToolRounds === undefined ||
    maxOutputTokens === undefined ||
    temperature === undefined ||
    topP === undefined ||
    logConversationText === undefined ||
    region === undefined
  ) {
    return { error: `Invalid configuration of the agent function. ${problems.join(' ')}` };
  }

  const systemPrompt = optionalValue(env, 'SYSTEM_PROMPT') ?? defaultSystemPrompt(costAllocationTags);
  const sampling = { temperature: temperature ?? undefined, topP: topP ?? undefined };
  return {
    config: {
      modelId,
      foundationModelId,
      costAllocationTags,
      systemPrompt,
      maxToolRounds,
      maxOutputTokens,
      ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
      ...(sampling.topP !== undefined ? { topP: sampling.topP } : {}),
      inference: inferenceParametersFor(foundationModelId, maxOutputTokens, sampling),
      logConversationText,
      region,
    },
  };
}

/** Formats tags as `key=value` pairs sorted by key, the form that the prompt and the tools show. */
export function formatTags(tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags).sort().map((key) => `${key}=${tags[key]}`);
}

/** Builds the system prompt used when SYSTEM_PROMPT is not set. */
export function defaultSystemPrompt(tags: Readonly<Record<string, string>>): string {
  return [
    'You are the cost assistant of an application that uses Amazon Bedrock.',
    `The application's model usage is tracked with these cost allocation tags: ${formatTags(tags).join(', ')}.`,
    'Answer questions about where this cost appears and how to view it.',
    'Call get_cost_summary to explain where the cost appears, and get_cost_explorer_link to get a Cost Explorer link for the current month.',
    'The tools return no live cost figures, so never state a cost amount.',
  ].join(' ');
}

/** The configuration read once when this module loads. */
export const configResult: ConfigResult = readConfig(process.env);

type VariableResult<T> = { readonly value: T } | { readonly problem: string };

function readModelArn(env: NodeJS.ProcessEnv): VariableResult<string> {
  const value = optionalValue(env, 'BEDROCK_MODEL_ID');
  if (value === undefined) {
    return { problem: `BEDROCK_MODEL_ID is missing. Set it to the ARN of the application inference profile, for example ${EXAMPLE_PROFILE_ARN}.` };
  }
  if (!BEDROCK_ARN_PATTERN.test(value)) {
    return {
      problem: `BEDROCK_MODEL_ID ${quote(value)} is not an Amazon Bedrock ARN. ` +
        `Set it to the ARN of the application inference profile, for example ${EXAMPLE_PROFILE_ARN}.`,
    };
  }
  return { value };
}

function readFoundationModelId(env: NodeJS.ProcessEnv): VariableResult<string> {
  const value = optionalValue(env, 'FOUNDATION_MODEL_ID');
  if (value === undefined) {
    return { problem: 'FOUNDATION_MODEL_ID is missing. Set it to the ID of the model behind the inference profile, for example anthropic.claude-sonnet-4-20250514-v1:0.' };
  }
  if (/\s/.test(value)) {
    return { problem: `FOUNDATION_MODEL_ID ${quote(value)} contains whitespace. Set it to a model ID such as anthropic.claude-sonnet-4-20250514-v1:0.` };
  }
  return { value };
}

function readCostAllocationTags(env: NodeJS.ProcessEnv): VariableResult<Record<string, string>> {
  const value = optionalValue(env, 'COST_ALLOCATION_TAGS');
  const fix = `Set it to a JSON object of tag keys to string values, for example ${EXAMPLE_TAGS}.`;
  if (value === undefined) {
    return { problem: `COST_ALLOCATION_TAGS is missing. ${fix}` };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} is not valid JSON (${reason}). ${fix}` };
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} is not a JSON object. ${fix}` };
  }
  const entries = Object.entries(parsed);
  if (entries.length === 0) {
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} contains no tags. ${fix}` };
  }
  if (entries.some(([key]) => key.trim() === '')) {
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} contains an empty tag key. ${fix}` };
  }
  const nonStringKeys = entries.filter(([, tagValue]) => typeof tagValue !== 'string').map(([key]) => key);
  if (nonStringKeys.length > 0) {
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} has values that are not strings, for the keys ${nonStringKeys.join(', ')}. ${fix}` };
  }

  // Every Converse request sends the tags as request metadata, so they must fit its limits.
  const tags = Object.fromEntries(entries) as Record<string, string>;
  const metadataProblems = requestMetadataProblems(tags);
  if (metadataProblems.length > 0) {
    return { problem: `COST_ALLOCATION_TAGS ${quote(value)} does not fit Amazon Bedrock request metadata: ${metadataProblems.join('; ')}.` };
  }

  return { value: tags };
}

function readInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number, defaultValue: number): VariableResult<number> {
  const value = optionalValue(env, name);
  if (value === undefined) {
    return { value: defaultValue };
  }

  const parsed = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    return {
      problem: `${name} ${quote(value)} is invalid. Set it to an integer from ${min} to ${max}, or unset it to use the default of ${defaultValue}.`,
    };
  }
  return { value: parsed };
}

/**
 * Reads an optional decimal from 0 to 1, the range of `temperature` and `topP` in the Converse
 * InferenceConfiguration shape. Null stands for unset, because undefined marks a problem.
 */
function readFraction(env: NodeJS.ProcessEnv, name: string): VariableResult<number | null> {
  const value = optionalValue(env, name);
  if (value === undefined) {
    return { value: null };
  }

  const parsed = /^(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= 0 && parsed <= 1)) {
    return {
      problem: `${name} ${quote(value)} is invalid. Set it to a decimal number from 0 to 1, such as 0.5, or unset it to use the model's default.`,
    };
  }
  return { value: parsed };
}

/** Reads an optional `true` or `false`, in any case. Unset is false. */
function readBoolean(env: NodeJS.ProcessEnv, name: string): VariableResult<boolean> {
  const value = optionalValue(env, name);
  if (value === undefined) {
    return { value: false };
  }

  const normalized = value.toLowerCase();
  if (normalized !== 'true' && normalized !== 'false') {
    return { problem: `${name} ${quote(value)} is invalid. Set it to true or false, or unset it for false.` };
  }
  return { value: normalized === 'true' };
}

function readRegion(env: NodeJS.ProcessEnv): VariableResult<string> {
  const value = optionalValue(env, 'AWS_REGION');
  if (value === undefined) {
    return { problem: 'AWS_REGION is missing. Lambda sets it, so set it yourself only when running the handler elsewhere, for example to us-east-1.' };
  }
  return { value };
}

/** Returns the trimmed value of a variable, or undefined when it is unset, empty or whitespace-only. */
function optionalValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function quote(value: string): string {
  if (value.length <= MAX_QUOTED_LENGTH) {
    return JSON.stringify(value);
  }
  return `${JSON.stringify(`${value.slice(0, MAX_QUOTED_LENGTH)}...`)} (${value.length} characters)`;
}
