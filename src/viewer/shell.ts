/** The page around the views: which view shows, and the status line under the heading. */
import { byId, replace } from "./dom";

const views = ["view-jobs", "view-job", "view-summary"] as const;

export function showView(id: (typeof views)[number]): void {
  for (const v of views) byId(v).hidden = v !== id;
  byId("nav-jobs").toggleAttribute("aria-current", false);
  byId("nav-summary").toggleAttribute("aria-current", false);
  if (id === "view-summary") byId("nav-summary").setAttribute("aria-current", "page");
  else byId("nav-jobs").setAttribute("aria-current", "page");
}

/** Hides every view, for a panel (the key prompt, a problem) shown in their place. */
export function hideViews(): void {
  for (const v of views) byId(v).hidden = true;
}

export function setStatus(message: string): void {
  replace(byId("status"), message);
}
