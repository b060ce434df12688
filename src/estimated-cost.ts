import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ICostTrackedInferenceProfile } from './cost-tracked-inference-profile';
import { formatPrice, validateModelPricing } from './private/model-pricing';

/**
 * List prices of a model per million tokens, for an estimate of the cost from the token metrics.
 * Copy them from the Amazon Bedrock pricing page for the model, the region and the inference type
 * (on demand, cross-Region or global) that the profile uses.
 *
 * @see https://aws.amazon.com/bedrock/pricing/
 */
export interface ModelPricing {
  /** Price of one million input tokens, in `currency`. */
  readonly inputPricePerMillionTokens: number;

  /** Price of one million output tokens, in `currency`. */
  readonly outputPricePerMillionTokens: number;

  /**
   * Price of one million input tokens read from the prompt cache, in `currency`.
   *
   * @default - cache reads add nothing to the estimate
   */
  readonly cacheReadPricePerMillionTokens?: number;

  /**
   * Price of one million input tokens written to the prompt cache, in `currency`.
   *
   * @default - cache writes add nothing to the estimate
   */
  readonly cacheWritePricePerMillionTokens?: number;

  /**
   * Currency of the prices, shown in labels.
   *
   * @default 'USD'
   */
  readonly currency?: string;
}

/** Options of {@link EstimatedCost.metric}. */
export interface EstimatedCostMetricOptions {
  /**
   * The period that each data point covers; the estimate is the cost of the tokens in that period.
   *
   * @default Duration.hours(1)
   */
  readonly period?: Duration;

  /**
   * Label of the metric.
   *
   * @default - "Estimated cost at list prices" with the currency
   */
  readonly label?: string;
}

/**
 * An estimate of a profile's model cost at list prices, computed with CloudWatch metric math from
 * the `AWS/Bedrock` token metrics `InputTokenCount`, `OutputTokenCount`,
 * `CacheReadInputTokenCount` and `CacheWriteInputTokenCount`.
 *
 * It is not the bill: discounts, credits, AWS Marketplace billing of third-party models and
 * prices that change are not in it, and the bill arrives hours later than the metrics.
 *
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
 */
export class EstimatedCost {
  /**
   * Returns the estimated cost per period as a math expression over the profile's token metrics,
   * `(tokens × price per million) / 1,000,000` summed over the token types that have a price.
   * A period without data for a token type counts as 0 tokens of that type.
   *
   * @param profile the profile whose token metrics are priced.
   * @param pricing the model's list prices per million tokens.
   * @param options the period and label.
   */
  public static metric(
    profile: ICostTrackedInferenceProfile,
    pricing: ModelPricing,
    options: EstimatedCostMetricOptions = {},
  ): cloudwatch.MathExpression {
    validateModelPricing(profile, 'pricing', pricing);
    const period = options.period ?? Duration.hours(1);

    // NOTE: the two cache metric names are not confirmed against the Bedrock runtime metrics
    // reference. If one were wrong, the estimate would leave those tokens out without an error.
    const terms: PricedMetric[] = [
      { id: 'inputTokens', metricName: 'InputTokenCount', price: pricing.inputPricePerMillionTokens },
      { id: 'outputTokens', metricName: 'OutputTokenCount', price: pricing.outputPricePerMillionTokens },
      { id: 'cacheReadTokens', metricName: 'CacheReadInputTokenCount', price: pricing.cacheReadPricePerMillionTokens },
      { id: 'cacheWriteTokens', metricName: 'CacheWriteInputTokenCount', price: pricing.cacheWritePricePerMillionTokens },
    ].filter((term): term is PricedMetric => term.price !== undefined);

    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    for (const term of terms) {
      usingMetrics[term.id] = profile.metric(term.metricName, { period });
    }
    const sum = terms.map((term) => `FILL(${term.id}, 0) * ${formatPrice(term.price)}`).join(' + ');

    return new cloudwatch.MathExpression({
      expression: `(${sum}) / 1000000`,
      usingMetrics,
      period,
      label: options.label ?? `Estimated cost at list prices (${pricing.currency ?? 'USD'})`,
    });
  }

  private constructor() {
  }
}

interface PricedMetric {
  readonly id: string;
  readonly metricName: string;
  readonly price: number;
}
