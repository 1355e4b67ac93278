// Building the page: elements from plain values, never from HTML strings.

/** An element: `h("button", { onclick, disabled: true }, "Save")`. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      element.className = value;
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (key in element && typeof value !== "string") {
      element[key] = value;
    } else {
      element.setAttribute(key, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `element` shows. */
export function show(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let fieldCount = 0;

/** A labelled input; `hint` is read out with it. */
export function field(label, input, hint) {
  const id = input.id || `field-${++fieldCount}`;
  input.id = id;
  const parts = [h("label", { for: id }, label), input];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/**
 * Where an action's outcome is announced: two regions that stay in the page (screen readers
 * announce changes only to regions they already know), a polite one for news and an alert for
 * errors. `set(message, kind)` writes one and empties the other.
 */
export function status() {
  const polite = h("p", { class: "status", role: "status" });
  const alert = h("p", { class: "status error", role: "alert" });
  const region = h("div", { class: "outcome" }, polite, alert);
  region.set = (message, kind = "info") => {
    polite.className = `status ${kind}`;
    polite.textContent = kind === "error" ? "" : message || "";
    alert.textContent = kind === "error" ? message || "" : "";
  };
  return region;
}

let reasonCount = 0;

/** A control that would be refused: disabled, with the reason read out with it and shown beside it. */
export function withReason(control, reason) {
  if (!reason) return control;
  const id = `reason-${++reasonCount}`;
  control.disabled = true;
  control.setAttribute("aria-describedby", id);
  return h("span", { class: "guarded" }, control, h("small", { id, class: "reason" }, reason));
}

/** A date (day only) as the reader's locale shows it. */
export function day(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleDateString();
}

/** A date as the reader's locale shows it. */
export function when(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** A button whose click runs `action` once at a time, reporting failures to `region`. */
export function actionButton(label, action, region, props = {}) {
  const button = h("button", { type: "button", ...props }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      region?.set(error.message, "error");
    } finally {
      if (button.isConnected) button.disabled = Boolean(props.disabled);
    }
  });
  return button;
}

/** Runs `submit` with the form's values; errors land in the form's status region. */
export function form(fields, submitLabel, submit, extra = []) {
  const region = status();
  const button = h("button", { type: "submit", class: "primary" }, submitLabel);
  const element = h("form", { novalidate: false }, fields, extra, button, region);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    region.set("");
    try {
      await submit(new FormData(element), region);
    } catch (error) {
      region.set(error.message, "error");
    } finally {
      button.disabled = false;
    }
  });
  element.status = region;
  return element;
}

/** A button that copies `text()` to the clipboard, saying so in `region` (or asking to copy by hand). */
export function copyButton(label, text, region) {
  const button = h("button", { type: "button", class: "copy" }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      region?.set("Copied.", "success");
    } catch {
      region?.set("Your browser refused the clipboard: select the text and copy it yourself.", "info");
    }
  });
  return button;
}

/** What an empty list says instead of an empty table, with what to do about it. */
export function emptyState(...content) {
  return h("p", { class: "empty" }, content);
}

/** A money amount in the install's currency: `12.5` → `$12.50`. */
export function money(value, currency = "USD") {
  if (typeof value !== "number") return "unlimited";
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
}

/**
 * Gives every cell of `table` the heading of its column as `data-label`, so that narrow screens
 * can show each row as a card of labelled lines.
 */
export function labelCells(table) {
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, index) => {
      if (headings[index] && !cell.dataset.label) cell.dataset.label = headings[index];
    });
  }
}
