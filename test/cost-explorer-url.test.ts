import { buildCostExplorerUrl, consoleDomainForRegion, monthToDate } from '../src/shared/cost-explorer-url';

function queryOf(url: string): URLSearchParams {
  return new URLSearchParams(url.split('?')[1]);
}

describe('buildCostExplorerUrl', () => {
  const tags = { Application: 'CloudEngineer', CostCenter: 'Engineering' };

  test('filters by every tag', () => {
    const filter = JSON.parse(queryOf(buildCostExplorerUrl({ tags })).get('filter')!);

    expect(filter).toHaveLength(2);
    expect(filter[0]).toMatchObject({ tagKey: 'Application', operator: 'INCLUDES', values: [{ value: 'CloudEngineer' }] });
    expect(filter[1]).toMatchObject({ tagKey: 'CostCenter', values: [{ value: 'Engineering' }] });
  });

  test('groups by service', () => {
    expect(queryOf(buildCostExplorerUrl({ tags })).get('groupBy')).toBe('["Service"]');
  });

  test('omits dates without a range', () => {
    const query = queryOf(buildCostExplorerUrl({ tags }));

    expect(query.has('startDate')).toBe(false);
    expect(query.has('endDate')).toBe(false);
  });

  test('shows an inclusive end date', () => {
    const query = queryOf(buildCostExplorerUrl({ tags, dateRange: { start: '2026-12-01', end: '2026-12-05' } }));

    expect(query.get('startDate')).toBe('2026-12-01');
    expect(query.get('endDate')).toBe('2026-12-04');
  });

  test('encodes special characters in values', () => {
    const url = buildCostExplorerUrl({ tags: { Team: 'R&D / AI+ML' } });

    expect(url).not.toContain('R&D');
    expect(JSON.parse(queryOf(url).get('filter')!)[0].values[0].value).toBe('R&D / AI+ML');
  });

  test('is the same for any tag order', () => {
    expect(buildCostExplorerUrl({ tags: { B: '2', A: '1' } })).toBe(buildCostExplorerUrl({ tags: { A: '1', B: '2' } }));
  });
});

describe('consoleDomainForRegion', () => {
  test.each([
    ['ap-southeast-2', 'console.aws.amazon.com'],
    ['cn-northwest-1', 'console.amazonaws.cn'],
    ['us-gov-west-1', 'console.amazonaws-us-gov.com'],
    [undefined, 'console.aws.amazon.com'],
  ])('maps %s to %s', (region, domain) => {
    expect(consoleDomainForRegion(region)).toBe(domain);
  });
});

describe('monthToDate', () => {
  test('starts on the first of the month', () => {
    expect(monthToDate(new Date('2026-12-04T20:00:00Z'))).toEqual({ start: '2026-12-01', end: '2026-12-05' });
  });

  test('ends after the start on day one', () => {
    expect(monthToDate(new Date('2026-12-01T00:00:00Z'))).toEqual({ start: '2026-12-01', end: '2026-12-02' });
  });

  test('uses UTC, not local time', () => {
    expect(monthToDate(new Date('2026-11-30T23:30:00-05:00'))).toEqual({ start: '2026-12-01', end: '2026-12-02' });
  });

  test('crosses the year end', () => {
    expect(monthToDate(new Date('2026-12-31T12:00:00Z'))).toEqual({ start: '2026-12-01', end: '2027-01-01' });
  });
});
