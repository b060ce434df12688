import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ModelPricing } from '../estimated-cost';
import { isConcrete, throwInvalidProp } from './validation';

const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/**
 * Checks that every price is a finite number of 0 or more, known at synth time, because the
 * prices are written into the text of a metric math expression.
 */
export function validateModelPricing(scope: IConstruct, prop: string, pricing: ModelPricing): void {
  if (pricing === undefined) {
    throwInvalidProp(scope, prop, pricing, 'prices are required', 'pass the input and output prices per million tokens');
  }
  const prices: Array<[string, number | undefined, boolean]> = [
    ['inputPricePerMillionTokens', pricing.inputPricePerMillionTokens, true],
    ['outputPricePerMillionTokens', pricing.outputPricePerMillionTokens, true],
    ['cacheReadPricePerMillionTokens', pricing.cacheReadPricePerMillionTokens, false],
    ['cacheWritePricePerMillionTokens', pricing.cacheWritePricePerMillionTokens, false],
  ];
  for (const [name, price, required] of prices) {
    if (price === undefined && !required) {
      continue;
    }
    if (typeof price === 'number' && Token.isUnresolved(price)) {
      throwInvalidProp(scope, `${prop}.${name}`, price, 'must be known at synth time, because it is written into a metric math expression', 'pass the price as a number');
    }
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throwInvalidProp(scope, `${prop}.${name}`, price, 'must be a finite price of 0 or more per million tokens', 'copy the price from the Amazon Bedrock pricing page');
    }
  }
  if (isConcrete(pricing.currency) && !CURRENCY_PATTERN.test(pricing.currency)) {
    throwInvalidProp(scope, `${prop}.currency`, pricing.currency, 'must be a three-letter ISO 4217 code in capitals', 'use the currency of the prices, for example "USD"');
  }
}

/**
 * Writes a price in plain decimal notation, so that the expression does not depend on metric math
 * reading exponent notation such as `1e-7`.
 */
export function formatPrice(price: number): string {
  if (Number.isInteger(price)) {
    return String(price);
  }
  return price.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}
