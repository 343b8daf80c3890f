/**
 * Building DOM and SVG from data: text is always set as text, never parsed as HTML. Every text shows
 * invisible and direction-steering characters as ⟨U+XXXX⟩ markers (never applied), and each text given as
 * a child sits in its own bidi isolate (<bdi>, or an isolating <tspan> in SVG), so a recorded value can
 * neither reorder its neighbours nor be reordered by them. Give a recorded value as a child of its own,
 * not pasted into a longer string, to keep it isolated.
 */
import { visibleText } from "../contract/visibleText";

export type Child = Node | string | number | null | undefined | false | Child[];
export type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

const svgNs = "http://www.w3.org/2000/svg";
/** Elements whose content is text only (no child elements), where markers are all that can be done. */
const textOnly = new Set(["option", "title", "textarea", "bdi", "style", "script"]);
/** Attributes that must keep the exact value (links, form values); every other one is shown text. */
const exactAttributes = new Set(["href", "value", "download"]);

function isolated(parent: Element, text: string): Node | string {
  const shown = visibleText(text);
  if (textOnly.has(parent.localName)) return shown;
  if (parent.namespaceURI === svgNs) {
    const span = document.createElementNS(svgNs, "tspan");
    span.setAttribute("class", "iso");
    span.append(shown);
    return span;
  }
  const bdi = document.createElement("bdi");
  bdi.append(shown);
  return bdi;
}

function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.append(child);
    else if (typeof child === "number") parent.append(String(child));
    else parent.append(isolated(parent, child));
  }
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else
      element.setAttribute(
        name,
        value === true ? "" : exactAttributes.has(name) ? String(value) : visibleText(String(value)),
      );
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

export function s(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(svgNs, tag) as SVGElement;
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
