/**
 * Chooses the `inferenceConfig` of Converse requests from the configured values and the model
 * behind the inference profile (FOUNDATION_MODEL_ID), so that no request carries a parameter that
 * the model rejects.
 *
 * `maxTokens` is always sent. `temperature` and `topP` are sent only when TEMPERATURE or TOP_P is
 * set, so by default every model uses its own sampling defaults. Then these rules apply:
 *
 * | Model | temperature and topP |
 * | --- | --- |
 * | Anthropic Claude 4.7 and later, and Claude 5 and later | neither is sent |
 * | other Anthropic Claude 4 models | at most one is sent: temperature when both are set |
 * | every other model, including Claude 3 | both are sent as set |
 *
 * Sources: Anthropic's migration guides state that Claude Sonnet 4.5 and Claude Haiku 4.5 return a
 * 400 error when a request sets both temperature and top_p
 * (https://platform.claude.com/docs/en/models/haiku-4-5/migration-guide and
 * https://platform.claude.com/docs/zh-CN/about-claude/models/migrating-to-claude-4).
 *
 * NOTE: that Claude Opus 4.7 and later models reject temperature, top_p and top_k altogether comes
 * from third-party reports, such as the release notes of aido-dev/aido v1.4.2 and
 * Oaklight/argo-proxy v3.0.2, not from an Anthropic or AWS page. Claude 4.0 to 4.6 models other than
 * Sonnet 4.5 and Haiku 4.5 get the one-parameter rule as a precaution, because one parameter alone
 * is accepted by every Claude 4 model.
 */
import type { InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';

/** The sampling values from TEMPERATURE and TOP_P. Undefined means unset. */
export interface SamplingSettings {
  readonly temperature?: number;
  readonly topP?: number;
}

/** A configured parameter that is not sent, because the model rejects it. */
export interface OmittedParameter {
  readonly name: 'temperature' | 'topP';
  /** The reason the model rejects it, for the log line written when the configuration loads. */
  readonly reason: string;
}

/** The `inferenceConfig` to send, and the configured parameters left out of it. */
export interface InferenceParameters {
  readonly inferenceConfig: InferenceConfiguration;
  readonly omitted: readonly OmittedParameter[];
}

/** The version of an Anthropic Claude model, such as 4.5 for `anthropic.claude-sonnet-4-5-20250929-v1:0`. */
export interface ClaudeVersion {
  readonly major: number;
  readonly minor: number;
}

// An optional geography prefix of a cross-Region inference profile, such as `us.` or `global.`.
const CLAUDE_MODEL_ID = /^(?:[a-z-]+\.)?anthropic\.claude-(.+)$/;
// Names since Claude 4: `claude-sonnet-4-5-20250929-v1:0`, `claude-opus-4-20250514-v1:0`. A minor
// version has one or two digits, so the eight-digit date of `claude-opus-4-20250514` is not one.
const TIER_FIRST_NAME = /^(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?=[-:.]|$)/;
// Names before Claude 4: `claude-3-5-sonnet-20240620-v1:0`, `claude-3-haiku-20240307-v1:0`.
const VERSION_FIRST_NAME = /^(\d+)(?:-(\d{1,2}))?-(?:opus|sonnet|haiku)/;

/** Reads the Claude version from a model ID, or returns undefined for any other model. */
export function claudeVersion(modelId: string): ClaudeVersion | undefined {
  const name = CLAUDE_MODEL_ID.exec(modelId)?.[1];
  if (name === undefined) {
    return undefined;
  }
  const match = TIER_FIRST_NAME.exec(name) ?? VERSION_FIRST_NAME.exec(name);
  if (match === null) {
    return undefined;
  }
  return { major: Number(match[1]), minor: match[2] === undefined ? 0 : Number(match[2]) };
}

/** Builds the inference parameters for `modelId` from the configured values. */
export function inferenceParametersFor(modelId: string, maxTokens: number, sampling: SamplingSettings): InferenceParameters {
  const version = claudeVersion(modelId);
  const omitted: OmittedParameter[] = [];
  let { temperature, topP } = sampling;

  if (version !== undefined && rejectsSamplingParameters(version)) {
    const reason = `Claude ${version.major}.${version.minor} models reject sampling parameters`;
    if (temperature !== undefined) {
      omitted.push({ name: 'temperature', reason });
    }
    if (topP !== undefined) {
      omitted.push({ name: 'topP', reason });
    }
    temperature = undefined;
    topP = undefined;
  } else if (version !== undefined && version.major >= 4 && temperature !== undefined && topP !== undefined) {
    omitted.push({ name: 'topP', reason: `Claude ${version.major}.${version.minor} models reject temperature and topP in one request, so only temperature is sent` });
    topP = undefined;
  }

  return {
    inferenceConfig: {
      maxTokens,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
    },
    omitted,
  };
}

function rejectsSamplingParameters(version: ClaudeVersion): boolean {
  return version.major >= 5 || (version.major === 4 && version.minor >= 7);
}
