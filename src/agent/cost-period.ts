/**
 * The `get_cost_summary` tool input: its JSON schema, its validation, and the UTC date range
 * that each period option selects.
 *
 * Date ranges follow Cost Explorer's `TimePeriod`: `YYYY-MM-DD` strings, start inclusive and end
 * exclusive. The end date is always after the start date, so even on the first day of a month
 * the month-to-date range (today to tomorrow) is a valid request.
 */
import type { CostExplorerDateRange } from '../shared/cost-explorer-url';

export const MONTH_TO_DATE = 'month_to_date';
export const LAST_N_DAYS = 'last_n_days';
export const NAMED_MONTH = 'month';

/** The `period` values that the tool accepts. */
export const PERIOD_KINDS = [MONTH_TO_DATE, LAST_N_DAYS, NAMED_MONTH] as const;
export type PeriodKind = typeof PERIOD_KINDS[number];

export const MIN_DAYS = 1;
export const MAX_DAYS = 365;

/**
 * How many months before the current month a named month may be. The Cost Explorer API serves the
 * current month and "up to 13 months of historical data", and earlier versions of the same page stated
 * 12 months, so this tool keeps to the smaller window. Source:
 * https://docs.aws.amazon.com/cost-management/latest/userguide/ce-api-best-practices.html
 * MAX_DAYS stays within that window from any day of the month.
 */
export const MAX_MONTHS_BACK = 12;

/**
 * The input schema of `get_cost_summary`, flat so that every Converse model accepts it: no `oneOf`,
 * no `$ref`, three optional properties. The code validates every field again, see {@link parseCostPeriod}.
 */
export const COST_PERIOD_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    period: {
      type: 'string',
      enum: [...PERIOD_KINDS],
      description: `Which dates to report, in UTC. "${MONTH_TO_DATE}" (the default): from the first day of the current month to today. ` +
        `"${LAST_N_DAYS}": the last "days" days, today included. "${NAMED_MONTH}": the calendar month given in "month".`,
    },
    days: {
      type: 'integer',
      minimum: MIN_DAYS,
      maximum: MAX_DAYS,
      description: `Number of days for period "${LAST_N_DAYS}", from ${MIN_DAYS} to ${MAX_DAYS}, today included. Only with that period.`,
    },
    month: {
      type: 'string',
      description: `Month for period "${NAMED_MONTH}", as YYYY-MM, from ${MAX_MONTHS_BACK} months before the current month ` +
        'up to the current month. Only with that period.',
    },
  },
};

/** A validated period: its kind, its Cost Explorer date range and a label for the result text. */
export interface CostPeriod extends CostExplorerDateRange {
  readonly kind: PeriodKind;
  /** The period in words, such as `month to date` or `the last 7 days, today included`. */
  readonly label: string;
}

/** The result of {@link parseCostPeriod}: the period, or a message that names the invalid field and the fix. */
export type CostPeriodResult =
  | { readonly period: CostPeriod }
  | { readonly error: string };

const KNOWN_FIELDS = new Set(['period', 'days', 'month']);
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Validates the tool input that the model sent and computes its date range from `now` (UTC).
 *
 * An absent input, or an input without `period`, `days` and `month`, selects month to date.
 * A field whose value is `null` counts as absent, because some models send every optional field.
 */
export function parseCostPeriod(input: unknown, now: Date): CostPeriodResult {
  if (Number.isNaN(now.getTime())) {
    throw new RangeError('The clock returned an invalid date.');
  }
  if (input === undefined || input === null) {
    return { period: monthToDatePeriod(now) };
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { error: `The tool input must be a JSON object such as {"period": "${MONTH_TO_DATE}"}, but received ${describeValue(input)}.` };
  }

  const fields = input as Record<string, unknown>;
  const unknownFields = Object.keys(fields).filter((name) => !KNOWN_FIELDS.has(name));
  if (unknownFields.length > 0) {
    return {
      error: `The tool input has unknown fields: ${unknownFields.map((name) => JSON.stringify(name)).join(', ')}. ` +
        'Send only "period", with "days" or "month" where that period needs it.',
    };
  }

  const period = valueOrUndefined(fields.period);
  const days = valueOrUndefined(fields.days);
  const month = valueOrUndefined(fields.month);

  if (period === undefined && days === undefined && month === undefined) {
    return { period: monthToDatePeriod(now) };
  }
  if (period === undefined) {
    const needed = days !== undefined ? LAST_N_DAYS : NAMED_MONTH;
    const field = days !== undefined ? 'days' : 'month';
    return { error: `The field "${field}" needs "period": "${needed}". Add that period, or remove "${field}" to get month to date.` };
  }
  if (typeof period !== 'string' || !(PERIOD_KINDS as readonly string[]).includes(period)) {
    return {
      error: `The field "period" is invalid: received ${describeValue(period)}. ` +
        `Set it to one of ${PERIOD_KINDS.map((kind) => `"${kind}"`).join(', ')}.`,
    };
  }

  switch (period as PeriodKind) {
    case MONTH_TO_DATE:
      return parseMonthToDate(days, month, now);
    case LAST_N_DAYS:
      return parseLastNDays(days, month, now);
    case NAMED_MONTH:
      return parseNamedMonth(days, month, now);
  }
}

function parseMonthToDate(days: unknown, month: unknown, now: Date): CostPeriodResult {
  if (days !== undefined) {
    return { error: `The field "days" is not used with "period": "${MONTH_TO_DATE}". Remove it, or set "period" to "${LAST_N_DAYS}".` };
  }
  if (month !== undefined) {
    return { error: `The field "month" is not used with "period": "${MONTH_TO_DATE}". Remove it, or set "period" to "${NAMED_MONTH}".` };
  }
  return { period: monthToDatePeriod(now) };
}

function parseLastNDays(days: unknown, month: unknown, now: Date): CostPeriodResult {
  if (month !== undefined) {
    return { error: `The field "month" is not used with "period": "${LAST_N_DAYS}". Remove it, and set "days" instead.` };
  }
  if (days === undefined) {
    return { error: `The field "days" is missing. With "period": "${LAST_N_DAYS}", set "days" to an integer from ${MIN_DAYS} to ${MAX_DAYS}.` };
  }
  if (typeof days !== 'number' || !Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) {
    return { error: `The field "days" is invalid: received ${describeValue(days)}. Set it to an integer from ${MIN_DAYS} to ${MAX_DAYS}.` };
  }

  const today = utcDay(now);
  const start = addDays(today, -(days - 1));
  const label = days === 1 ? 'today' : `the last ${days} days, today included`;
  return { period: { kind: LAST_N_DAYS, start: isoDate(start), end: isoDate(addDays(today, 1)), label } };
}

function parseNamedMonth(days: unknown, month: unknown, now: Date): CostPeriodResult {
  if (days !== undefined) {
    return { error: `The field "days" is not used with "period": "${NAMED_MONTH}". Remove it, and set "month" instead.` };
  }
  const earliest = monthStart(now, -MAX_MONTHS_BACK);
  const latest = monthStart(now, 0);
  const range = `from ${isoMonth(earliest)} to ${isoMonth(latest)}`;
  if (month === undefined) {
    return { error: `The field "month" is missing. With "period": "${NAMED_MONTH}", set "month" to a month as YYYY-MM, ${range}.` };
  }

  const match = typeof month === 'string' ? MONTH_PATTERN.exec(month) : null;
  const monthNumber = match ? Number(match[2]) : NaN;
  if (!match || monthNumber < 1 || monthNumber > 12) {
    return { error: `The field "month" is invalid: received ${describeValue(month)}. Set it to a month as YYYY-MM, ${range}.` };
  }

  const start = new Date(Date.UTC(Number(match[1]), monthNumber - 1, 1));
  if (start > latest) {
    return { error: `The field "month" is ${match[0]}, a future month. Set it to a month ${range}.` };
  }
  if (start < earliest) {
    return {
      error: `The field "month" is ${match[0]}, older than the ${MAX_MONTHS_BACK} months before the current month that Cost Explorer keeps. ` +
        `Set it to a month ${range}.`,
    };
  }

  // The current month has not ended, so its range stops after today, as month to date does.
  if (start.getTime() === latest.getTime()) {
    return { period: { ...monthToDatePeriod(now), kind: NAMED_MONTH, label: `${match[0]}, month to date` } };
  }
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return { period: { kind: NAMED_MONTH, start: isoDate(start), end: isoDate(end), label: `the month ${match[0]}` } };
}

function monthToDatePeriod(now: Date): CostPeriod {
  const today = utcDay(now);
  return { kind: MONTH_TO_DATE, start: isoDate(monthStart(now, 0)), end: isoDate(addDays(today, 1)), label: 'month to date' };
}

/** Returns midnight UTC of the day that contains `now`. */
function utcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Returns the first day of the UTC month that is `offset` months from the month of `now`. */
function monthStart(now: Date, offset: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

function addDays(day: Date, count: number): Date {
  return new Date(day.getTime() + count * DAY_MS);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function isoMonth(date: Date): string {
  return date.toISOString().slice(0, 7);
}

function valueOrUndefined(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** Describes a value for an error message: short values in JSON, long ones by type and length. */
function describeValue(value: unknown): string {
  let type = `a ${typeof value}`;
  if (Array.isArray(value)) {
    type = 'an array';
  } else if (typeof value === 'object') {
    type = 'an object';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return `${value} (${type})`;
  }
  const json = JSON.stringify(value);
  if (json !== undefined && json.length <= 40) {
    return `${json} (${type})`;
  }
  if (typeof value === 'string') {
    return `a string of ${value.length} characters`;
  }
  if (Array.isArray(value)) {
    return `an array of length ${value.length}`;
  }
  return type;
}
