import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { lang, setLang, t } from './i18n.js';
import { api } from './api.js';
import { LoginPage } from './pages/login.js';
import { RegistryPage } from './pages/registry.js';
import { InvoicePage } from './pages/invoice.js';
import { DashboardPage } from './pages/dashboard.js';
import { CounterpartiesPage } from './pages/counterparties.js';

/** Path routing under /ui, so links in alert e-mails (/ui/invoices/<id>) open the right page. */
export function navigate(to) {
  history.pushState(null, '', to);
  dispatchEvent(new Event('ksefops:navigate'));
}

function useLocation() {
  const [loc, setLoc] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setLoc(location.pathname + location.search);
    addEventListener('popstate', update);
    addEventListener('ksefops:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('ksefops:navigate', update);
    };
  }, []);
  return loc;
}

// Plain left clicks on internal links stay in the page; modified clicks open tabs as usual.
function onLinkClick(event) {
  const a = event.target.closest?.('a[href^="/ui"]');
  if (!a || a.target || a.hasAttribute('download') || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
}

function useSession() {
  const [me, setMe] = useState(undefined);
  const refresh = () => api('/api/v1/auth/me').then(setMe, () => setMe(null));
  useEffect(() => {
    refresh();
    const signedOut = () => setMe(null);
    addEventListener('ksefops:signed-out', signedOut);
    return () => removeEventListener('ksefops:signed-out', signedOut);
  }, []);
  return [me, refresh];
}

function App() {
  const loc = useLocation();
  const [, setLangState] = useState(lang.value);
  const [me, refreshMe] = useSession();
  const path = loc.split('?')[0];
  const invoiceMatch = path.match(/^\/ui\/invoices\/([0-9a-f-]{36})$/);
  const page =
    me === undefined
      ? html`<p>${t('loading')}</p>`
      : me === null
        ? html`<${LoginPage} onSignedIn=${refreshMe} />`
        : invoiceMatch
          ? html`<${InvoicePage} key=${invoiceMatch[1]} id=${invoiceMatch[1]} />`
          : path === '/ui/dashboard'
            ? html`<${DashboardPage} />`
            : path === '/ui/counterparties'
              ? html`<${CounterpartiesPage} me=${me} />`
              : html`<${RegistryPage} search=${loc.split('?')[1] || ''} />`;
  const switchLang = (value) => {
    setLang(value);
    setLangState(value);
  };
  const signOut = async () => {
    await api('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    refreshMe();
  };
  return html`
    <div class="shell" onClick=${onLinkClick}>
      <header class="top">
        <a class="brand" href="/ui">ksef-ops</a>
        <nav>
          <a href="/ui" class=${!invoiceMatch && path !== '/ui/dashboard' && path !== '/ui/counterparties' ? 'active' : ''} data-testid="nav-registry">${t('nav.registry')}</a>
          <a href="/ui/dashboard" class=${path === '/ui/dashboard' ? 'active' : ''} data-testid="nav-dashboard">${t('nav.dashboard')}</a>
          <a href="/ui/counterparties" class=${path === '/ui/counterparties' ? 'active' : ''} data-testid="nav-counterparties">${t('nav.counterparties')}</a>
        </nav>
        ${me && html`<span class="who" data-testid="signed-in-as" title=${(me.roles || []).join(', ')}>${me.name || me.email || me.actor}</span>
          <button type="button" class="signout" data-testid="sign-out" onClick=${signOut}>${t('nav.signOut')}</button>`}
        <div class="lang" role="group" aria-label="Language">
          ${['pl', 'en'].map((l) => html`<button type="button" data-testid=${`lang-${l}`} class=${lang.value === l ? 'on' : ''} onClick=${() => switchLang(l)}>${l.toUpperCase()}</button>`)}
        </div>
      </header>
      <main>${page}</main>
    </div>`;
}

document.documentElement.lang = lang.value;
render(html`<${App} />`, document.getElementById('app'));
