/**
 * Signing in through the identity provider leaves the page and comes back to
 * the portal's home: a person who started on the consent page must land on it
 * again, with the partner's request intact. The page remembers itself (this
 * tab only) before sign-in; the portal, signed in, goes back there once.
 */
const KEY = 'citizen-graph.consent.return';

export function rememberConsentPage(): void {
  try {
    sessionStorage.setItem(KEY, `${location.pathname}${location.search}`);
  } catch {
    /* storage off: the person starts again from the partner's site */
  }
}

/** The consent page to go back to, if one is waiting: only this origin's /consent, never anywhere else. */
export function takeConsentReturn(): string | undefined {
  try {
    const path = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return path && /^\/consent\?[^\s]*$/.test(path) && !path.startsWith('//') ? path : undefined;
  } catch {
    return undefined;
  }
}

export function forgetConsentPage(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing to forget */
  }
}
