// Forms that post to the server, made kinder: what a learner typed into a
// form the server refused comes back, and a form says when it is at work.
//
// A form posts to the server, which answers a refusal by sending the browser
// back to the form's page with the reason in the address (`__path` names the
// refused action, `__err` carries the reason, shown beside the fields). That
// page is rendered anew, with the saved values; this puts back what was
// typed, so only the mistake needs fixing. Kept for one page load, in this
// tab only (sessionStorage), and never a password or a hidden field (those
// are the server's: a form version, a request id).

const KEPT = "acmelearn-refused-form";
const NOT_KEPT = new Set(["hidden", "password", "submit", "button", "reset", "file", "image"]);

const keptControl = (control) =>
  control.name && !NOT_KEPT.has(control.type) &&
  (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement ||
    control instanceof HTMLSelectElement);

const pathOf = (form) => new URL(form.action, location.href).pathname;

function putBack(form, fields) {
  const values = new Map();
  for (const [name, value] of fields) values.set(name, [...(values.get(name) ?? []), value]);
  const taken = new Map();
  for (const control of form.elements) {
    if (!keptControl(control)) continue;
    const sent = values.get(control.name) ?? [];
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = sent.includes(control.value);
    } else if (sent.length > 0) {
      // Several controls of one name take the values in order.
      const index = taken.get(control.name) ?? 0;
      taken.set(control.name, index + 1);
      if (index < sent.length) control.value = sent[index];
    }
  }
}

export function keepWhatWasTyped() {
  const kept = sessionStorage.getItem(KEPT);
  sessionStorage.removeItem(KEPT);
  const refused = new URL(location.href).searchParams;
  if (kept && refused.has("__err")) {
    try {
      const { action, fields } = JSON.parse(kept);
      const form = [...document.forms].find((candidate) =>
        candidate.method === "post" && pathOf(candidate) === action && refused.get("__path") === action);
      if (form && Array.isArray(fields)) putBack(form, fields);
    } catch {
      // Not ours, or from an older release: nothing to put back.
    }
  }
  addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
    const keptNames = new Set([...form.elements].filter(keptControl).map((control) => control.name));
    const fields = [...new FormData(form)]
      .filter(([name, value]) => keptNames.has(name) && typeof value === "string");
    sessionStorage.setItem(KEPT, JSON.stringify({ action: pathOf(form), fields }));
  });
}

// While a form's answer is on its way (a language model can take seconds),
// the form says so: each element in it with a `data-busy-text` shows that
// text instead, and the form is marked aria-busy. The page the answer brings
// replaces it all; a page restored from the back-forward cache is shown as
// it was before the submission.
export function showFormsAtWork() {
  addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post") return;
    form.setAttribute("aria-busy", "true");
    for (const element of form.querySelectorAll("[data-busy-text]")) {
      element.dataset.idleText ??= element.textContent;
      element.textContent = element.dataset.busyText;
    }
  });
  addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll("form[aria-busy]")) {
      form.removeAttribute("aria-busy");
      for (const element of form.querySelectorAll("[data-idle-text]")) {
        element.textContent = element.dataset.idleText;
        delete element.dataset.idleText;
      }
    }
  });
}
