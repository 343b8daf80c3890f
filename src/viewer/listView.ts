/** Loading one of the list views (the job list, the summaries): the filter's scope shown, busy while loading. */
import { guarded } from "./access";
import { byId, replace } from "./dom";
import { showScope } from "./filters";
import { setStatus, showView } from "./shell";
import { state } from "./state";

/** Shows the view, loads its answer and shows that; an answer that comes after the person moved on is dropped. */
export async function loadListView<T>(
  view: "jobs" | "summary",
  loading: string,
  load: () => Promise<T>,
  show: (body: HTMLElement, answer: T) => void,
  again: () => void,
): Promise<void> {
  showView(`view-${view}`);
  const generation = ++state.generation;
  replace(byId(`${view}-scope`), showScope());
  const body = byId(`${view}-body`);
  setStatus(loading);
  body.setAttribute("aria-busy", "true");
  await guarded(async () => {
    const answer = await load();
    if (generation !== state.generation) return;
    show(body, answer);
  }, again);
  if (generation === state.generation) body.removeAttribute("aria-busy");
}
