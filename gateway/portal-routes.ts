/**
 * The web pages on the gateway's origin, so that they talk to `/graphql`
 * without CORS: the built portal (`portal/dist`: citizen portal at `/`,
 * privacy console at `/console`, the explorer at `/explorer` in development
 * only), the policy views under `/policy`, the portal's sign-in configuration
 * (the identity provider), and in development the explorer's pickers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import expressStaticGzip from 'express-static-gzip';
import type { Policy } from '../permissions/model.ts';
import { PORTAL_DIST } from '../portal/paths.ts';
import { loadPersonas } from '../seed/personas.ts';
import type { TokenKey } from './auth/authenticate.ts';
import { sendGraphQLError } from './http-errors.ts';
import { policyRoutes } from './policy-routes.ts';
import type { SenderKey } from '../platform/message-signing.ts';

export interface PortalRouteOptions {
  policy: Policy;
  auth: { key: TokenKey; issuer: string; audience: string };
  /** Development: persona picker and explorer. Production: sign-in through the OIDC provider. */
  dev: boolean;
  distDir?: string;
  /** The agencies' message-signing public keys (JWKS), for the portal to verify who sent a message. */
  messageSenders: SenderKey[];
}

/** Pages talk to their own origin only, and to the identity provider (discovery, token endpoint); GraphiQL's editor needs inline styles and data: fonts. */
function contentSecurityPolicy(issuer: string | undefined): string {
  const connect = ["'self'", ...(issuer ? [new URL(issuer).origin] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** The provider the pages sign in at: the one whose tokens the gateway accepts (discovery does the rest). */
function oidcConfig(issuer: string): { issuer: string } | undefined {
  try {
    return ['http:', 'https:'].includes(new URL(issuer).protocol) ? { issuer } : undefined;
  } catch {
    return undefined;
  }
}

/** The module each page loads first (portal/src/main.tsx picks it by path). */
const PAGE_ENTRIES: Record<string, string> = {
  '/': 'src/citizen/CitizenPortal.tsx',
  '/console': 'src/console/PrivacyConsole.tsx',
  '/explorer': 'src/explorer/Explorer.tsx',
};

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}

/**
 * The page's HTML with everything it will ask for named in its head: the
 * page's chunks (modulepreload) and the sign-in configuration (preload as
 * fetch), so a browser on a slow line fetches them all at once with the entry
 * script instead of one round trip after another.
 */
export function pageWithPreloads(html: string, manifest: Record<string, ManifestChunk>, path: string, fetches: string[]): string {
  const files = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const sheet of chunk.css ?? []) css.add(sheet);
    for (const next of chunk.imports ?? []) visit(next);
  };
  const entry = PAGE_ENTRIES[path];
  if (entry) visit(entry);
  const links = [
    ...[...files].map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`),
    ...[...css].map((file) => `<link rel="stylesheet" crossorigin href="/${file}">`),
    ...fetches.map((url) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="${url}">`),
  ].filter((link) => !html.includes(link.match(/href="([^"]+)"/)![1]!));
  return html.replace('</head>', `    ${links.join('\n    ')}\n  </head>`);
}

export function mountPortalRoutes(app: Express, options: PortalRouteOptions): void {
  const dist = options.distDir ?? PORTAL_DIST;
  const oidc = oidcConfig(options.auth.issuer);
  const CONTENT_SECURITY_POLICY = contentSecurityPolicy(oidc?.issuer);
  app.use('/policy', policyRoutes(options));

  app.get('/portal/config.json', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ oidc: oidc ?? null, development: options.dev, explorer: options.dev });
  });
  // Who may sign messages to people: published with the page itself, not with the messages.
  app.get('/portal/senders.json', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.json({ keys: options.messageSenders });
  });
  if (options.dev) {
    // The explorer's pickers: every client with the purposes it may declare (development only, like the explorer).
    app.get('/dev/explorer-options', (_req, res) => {
      res.json({
        personas: loadPersonas().map(({ id, role, name, description }) => ({ id, role, name, description })),
        clients: Object.entries(options.policy.clients).map(([id, client]) => ({
          id,
          name: client.name,
          purposes: client.purposes.map((p) => ({ id: p, subjects: options.policy.purposes[p]?.subjects ?? [], acr: options.policy.purposes[p]?.acr ?? 'high' })),
        })),
      });
    });
  }

  // What the sign-in page fetches first (session.ts): named in the page so it comes with the scripts.
  const signInFetches = ['/portal/config.json'];
  const pages = ['/', '/console', '/oidc/callback', ...(options.dev ? ['/explorer'] : [])];
  // Built pages, per build (a rebuild swaps the folder and its stamp).
  let built: { stamp: string; pages: Map<string, string> } | undefined;
  const htmlFor = (path: string): string | undefined => {
    const index = join(dist, 'index.html');
    if (!existsSync(index)) return undefined;
    const stamp = existsSync(join(dist, '.build-stamp')) ? readFileSync(join(dist, '.build-stamp'), 'utf8') : '';
    if (built?.stamp !== stamp) built = { stamp, pages: new Map() };
    let html = built.pages.get(path);
    if (html === undefined) {
      const manifestPath = join(dist, '.vite', 'manifest.json');
      const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>) : {};
      html = pageWithPreloads(readFileSync(index, 'utf8'), manifest, path, path === '/oidc/callback' ? [] : signInFetches);
      built.pages.set(path, html);
    }
    return html;
  };
  app.get(pages, (req, res) => {
    const html = htmlFor(req.path);
    if (html === undefined) return sendGraphQLError(res, 503, 'PORTAL_NOT_BUILT', 'the portal is not built: `npm start` builds it (or run `npx tsx portal/build.ts`)');
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(html);
  });
  // Hashed assets, precompressed at build time (portal/build.ts): brotli when the browser takes it, else gzip.
  app.use(
    '/assets',
    expressStaticGzip(join(dist, 'assets'), {
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      serveStatic: {
        immutable: true,
        maxAge: '1y',
        fallthrough: false,
        setHeaders: (res) => res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY),
      },
    }),
  );
}
