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

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
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
