// The HTTP API as the console uses it: a signed-in session (short-lived access token in memory,
// refresh token in local storage, rotated on use) and problem documents turned into errors.

const REFRESH_KEY = "tenantry.refresh_token";

let accessToken = null;
let refreshing = null;

/** A refused request: the problem document's `detail` (or title) is the message. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = Array.isArray(problem?.errors)
      ? problem.errors.map((error) => `${error.field}: ${error.message}`).join("; ")
      : "";
    const summary = problem?.detail || problem?.title || `The request failed (${status}).`;
    super(fields ? `${summary} ${fields}` : summary);
    this.status = status;
    this.code = problem?.code;
    this.problem = problem;
  }
}

/** Keeps a token pair from sign-in, sign-up, MFA or refresh. */
export function keepSession(pair) {
  accessToken = pair.access_token;
  localStorage.setItem(REFRESH_KEY, pair.refresh_token);
}

/**
 * An access token for a request made outside `api` (streams are read with `fetch`): the one held,
 * or a new one when there is none or `renew` says the held one was refused.
 */
export async function accessTokenFor({ renew = false } = {}) {
  if ((renew || !accessToken) && localStorage.getItem(REFRESH_KEY)) await refresh();
  return accessToken;
}

/** Whether a session can be resumed. */
export function hasSession() {
  return Boolean(accessToken || localStorage.getItem(REFRESH_KEY));
}

/** Forgets the session here (the server is told by `signOut`). */
export function forgetSession() {
  accessToken = null;
  localStorage.removeItem(REFRESH_KEY);
}

// Signed out in another tab: this one follows.
window.addEventListener("storage", (event) => {
  if (event.key === REFRESH_KEY && event.newValue === null && accessToken) {
    accessToken = null;
    window.dispatchEvent(new CustomEvent("tenantry:signed-out"));
  }
});

/** Runs `task` while no other tab of this origin refreshes (Web Locks), or directly without them. */
function exclusively(task) {
  return navigator.locks ? navigator.locks.request("tenantry-refresh", task) : task();
}

/**
 * Trades the stored refresh token for a new pair. Tabs take turns and each reads the token anew
 * inside its turn, so a token is never presented twice (which the server treats as theft). Only a
 * refusal (401) ends the session; an unavailable server leaves it for the next try.
 */
function refresh() {
  if (refreshing) return refreshing;
  const attempt = exclusively(async () => {
    const token = localStorage.getItem(REFRESH_KEY);
    if (!token) return false;
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: token }),
    }).catch(() => null);
    if (!response) return false;
    if (response.status === 401) {
      forgetSession();
      return false;
    }
    if (!response.ok) return false;
    keepSession(await response.json());
    return true;
  }).finally(() => {
    if (refreshing === attempt) refreshing = null;
  });
  refreshing = attempt;
  return attempt;
}

async function send(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

/** Calls the API; resumes the session once when the access token is missing or expired. */
export async function api(method, path, body) {
  if (!accessToken && localStorage.getItem(REFRESH_KEY)) await refresh();
  let response = await send(method, path, body);
  if (response.status === 401 && localStorage.getItem(REFRESH_KEY) && (await refresh())) {
    response = await send(method, path, body);
  }
  if (response.status === 401) {
    const problem = await response.json().catch(() => null);
    if (!path.startsWith("/api/auth/")) {
      forgetSession();
      window.dispatchEvent(new CustomEvent("tenantry:signed-out"));
    }
    throw new ApiError(401, problem);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Calls an API route that takes no session (sign-in, sign-up, reset). */
export async function publicApi(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204 || response.status === 202) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Ends the session on the server and here. */
export async function signOut() {
  const token = localStorage.getItem(REFRESH_KEY);
  try {
    if (token) await publicApi("POST", "/api/auth/logout", { refresh_token: token });
  } finally {
    forgetSession();
  }
}

/** A URL path with its segments escaped: `path("/api/orgs", id, "members")`. */
export function path(...segments) {
  return segments
    .map((segment, index) => (index === 0 ? segment : encodeURIComponent(segment)))
    .join("/");
}
