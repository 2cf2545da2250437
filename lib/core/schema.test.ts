import { describe, expect, it } from 'vitest';
import { createTenantInput, listTenantsQuery } from '@/lib/modules/tenants/schema';
import { decodeCursor, encodeCursor, isValidLei } from './schema';
import { randomLei } from '@/lib/testing/factories';

describe('isValidLei (ISO 17442, MOD 97-10)', () => {
  it.each(['5299009N55YRQC69CN08', '529900T8BM49AURSDO55', 'HWUPKR0MPOU8FGXBT394'])('accepts %s', (lei) => {
    expect(isValidLei(lei)).toBe(true);
  });
  it('accepts generated LEIs and rejects each single-digit change of them', () => {
    for (let i = 0; i < 50; i++) {
      const lei = randomLei();
      expect(isValidLei(lei)).toBe(true);
      const last = Number(lei[19]);
      expect(isValidLei(lei.slice(0, 19) + String((last + 1) % 10))).toBe(false);
    }
  });
  it.each([
    ['5299009N55YRQC69CN09', 'wrong check digits'],
    ['5299009N55YRQC69CN0', 'too short'],
    ['5299009n55yrqc69cn08', 'lowercase'],
    ['5299009N55YRQC69CNAB', 'letters in the check digits'],
    ['', 'empty'],
  ])('rejects %s (%s)', (lei) => {
    expect(isValidLei(lei)).toBe(false);
  });
});

describe('createTenantInput', () => {
  const valid = { slug: 'acme-bank', legalName: 'Acme Bank', sector: 'FINANCE', homeCountry: 'de', allowedCountries: ['FR', 'DE', 'DE'], sensitivity: 'OFFICIAL' };
  it('normalises countries and LEI', () => {
    const parsed = createTenantInput.parse({ ...valid, lei: ' 5299009n55yrqc69cn08 ' });
    expect(parsed.homeCountry).toBe('DE');
    expect(parsed.allowedCountries).toEqual(['DE', 'FR']);
    expect(parsed.lei).toBe('5299009N55YRQC69CN08');
  });
  it('names every bad field', () => {
    const result = createTenantInput.safeParse({ ...valid, slug: 'Bad Slug!', lei: '5299009N55YRQC69CN09', homeCountry: 'XX' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['slug', 'lei', 'homeCountry']));
  });
  it('reserves slugs that name the platform chain or app routes', () => {
    for (const slug of ['platform', 'new']) expect(createTenantInput.safeParse({ ...valid, slug }).error?.issues[0]?.path).toEqual(['slug']);
  });
  it('requires the home country among the allowed countries', () => {
    const result = createTenantInput.safeParse({ ...valid, allowedCountries: ['FR'] });
    expect(result.error?.issues[0]?.path).toEqual(['allowedCountries']);
  });
});

describe('cursors', () => {
  it('round-trip and reject garbage', () => {
    expect(decodeCursor(encodeCursor(['Acme', 'id-1']), 2)).toEqual(['Acme', 'id-1']);
    expect(() => decodeCursor('not-a-cursor', 2)).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor(['only-one']), 2)).toThrow(/cursor/);
  });
});

describe('listTenantsQuery', () => {
  it('reads includeArchived=false from a query string as false', () => {
    expect(listTenantsQuery.parse({ includeArchived: 'false' }).includeArchived).toBe(false);
    expect(listTenantsQuery.parse({ includeArchived: 'true' }).includeArchived).toBe(true);
    expect(listTenantsQuery.parse({}).includeArchived).toBe(false);
    expect(listTenantsQuery.safeParse({ includeArchived: 'maybe' }).success).toBe(false);
  });
});
