import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { BedrockModel, CostTrackedInferenceProfile, EstimatedCost, ModelPricing } from '../src';

const PRICING: ModelPricing = {
  inputPricePerMillionTokens: 3,
  outputPricePerMillionTokens: 15,
  cacheReadPricePerMillionTokens: 0.3,
  cacheWritePricePerMillionTokens: 3.75,
};

function newProfile(): CostTrackedInferenceProfile {
  const stack = new Stack(new App(), 'EstimateStack', { env: { account: '123456789012', region: 'us-east-1' } });
  return new CostTrackedInferenceProfile(stack, 'Profile', {
    model: BedrockModel.foundationModel('amazon.nova-pro-v1:0'),
    costAllocationTags: { application: 'CloudEngineer' },
  });
}

/** Returns [id, metric name, period in seconds, statistic] of each metric the expression uses. */
function usedMetrics(pricing: ModelPricing): Array<[string, string, number, string]> {
  const expression = EstimatedCost.metric(newProfile(), pricing);
  return Object.entries(expression.usingMetrics).map(([id, metric]) => {
    const config = metric.toMetricConfig().metricStat!;
    return [id, config.metricName, config.period.toSeconds(), config.statistic];
  });
}

describe('expression', () => {
  test('prices every token type', () => {
    const expression = EstimatedCost.metric(newProfile(), PRICING);

    expect(expression.expression).toBe(
      '(FILL(inputTokens, 0) * 3 + FILL(outputTokens, 0) * 15 + FILL(cacheReadTokens, 0) * 0.3 + FILL(cacheWriteTokens, 0) * 3.75) / 1000000');
  });

  test('uses the Bedrock token metrics', () => {
    expect(usedMetrics(PRICING)).toEqual([
      ['inputTokens', 'InputTokenCount', 3600, 'Sum'],
      ['outputTokens', 'OutputTokenCount', 3600, 'Sum'],
      ['cacheReadTokens', 'CacheReadInputTokenCount', 3600, 'Sum'],
      ['cacheWriteTokens', 'CacheWriteInputTokenCount', 3600, 'Sum'],
    ]);
  });

  test('filters by the profile id', () => {
    const profile = newProfile();
    const metric = EstimatedCost.metric(profile, PRICING).usingMetrics.cacheReadTokens;

    const dimensions = metric.toMetricConfig().metricStat!.dimensions!;
    expect(dimensions.map((dimension) => dimension.name)).toEqual(['ModelId']);
    expect(dimensions[0].value).toBe(profile.inferenceProfileId);
  });

  test('omits unpriced cache metrics', () => {
    const expression = EstimatedCost.metric(newProfile(), { inputPricePerMillionTokens: 0.8, outputPricePerMillionTokens: 3.2 });

    expect(expression.expression).toBe('(FILL(inputTokens, 0) * 0.8 + FILL(outputTokens, 0) * 3.2) / 1000000');
    expect(Object.keys(expression.usingMetrics)).toEqual(['inputTokens', 'outputTokens']);
  });

  test('writes small prices without exponent', () => {
    const expression = EstimatedCost.metric(newProfile(), { inputPricePerMillionTokens: 0.0000001, outputPricePerMillionTokens: 0 });

    expect(expression.expression).toBe('(FILL(inputTokens, 0) * 0.0000001 + FILL(outputTokens, 0) * 0) / 1000000');
  });

  test('labels a list-price estimate', () => {
    expect(EstimatedCost.metric(newProfile(), { ...PRICING, currency: 'EUR' }).label).toBe('Estimated cost at list prices (EUR)');
  });

  test('uses a given period', () => {
    const expression = EstimatedCost.metric(newProfile(), PRICING, { period: Duration.days(1) });

    expect(expression.period.toSeconds()).toBe(86400);
    const periods = Object.values(expression.usingMetrics).map((metric) => metric.toMetricConfig().metricStat!.period.toSeconds());
    expect(periods).toEqual([86400, 86400, 86400, 86400]);
  });
});

describe('validation', () => {
  test.each([
    ['inputPricePerMillionTokens', -1],
    ['outputPricePerMillionTokens', Number.POSITIVE_INFINITY],
    ['cacheReadPricePerMillionTokens', Number.NaN],
    ['cacheWritePricePerMillionTokens', -0.5],
  ])('fails if %s is %s', (name, price) => {
    expect(() => EstimatedCost.metric(newProfile(), { ...PRICING, [name]: price }))
      .toThrow(new RegExp(`invalid pricing\\.${name} .*must be a finite price of 0 or more per million tokens`));
  });

  test('fails without output price', () => {
    const pricing = { inputPricePerMillionTokens: 3 } as ModelPricing;

    expect(() => EstimatedCost.metric(newProfile(), pricing)).toThrow(/invalid pricing\.outputPricePerMillionTokens undefined/);
  });

  test('fails if a price is a token', () => {
    expect(() => EstimatedCost.metric(newProfile(), { ...PRICING, inputPricePerMillionTokens: Token.asNumber({ Ref: 'Price' }) }))
      .toThrow(/invalid pricing\.inputPricePerMillionTokens .*must be known at synth time/);
  });

  test('fails if currency is lowercase', () => {
    expect(() => EstimatedCost.metric(newProfile(), { ...PRICING, currency: 'usd' })).toThrow(/invalid pricing\.currency "usd"/);
  });
});
