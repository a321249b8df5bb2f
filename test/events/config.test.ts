/** The events and offers services' configuration: defaults, production requirements, secrets never echoed; client credentials. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, eventsConfig, offersConfig } from '../../platform/config.ts';
import { clientCredentialsTokenSource, serviceTokenSource } from '../../offers/gateway-client.ts';

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
    expect(config).toMatchObject({ port: 4020, gatewayUrl: 'http://127.0.0.1:4000/graphql', maxAttempts: 8, retryBaseMs: 1_000, retryMaxMs: 600_000, pollMs: 2_000, tokens: { tokenUrl: undefined } });
    expect(eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL, GATEWAY_URL: 'http://gateway:4000' }).gatewayUrl).toBe('http://gateway:4000/graphql');
    expect(eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL, GATEWAY_URL: 'http://gateway:4000/graphql' }).gatewayUrl).toBe('http://gateway:4000/graphql');
  });
  it('refuses production without the identity provider, the secrets and the gateway, naming every problem and no secret', () => {
    const problems = problemsOf(() => eventsConfig({ NODE_ENV: 'production', DATABASE_URL_IDENTITY: SECRET_URL, EVENTS_MAX_ATTEMPTS: '0' }));
    expect(problems.join('\n')).toMatch(/EVENTS_MAX_ATTEMPTS must be a whole number between 1 and 100/);
    const production = problemsOf(() => eventsConfig({ NODE_ENV: 'production', DATABASE_URL_IDENTITY: SECRET_URL, LIFE_EVENT_RELAY_CLIENT_SECRET: 'relay-secret-value' }));
    expect(production.join('\n')).toMatch(/AUTH_TOKEN_URL is required in production/);
    expect(production.join('\n')).toMatch(/GATEWAY_URL is required in production/);
    const secrets = problemsOf(() => eventsConfig({ DATABASE_URL_IDENTITY: SECRET_URL, AUTH_TOKEN_URL: 'https://id/token', LIFE_EVENT_RELAY_CLIENT_SECRET: 'relay-secret-value' }));
    expect(secrets).toEqual(['OFFERS_ENGINE_CLIENT_SECRET is required with AUTH_TOKEN_URL (value never shown)']);
    const bad = problemsOf(() => eventsConfig({ DATABASE_URL_IDENTITY: 'mysql://identity:s3cr3t-pw@db' }));
    for (const text of [...problems, ...production, ...secrets, ...bad]) {
      expect(text).not.toContain('s3cr3t-pw');
      expect(text).not.toContain('relay-secret-value');
    }
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

describe('client credentials', () => {
  it('asks the token endpoint with the client\'s secret (HTTP Basic), caches the token, and says why when refused', async () => {
    const seen: { authorization?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ authorization: req.headers.authorization, body });
        const ok = req.headers.authorization === `Basic ${Buffer.from('offers-engine:right').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { access_token: 'tok-1', expires_in: 3600 } : { error: 'invalid_client' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    try {
      const source = serviceTokenSource({ tokenUrl: url, secrets: { 'offers-engine': 'right' } }, 'http://gateway/graphql', 'offers-engine');
      expect(await source()).toBe('tok-1');
      expect(await source()).toBe('tok-1');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.body).toBe('grant_type=client_credentials');
      await expect(clientCredentialsTokenSource(url, 'offers-engine', 'wrong')()).rejects.toThrow('no service token for offers-engine: invalid_client');
    } finally {
      server.close();
    }
  });
});
