// Live reload for `dossier serve` (never part of `dossier build` output).
(() => {
  "use strict";
  const events = new EventSource("/__dossier/events");
  async function swapStyles() {
    // Stylesheet names carry a content hash, so read the new ones from the page itself.
    const response = await fetch(location.href, { cache: "no-store" });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const next = [...fresh.querySelectorAll('link[rel="stylesheet"]')];
    const current = [...document.querySelectorAll('link[rel="stylesheet"]')];
    if (next.length !== current.length) {
      reload();
      return;
    }
    current.forEach((link, i) => link.setAttribute("href", next[i].getAttribute("href")));
  }
  // One reload at a time: a second push during a navigation would abort it and start over.
  const reload = () => {
    events.close();
    location.reload();
  };
  events.addEventListener("reload", (event) => {
    if (event.data === "styles") {
      swapStyles().catch(reload);
    } else {
      reload();
    }
  });
})();
