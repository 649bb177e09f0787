/* Search loader, on every page (deferred, under 1 KB). It loads the search code only when it
   is wanted: at once on the /search/ page, elsewhere when a search box first gets focus. Until
   then, and whenever loading fails, the search boxes are plain forms that submit to /search/?q=.
   The script tag carries the URLs: data-ui (the search UI module) and data-index (the search bundle). */
(() => {
  "use strict";
  const script = document.currentScript;
  const uiUrl = script && script.dataset.ui;
  const bundle = script && script.dataset.index;
  if (!uiUrl || !bundle) return;
  let ui = null;
  const load = () => (ui = ui || import(uiUrl));
  const fail = (error) => console.warn("Search could not load; the search forms still work.", error);

  const app = document.getElementById("search-app");
  if (app) load().then((m) => m.startPage(app, bundle)).catch(fail);

  document.addEventListener("focusin", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.name !== "q") return;
    const form = input.closest("form.search-form");
    if (!form || form.closest("#search-app") || form.dataset.quick) return;
    form.dataset.quick = "on";
    load().then((m) => m.attachQuick(form, bundle)).catch(fail);
  });
})();
