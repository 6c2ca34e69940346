/**
 * Calls the ksef-ops API with the session cookie set at sign-in (HttpOnly, so scripts never see
 * the token). A 401 anywhere means the session ended: the app shows the sign-in form again.
 */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** `body` goes as JSON; `raw` + `contentType` send text as is (a CSV import). */
export async function api(path, { method = 'GET', body, raw, contentType } = {}) {
  const headers = { accept: 'application/json' };
  if (raw !== undefined) headers['content-type'] = contentType || 'text/plain';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const payload = raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: payload });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (response.status === 401 && !path.endsWith('/auth/login')) dispatchEvent(new Event('ksefops:signed-out'));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
