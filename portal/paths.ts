/** Where the portal's sources and build live (used by the gateway and the build step). */
import { fileURLToPath } from 'node:url';

export const PORTAL_ROOT = fileURLToPath(new URL('.', import.meta.url));
export const PORTAL_DIST = fileURLToPath(new URL('./dist', import.meta.url));
