/** The events and offers services' configuration: defaults, production requirements, secrets never echoed. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, eventsConfig, offersConfig } from '../../platform/config.ts';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a configuration error');
}

const SECRET_URL = 'postgres://identity:s3cr3t-pw@db/identity';

describe('events service configuration', () => {
  it('has the documented defaults and takes the gateway by origin or endpoint', () => {
    const config = eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL });
    expect(config).toMatchObject({ port: 4021, gatewayUrl: 'http://127.0.0.1:4000/graphql', maxAttempts: 8, retryBaseMs: 1_000, retryMaxMs: 600_000, pollMs: 2_000 });
    expect(eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL, GATEWAY_URL: 'http://gateway:4000' }).gatewayUrl).toBe('http://gateway:4000/graphql');
    expect(eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL, GATEWAY_URL: 'http://gateway:4000/graphql' }).gatewayUrl).toBe('http://gateway:4000/graphql');
  });
  it('refuses production without the gateway and bad values, naming every problem and no secret', () => {
    const problems = problemsOf(() => eventsConfig({ NODE_ENV: 'production', DATABASE_URL_IDENTITY: SECRET_URL, EVENTS_MAX_ATTEMPTS: '0' }));
    expect(problems.join('\n')).toMatch(/EVENTS_MAX_ATTEMPTS must be a whole number between 1 and 100/);
    const production = problemsOf(() => eventsConfig({ NODE_ENV: 'production', DATABASE_URL_IDENTITY: SECRET_URL }));
    expect(production.join('\n')).toMatch(/GATEWAY_URL is required in production/);
    const bad = problemsOf(() => eventsConfig({ DATABASE_URL_IDENTITY: 'mysql://identity:s3cr3t-pw@db' }));
    for (const text of [...problems, ...production, ...bad]) expect(text).not.toContain('s3cr3t-pw');
  });
});

describe('offers service configuration', () => {
  it('has the documented defaults; the daily schedule can be switched off; a bad cron is refused', () => {
    expect(offersConfig({ DATABASE_URL_OFFERS: 'postgres://offers@db/offers' })).toMatchObject({ port: 4030, concurrency: 2, pageSize: 1000, dailyCron: '0 2 * * *' });
    expect(offersConfig({ DATABASE_URL_OFFERS: 'postgres://offers@db/offers', OFFERS_DAILY_CRON: 'off' }).dailyCron).toBeUndefined();
    expect(problemsOf(() => offersConfig({ DATABASE_URL_OFFERS: 'postgres://offers@db/offers', OFFERS_DAILY_CRON: 'daily' })).join('\n')).toMatch(/five fields/);
    expect(problemsOf(() => offersConfig({})).join('\n')).toMatch(/DATABASE_URL_OFFERS is required/);
  });
});
