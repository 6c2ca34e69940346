import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ProblemBox } from '../components.js';

export function LoginPage({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  async function submit(event) {
    event.preventDefault();
    setError(null);
    try {
      // The answer sets the session cookie; the token in the body is for API clients, not kept here.
      await api('/api/v1/auth/login', { method: 'POST', body: { email, password } });
      onSignedIn();
    } catch (e) {
      setError(e);
    }
  }
  return html`<form class="card login" data-testid="login" onSubmit=${submit}>
    <h1>${t('login.title')}</h1>
    <label>${t('login.email')}<input type="email" data-testid="login-email" autocomplete="username" value=${email} onInput=${(e) => setEmail(e.target.value)} /></label>
    <label>${t('login.password')}<input type="password" data-testid="login-password" autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>
    <button type="submit" class="primary" data-testid="login-submit">${t('login.submit')}</button>
    <${ProblemBox} error=${error} />
  </form>`;
}
