/**
 * What the citizen's data tracker names in words (categories of data,
 * purposes, clients, agencies): every one the policy knows has a name in
 * each language the portal speaks, so the tracker never shows a policy key
 * such as `benefits.household`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../permissions/load.ts';
import { AGENCY_NAMES } from '../../platform/topology.ts';

const policy = loadPolicy();
const catalogue = (lang: string) => JSON.parse(readFileSync(new URL(`../../platform/messages/${lang}.json`, import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;

describe.each(['et', 'en', 'ru'])('names in %s', (lang) => {
  const messages = catalogue(lang);
  const missing = (group: string, keys: Iterable<string>) => [...keys].filter((k) => typeof messages[group]?.[k.replace(/\./g, '_')] !== 'string');

  it('every category of data', () => {
    expect(missing('category', Object.keys(policy.categories))).toEqual([]);
  });
  it('every purpose and every client', () => {
    expect(missing('purpose', Object.keys(policy.purposes))).toEqual([]);
    expect(missing('client', Object.keys(policy.clients))).toEqual([]);
  });
  it('every agency', () => {
    expect(missing('agency', [...AGENCY_NAMES, 'transparency'])).toEqual([]);
  });
});
