import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { api } from './api.js';
import { beginSignIn, completeSignIn, isSignedIn, maySignInSilently, signOut } from './auth.js';
import { t } from './i18n.js';
import { developersPath, navigate, parseRoute, programsPath, templatesPath, useLocation } from './router.js';
import { Developers } from './screens/Developers.js';
import { Templates } from './screens/Templates.js';
import { CreateProgram } from './screens/CreateProgram.js';
import { ProgramPage } from './screens/ProgramPage.js';
import { Guests } from './screens/Guests.js';
import { Programs } from './screens/Programs.js';

export interface Org {
  organization_id: string;
  name: string;
}

export function Link(props: { to: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className}>
      {props.children}
    </a>
  );
}

let callbackStarted = false;

export function App() {
  const path = useLocation();
  const route = parseRoute(path.split('?')[0]!);
  const [signedIn, setSignedIn] = useState(isSignedIn());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [orgs, setOrgs] = useState<Org[] | null>(null);

  useEffect(() => {
    if (route.name !== 'callback' || callbackStarted) return;
    callbackStarted = true;
    void completeSignIn(location.search).then((result) => {
      callbackStarted = false;
      if (!result.ok && result.silent) {
        navigate(result.returnTo?.startsWith('/console/') ? result.returnTo : '/console/', true);
        return;
      }
      if (!result.ok) {
        setError(t('sign_in_failed', { reason: result.reason }));
        navigate('/console/', true);
        return;
      }
      setSignedIn(true);
      navigate(result.returnTo, true);
    });
  }, [route.name]);

  // A reload: sign in again silently through voucherd's session (auth.ts), once per page load.
  const silent = !signedIn && route.name !== 'callback' && maySignInSilently();
  useEffect(() => {
    if (silent) void beginSignIn(path, true);
  }, [silent]);

  useEffect(() => {
    if (!signedIn || orgs !== null) return;
    void api.GET('/v1/me/organizations').then(({ data }) => setOrgs(data?.organizations ?? []));
  }, [signedIn, orgs]);

  // One organization: straight to its programs.
  useEffect(() => {
    if (route.name === 'home' && orgs?.length === 1) navigate(programsPath(orgs[0]!.organization_id), true);
  }, [route.name, orgs]);

  const onSignOut = async () => {
    await signOut();
    setSignedIn(false);
    setOrgs(null);
    setNotice(t('signed_out'));
    navigate('/console/');
  };

  let body: ReactNode;
  if (route.name === 'callback' || silent) body = <p role="status">{t('signing_in')}</p>;
  else if (!signedIn) body = <SignIn error={error} notice={notice} returnTo={route.name === 'home' ? '/console/' : path} />;
  else if (orgs === null) body = <p role="status">{t('loading')}</p>;
  else if (orgs.length === 0) body = <p role="alert">{t('no_orgs')}</p>;
  else if (route.name === 'home') body = <OrgPicker orgs={orgs} />;
  else if (route.name === 'programs') body = <Programs org={route.org} />;
  else if (route.name === 'create') body = <CreateProgram org={route.org} />;
  else if (route.name === 'templates') body = <Templates org={route.org} />;
  else if (route.name === 'developers') body = <Developers org={route.org} />;
  else if (route.name === 'guests') body = <Guests org={route.org} program={route.program} />;
  else body = <ProgramPage org={route.org} program={route.program} />;

  const org = 'org' in route ? orgs?.find((o) => o.organization_id === route.org) : undefined;
  return (
    <>
      <a className="skip" href="#main">
        {t('skip_to_content')}
      </a>
      <header className="top">
        <span className="brand">{t('app_title')}</span>
        {org && orgs && orgs.length > 1 ? <Link to="/console/">{org.name}</Link> : org ? <span>{org.name}</span> : null}
        {org ? <Link to={templatesPath(org.organization_id)}>{t('nav_templates')}</Link> : null}
        {org ? <Link to={developersPath(org.organization_id)}>{t('developers_link')}</Link> : null}
        {signedIn ? (
          <button type="button" className="secondary" onClick={() => void onSignOut()}>
            {t('sign_out')}
          </button>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

function SignIn(props: { error: string | null; notice: string | null; returnTo: string }) {
  return (
    <section aria-labelledby="sign-in-title" className="narrow">
      <h1 id="sign-in-title">{t('sign_in_title')}</h1>
      {props.notice ? <p role="status">{props.notice}</p> : null}
      {props.error ? <p role="alert">{props.error}</p> : null}
      <p>{t('sign_in_intro')}</p>
      <button type="button" onClick={() => void beginSignIn(props.returnTo)}>
        {t('sign_in')}
      </button>
    </section>
  );
}

function OrgPicker(props: { orgs: Org[] }) {
  const [choice, setChoice] = useState(props.orgs[0]!.organization_id);
  return (
    <section aria-labelledby="pick-title" className="narrow">
      <h1 id="pick-title">{t('pick_org_title')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          navigate(programsPath(choice));
        }}
      >
        <label htmlFor="org">{t('pick_org')}</label>
        <select id="org" value={choice} onChange={(e) => setChoice(e.target.value)}>
          {props.orgs.map((o) => (
            <option key={o.organization_id} value={o.organization_id}>
              {o.name}
            </option>
          ))}
        </select>
        <button type="submit">{t('open')}</button>
      </form>
    </section>
  );
}
