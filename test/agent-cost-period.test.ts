/**
 * The period options of get_cost_summary: their UTC date ranges at a set clock, and the rejection of
 * input that does not match the tool's schema.
 */
import * as fc from 'fast-check';
import { COST_PERIOD_INPUT_SCHEMA, MAX_DAYS, parseCostPeriod } from '../src/agent/cost-period';

const MID_MARCH = '2025-03-15T10:30:00Z';

function rangeOf(input: unknown, now: string): { start: string; end: string; label: string } {
  const result = parseCostPeriod(input, new Date(now));
  if ('error' in result) {
    throw new Error(`expected a period, got the error: ${result.error}`);
  }
  return { start: result.period.start, end: result.period.end, label: result.period.label };
}

function errorOf(input: unknown, now = MID_MARCH): string {
  const result = parseCostPeriod(input, new Date(now));
  if ('period' in result) {
    throw new Error(`expected an error, got the period ${JSON.stringify(result.period)}`);
  }
  return result.error;
}

describe('month to date', () => {
  test.each([
    ['mid-month', MID_MARCH, '2025-03-01', '2025-03-16'],
    ['first day of month', '2025-04-01T00:00:00Z', '2025-04-01', '2025-04-02'],
    ['first day, last millisecond', '2025-04-01T23:59:59.999Z', '2025-04-01', '2025-04-02'],
    ['31-day month end', '2025-01-31T23:59:59.999Z', '2025-01-01', '2025-02-01'],
    ['30-day month end', '2025-04-30T12:00:00Z', '2025-04-01', '2025-05-01'],
    ['February 28, common year', '2025-02-28T08:00:00Z', '2025-02-01', '2025-03-01'],
    ['February 28, leap year', '2024-02-28T08:00:00Z', '2024-02-01', '2024-02-29'],
    ['February 29, leap year', '2024-02-29T08:00:00Z', '2024-02-01', '2024-03-01'],
    ['year end', '2024-12-31T23:00:00Z', '2024-12-01', '2025-01-01'],
    ['new year', '2025-01-01T00:00:00Z', '2025-01-01', '2025-01-02'],
  ])('%s', (_name, now, start, end) => {
    expect(rangeOf({ period: 'month_to_date' }, now)).toMatchObject({ start, end });
  });

  test('default for empty input', () => {
    expect(rangeOf({}, MID_MARCH)).toEqual({ start: '2025-03-01', end: '2025-03-16', label: 'month to date' });
  });

  test('default for missing input', () => {
    expect(rangeOf(undefined, MID_MARCH)).toMatchObject({ start: '2025-03-01', end: '2025-03-16' });
  });

  test('null fields count as absent', () => {
    expect(rangeOf({ period: 'month_to_date', days: null, month: null }, MID_MARCH)).toMatchObject({ start: '2025-03-01' });
  });
});

describe('last N days', () => {
  test.each([
    ['7 days mid-month', 7, MID_MARCH, '2025-03-09', '2025-03-16'],
    ['1 day is today', 1, MID_MARCH, '2025-03-15', '2025-03-16'],
    ['crosses February, common year', 10, '2025-03-03T12:00:00Z', '2025-02-22', '2025-03-04'],
    ['crosses February, leap year', 10, '2024-03-03T12:00:00Z', '2024-02-23', '2024-03-04'],
    ['crosses a 30-day month', 5, '2025-05-02T12:00:00Z', '2025-04-28', '2025-05-03'],
    ['crosses year end', 7, '2025-01-03T12:00:00Z', '2024-12-28', '2025-01-04'],
    ['maximum on first of month', MAX_DAYS, '2025-03-01T00:00:00Z', '2024-03-02', '2025-03-02'],
    ['maximum across leap day', MAX_DAYS, '2024-03-15T00:00:00Z', '2023-03-17', '2024-03-16'],
  ])('%s', (_name, days, now, start, end) => {
    expect(rangeOf({ period: 'last_n_days', days }, now)).toMatchObject({ start, end });
  });

  test('label names the days', () => {
    expect(rangeOf({ period: 'last_n_days', days: 7 }, MID_MARCH).label).toBe('the last 7 days, today included');
  });
});

describe('named month', () => {
  test.each([
    ['previous month', '2025-02', MID_MARCH, '2025-02-01', '2025-03-01'],
    ['leap February', '2024-02', '2024-06-10T00:00:00Z', '2024-02-01', '2024-03-01'],
    ['31-day month', '2025-01', MID_MARCH, '2025-01-01', '2025-02-01'],
    ['30-day month', '2024-11', MID_MARCH, '2024-11-01', '2024-12-01'],
    ['December ends in January', '2024-12', '2025-01-10T00:00:00Z', '2024-12-01', '2025-01-01'],
    ['oldest allowed month', '2024-03', MID_MARCH, '2024-03-01', '2024-04-01'],
    ['oldest allowed across a year', '2024-01', '2025-01-31T23:59:59Z', '2024-01-01', '2024-02-01'],
    ['current month stops tomorrow', '2025-03', MID_MARCH, '2025-03-01', '2025-03-16'],
    ['current month on its first day', '2025-04', '2025-04-01T00:00:00Z', '2025-04-01', '2025-04-02'],
  ])('%s', (_name, month, now, start, end) => {
    expect(rangeOf({ period: 'month', month }, now)).toMatchObject({ start, end });
  });

  test('label names the month', () => {
    expect(rangeOf({ period: 'month', month: '2025-02' }, MID_MARCH).label).toBe('the month 2025-02');
  });
});

describe('invalid input', () => {
  test.each([
    ['string input', 'month_to_date', ['must be a JSON object', '"month_to_date" (a string)']],
    ['array input', ['month'], ['must be a JSON object', 'an array']],
    ['number input', 3, ['must be a JSON object', '3 (a number)']],
    ['unknown field', { period: 'month_to_date', currency: 'EUR' }, ['unknown fields: "currency"', 'Send only "period"']],
    ['period as object', { period: { kind: 'month' } }, ['"period" is invalid', '{"kind":"month"} (an object)']],
    ['unknown period', { period: 'yesterday' }, ['"period" is invalid', '"yesterday"', '"month_to_date", "last_n_days", "month"']],
    ['period wrong type', { period: 7 }, ['"period" is invalid', '7 (a number)']],
    ['days without period', { days: 7 }, ['"days" needs "period": "last_n_days"']],
    ['month without period', { month: '2025-01' }, ['"month" needs "period": "month"']],
    ['days missing', { period: 'last_n_days' }, ['"days" is missing', 'integer from 1 to 365']],
    ['days zero', { period: 'last_n_days', days: 0 }, ['"days" is invalid', '0 (a number)', 'integer from 1 to 365']],
    ['days negative', { period: 'last_n_days', days: -3 }, ['"days" is invalid', '-3']],
    ['days over maximum', { period: 'last_n_days', days: 366 }, ['"days" is invalid', '366']],
    ['days fraction', { period: 'last_n_days', days: 7.5 }, ['"days" is invalid', '7.5']],
    ['days as string', { period: 'last_n_days', days: '7' }, ['"days" is invalid', '"7" (a string)']],
    ['days not a number', { period: 'last_n_days', days: Number.NaN }, ['"days" is invalid', 'NaN (a number)']],
    ['month with last_n_days', { period: 'last_n_days', days: 7, month: '2025-01' }, ['"month" is not used', 'set "days" instead']],
    ['days with month_to_date', { period: 'month_to_date', days: 3 }, ['"days" is not used with "period": "month_to_date"', 'set "period" to "last_n_days"']],
    ['month with month_to_date', { period: 'month_to_date', month: '2025-03' }, ['"month" is not used with "period": "month_to_date"', 'set "period" to "month"']],
    ['days with month', { period: 'month', month: '2025-02', days: 3 }, ['"days" is not used', 'set "month" instead']],
    ['month missing', { period: 'month' }, ['"month" is missing', 'YYYY-MM, from 2024-03 to 2025-03']],
    ['month 13', { period: 'month', month: '2025-13' }, ['"month" is invalid', '"2025-13"', 'YYYY-MM']],
    ['month 00', { period: 'month', month: '2025-00' }, ['"month" is invalid', '"2025-00"']],
    ['month one digit', { period: 'month', month: '2025-3' }, ['"month" is invalid']],
    ['month reversed', { period: 'month', month: '03-2025' }, ['"month" is invalid']],
    ['month with day', { period: 'month', month: '2025-02-01' }, ['"month" is invalid']],
    ['month as number', { period: 'month', month: 202502 }, ['"month" is invalid', '202502 (a number)']],
    ['future month', { period: 'month', month: '2025-04' }, ['a future month', 'from 2024-03 to 2025-03']],
    ['far future month', { period: 'month', month: '2030-01' }, ['a future month']],
    ['month too old', { period: 'month', month: '2024-02' }, ['older than the 12 months', 'from 2024-03 to 2025-03']],
  ])('%s', (_name, input, expectedParts) => {
    const error = errorOf(input);
    for (const part of expectedParts) {
      expect(error).toContain(part);
    }
  });

  test('long value is not quoted', () => {
    const error = errorOf({ period: 'x'.repeat(500) });

    expect(error).toContain('a string of 500 characters');
    expect(error).not.toContain('x'.repeat(50));
  });

  test('invalid clock throws', () => {
    expect(() => parseCostPeriod({}, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('input schema', () => {
  test('flat, with three optional fields', () => {
    expect(COST_PERIOD_INPUT_SCHEMA.type).toBe('object');
    expect(Object.keys(COST_PERIOD_INPUT_SCHEMA.properties)).toEqual(['period', 'days', 'month']);
    expect(JSON.stringify(COST_PERIOD_INPUT_SCHEMA)).not.toMatch(/"(oneOf|anyOf|allOf|\$ref|required)"/);
  });

  test('bounds match the validation', () => {
    const { period, days } = COST_PERIOD_INPUT_SCHEMA.properties;

    expect(period.enum).toEqual(['month_to_date', 'last_n_days', 'month']);
    expect(days).toMatchObject({ type: 'integer', minimum: 1, maximum: MAX_DAYS });
  });
});

describe('every valid period', () => {
  // Any instant from 2000 to 2099, UTC.
  const instants = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true });
  const inputs = fc.oneof(
    fc.constant({}),
    fc.constant({ period: 'month_to_date' }),
    fc.integer({ min: 1, max: MAX_DAYS }).map((days) => ({ period: 'last_n_days', days })),
    fc.integer({ min: 0, max: 12 }).map((monthsBack) => ({ period: 'month', monthsBack })),
  );

  test('ends after start, by tomorrow', () => {
    fc.assert(fc.property(instants, inputs, (now, generated) => {
      const input = 'monthsBack' in generated ? { period: 'month', month: monthBefore(now, generated.monthsBack) } : generated;
      const { start, end } = rangeOf(input, now.toISOString());
      const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString().slice(0, 10);
      const oldest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 12, 1)).toISOString().slice(0, 10);

      expect(start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(end).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(end > start).toBe(true);
      expect(end <= tomorrow).toBe(true);
      expect(start >= oldest).toBe(true);
    }));
  });
});

function monthBefore(now: Date, monthsBack: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1)).toISOString().slice(0, 7);
}
