/**
 * Access to the audit API: the function key the person gives (kept for this tab only), the App Service
 * sign-in where it runs, and what the page says when a call is refused or fails.
 */
import { ApiError, keyStore } from "./api";
import { byId, h, replace, type Child } from "./dom";
import { hideViews, setStatus } from "./shell";
import { state } from "./state";

/**
 * The access line says how the data was reached: with the key given, or with no key at all. A call that needs
 * no key says nothing of who is signed in (behind App Service authentication the key is still asked for, so
 * in practice that is an app run locally), and the page does not guess.
 */
export function updateAccess(answeredWithoutKey: boolean): void {
  const key = keyStore.get();
  byId("forget-key").hidden = !key;
  byId("access-state").textContent = key
    ? "Using a function key (this tab only)"
    : answeredWithoutKey
      ? "No key needed: the audit API answered without one"
      : "";
}

function hidePanels(): void {
  byId("key-prompt").hidden = true;
  byId("problem").hidden = true;
}

function askForKey(reason: string, retry: () => void): void {
  state.retry = retry;
  hideViews();
  byId("key-reason").textContent = reason;
  byId("key-prompt").hidden = false;
  setStatus("");
  const input = byId<HTMLInputElement>("key-input");
  input.value = "";
  input.focus();
  void offerSignIn();
}

/** Where App Service authentication runs in front of the app, its /.auth endpoints answer (401 or 200, not 404): offer its sign-in. */
async function offerSignIn(): Promise<void> {
  try {
    const response = await fetch("/.auth/me", { credentials: "same-origin", cache: "no-store", redirect: "manual" });
    if (response.status === 404) return;
    const back = `${location.pathname}${location.hash}`;
    byId("sign-in-link").setAttribute("href", `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`);
    byId("sign-in").hidden = false;
  } catch {
    // No sign-in to offer.
  }
}

function showProblem(title: string, ...body: Child[]): void {
  const panel = byId("problem");
  hideViews();
  replace(panel, h("h2", {}, title), ...body);
  panel.hidden = false;
  setStatus("");
}

/** 401: the key given was wrong (forget it), or none was given and no sign-in let the call through. */
function askForAccess(hadKey: boolean, retry: () => void): void {
  if (hadKey) keyStore.clear();
  updateAccess(false);
  askForKey(
    hadKey
      ? "The function key given was refused (401). It must be a function key of the audit API (the audit functions' own key, or the app's host key such as \"default\"); an administrator finds them in the Azure portal under the function app's App keys."
      : "The audit API needs a function key (401): this browser sent none, and no sign-in let it through. Paste a function key of this app (Azure portal: the function app > App keys, or the audit functions' Function keys). If the app uses Entra sign-in instead, reload the page to sign in again.",
    retry,
  );
}

/** 403: which key or app role is missing, and a way to give another key. */
function accessDenied(error: ApiError, hadKey: boolean, retry: () => void): Child[] {
  return [
    h("p", {}, error.message && !/^forbidden$/i.test(error.message) ? error.message : "The app refused this request."),
    h(
      "p",
      {},
      hadKey
        ? 'The key was accepted but does not open the audit API: use the host key ("default") or a key of the audit functions, not a key of another function.'
        : "You are signed in, but your account lacks the app role that the app's administrator requires for audit readers (App Service authentication / Entra ID). Ask them to assign it to you, or use a function key.",
    ),
    h(
      "p",
      {},
      h(
        "button",
        { type: "button", onclick: () => askForKey("Enter a function key that opens the audit API.", retry) },
        "Use a function key instead",
      ),
    ),
  ];
}

/** What a refused or failed call means for the person at the screen, and what they can do. */
function explain(error: ApiError, retry: () => void): void {
  const hadKey = keyStore.get() !== undefined;
  if (error.status === 401) return askForAccess(hadKey, retry);
  const requestId = error.requestId ? h("p", { class: "muted" }, `Request id: ${error.requestId}`) : null;
  if (error.status === 403) return showProblem("Access denied (403)", accessDenied(error, hadKey, retry), requestId);
  if (error.status === 400)
    return showProblem(
      "The audit API did not accept this request (400)",
      h("p", {}, error.message),
      h("p", {}, "Change the filter (for example the dates, or the user's sign-in name) and apply it again."),
      requestId,
    );
  if (error.status === 404)
    return showProblem(
      "Not found (404)",
      h("p", {}, error.message),
      h(
        "p",
        {},
        "If the audit API itself is missing, the app may be an older version without the audit: deploy the current one.",
      ),
      requestId,
    );
  showProblem(
    error.status === 0 ? "The app could not be reached" : `The audit API failed (${error.status})`,
    h("p", {}, error.message),
    h("p", {}, h("button", { type: "button", onclick: retry }, "Try again")),
    requestId,
  );
}

/** Runs a data call; on 401 asks for a key (then runs it again), on 403 and other failures says what to do. */
export async function guarded(work: () => Promise<void>, retry: () => void): Promise<void> {
  hidePanels();
  try {
    await work();
    updateAccess(true);
  } catch (error) {
    if (error instanceof ApiError) return explain(error, retry);
    showProblem(
      "Something went wrong in the viewer",
      h("p", {}, String((error as Error)?.message ?? error)),
      h("p", {}, "Reload the page; if it happens again, tell the app's owner."),
    );
  }
}
