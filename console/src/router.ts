import { useEffect, useState } from 'react';

/** The console's routes under /console (history API; voucherd answers index.html for each). */
export type Route =
  | { name: 'home' }
  | { name: 'callback' }
  | { name: 'programs'; org: string }
  | { name: 'create'; org: string }
  | { name: 'program'; org: string; program: string }
  | { name: 'guests'; org: string; program: string }
  | { name: 'templates'; org: string }
  | { name: 'developers'; org: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.replace(/^\/console\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'callback') return { name: 'callback' };
  if (parts[0] === 'orgs' && parts[1] && parts[2] === 'templates') return { name: 'templates', org: parts[1] };
  if (parts[0] === 'orgs' && parts[1] && parts[2] === 'developers') return { name: 'developers', org: parts[1] };
  if (parts[0] === 'orgs' && parts[1] && parts[2] === 'programs') {
    if (parts[3] === 'new') return { name: 'create', org: parts[1] };
    if (parts[3] && parts[4] === 'guests') return { name: 'guests', org: parts[1], program: parts[3] };
    if (parts[3]) return { name: 'program', org: parts[1], program: parts[3] };
    return { name: 'programs', org: parts[1] };
  }
  return { name: 'home' };
}

export const programsPath = (org: string) => `/console/orgs/${encodeURIComponent(org)}/programs`;
export const programPath = (org: string, program: string) => `${programsPath(org)}/${encodeURIComponent(program)}`;
export const templatesPath = (org: string) => `/console/orgs/${encodeURIComponent(org)}/templates`;
export const developersPath = (org: string) => `/console/orgs/${encodeURIComponent(org)}/developers`;
export const guestsPath = (org: string, program: string) => `${programPath(org, program)}/guests`;

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return path;
}
