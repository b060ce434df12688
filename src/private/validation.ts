import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Throws a synth-time error for an invalid prop, in the format every validator of this library uses:
 * the construct path, the prop, the value received, the rule and the fix.
 *
 * aws-cdk-lib marks its own `ValidationError` as `@internal`, so this library throws a plain `Error`.
 */
export function throwInvalidProp(scope: IConstruct, prop: string, value: unknown, rule: string, fix: string): never {
  throw new Error(`${scope.node.path}: invalid ${prop} ${describeValue(value)}: ${rule}; ${fix}`);
}

/** Returns true when `value` is a concrete string that a validator can inspect. */
export function isConcrete(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Checks that `value` is an integer within `[min, max]`, unless it is an unresolved token. */
export function checkIntegerRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, unit: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throwInvalidProp(scope, prop, value, `must be a whole number of ${unit} from ${min} to ${max}`, `set ${prop} within that range`);
  }
}

/** Checks that `value` is a number from 0 to 1, unless it is an unresolved token. */
export function checkFraction(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throwInvalidProp(scope, prop, value, 'must be a number from 0 to 1', `set ${prop} within that range`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    // A long value is cut, and then its full length is what helps the reader.
    return value.length > 80 ? `"${value.slice(0, 80)}..." (${value.length} characters)` : `"${value}"`;
  }
  // JSON.stringify prints NaN and Infinity as null, which would hide the value received.
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

/** Returns a description of the first character of `value` that `allowed` rejects, for error messages. */
export function firstInvalidCharacter(value: string, allowed: RegExp): string {
  const character = [...value].find((candidate) => !allowed.test(candidate));
  return character === undefined ? '' : ` (found ${JSON.stringify(character)})`;
}
