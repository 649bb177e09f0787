/* Search UI of the default theme: the /search/ page and the quick results under the other search
   boxes. Built on dossier's search engine (<bundle>/engine.js, an ES module shipped with the
   index), which fetches only the index chunks a query needs. Loaded by search.js on demand.
   Index text never goes through innerHTML, and nothing here is inline or evaluated, so the site
   works under the strict Content-Security-Policy given in docs/search.md. */

const FACETS = [
  { key: "category", label: "Category" },
  { key: "jurisdiction", label: "Jurisdiction" },
  {
    key: "status",
    label: "Has claims that are",
    order: ["verified", "unverified", "alleged", "disputed", "superseded", "retracted"],
  },
  { key: "freshness", label: "Freshness", order: ["fresh", "stale"] },
  { key: "tags", label: "Tags" },
];
const SORTS = {
  "name-asc": { name: "asc" },
  "name-desc": { name: "desc" },
  "verified-desc": { verified: "desc" },
  "verified-asc": { verified: "asc" },
  "changed-desc": { changed: "desc" },
};
const PAGE_SIZE = 10;
const QUICK_SIZE = 5;
const DEBOUNCE_MS = 250;
/** While typing, index chunks are fetched ahead only once the last word has this many letters:
    a one- or two-letter prefix matches words in many chunks, which the final query rarely needs. */
const PRELOAD_MIN = 3;
const worthPreloading = (term) => (term.split(/\s+/).pop() || "").length >= PRELOAD_MIN;

let engineLoading = null;

/** The engine, imported once and pointed at this site's bundle. Records carry full paths
    ("/wiki/providers/x/"), so result URLs need no prefix. */
function loadEngine(bundle) {
  if (!engineLoading) {
    engineLoading = import(`${bundle}engine.js`).then(async (engine) => {
      await engine.init(bundle);
      return engine;
    });
    engineLoading.catch(() => {
      engineLoading = null;
    });
  }
  return engineLoading;
}

/** A DOM element; `text` sets its text, other attributes are set as given. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

const regionNames = (() => {
  try {
    return new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "region" });
  } catch {
    return null;
  }
})();

/** How a filter value reads in the page. */
function valueLabel(key, value) {
  if (key === "jurisdiction") {
    let name = null;
    try {
      name = regionNames && regionNames.of(value);
    } catch {
      name = null;
    }
    return name && name !== value ? `${name} (${value})` : value;
  }
  if (key === "freshness") return value === "stale" ? "Has stale claims" : "All claims fresh";
  if (key === "status") return value.charAt(0).toUpperCase() + value.slice(1);
  return value;
}

const entities = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/** The engine's excerpt ("a <mark>word</mark> &lt;b&gt;") as text and <mark> nodes. */
function excerptNodes(excerpt) {
  const nodes = [];
  let marked = false;
  for (const part of excerpt.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>" || part === "</mark>") {
      marked = part === "<mark>";
    } else if (part) {
      const text = part.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity]);
      nodes.push(marked ? el("mark", { text }) : document.createTextNode(text));
    }
  }
  return nodes;
}

/** A result's best-matching claims: each links to its place in the dossier, with its status. */
function claimList(claims) {
  if (!claims || !claims.length) return null;
  return el(
    "ul",
    { class: "search-claims", "aria-label": "Matching claims" },
    ...claims.map((c) =>
      el(
        "li",
        { class: "search-claim" },
        el("span", { class: `badge badge--${c.status}`, text: valueLabel("status", c.status) }),
        el("a", { href: c.url }, ...excerptNodes(c.excerpt)),
      ),
    ),
  );
}

/** "Showing results for …" when the engine corrected a word that matched nothing. */
function correctedNodes(corrections, term) {
  if (!corrections || !corrections.length) return null;
  let shown = term;
  for (const { from, to } of corrections) {
    shown = shown
      .split(/(\s+)/)
      .map((part) => (part.toLowerCase() === from ? to : part))
      .join("");
  }
  const asked = corrections.map((c) => `“${c.from}”`).join(", ");
  return ["Showing results for ", el("strong", { class: "search-corrected-term", text: shown }), `: nothing matches ${asked}.`];
}

/** One result of the /search/ page. */
function resultItem(data, withExcerpt) {
  const meta = data.meta || {};
  const filters = data.filters || {};
  const details = [];
  const badges = el("ul", { class: "search-result-badges" });
  if (meta.kind === "provider") {
    if (meta.category) details.push(meta.category);
    if (filters.jurisdiction && filters.jurisdiction[0]) details.push(valueLabel("jurisdiction", filters.jurisdiction[0]));
    if (meta.verified) details.push(`last verified ${meta.verified}`);
    for (const status of ["disputed", "alleged", "retracted"]) {
      if ((filters.status || []).includes(status)) {
        badges.append(el("li", {}, el("span", { class: `badge badge--${status}`, text: `Has ${status} claims` })));
      }
    }
    if ((filters.freshness || [])[0] === "stale") {
      badges.append(el("li", {}, el("span", { class: "badge badge--stale", text: "Has stale claims" })));
    }
  } else {
    details.push(meta.kind === "category" ? "Category" : "Page");
  }
  const text = withExcerpt && data.excerpt ? excerptNodes(data.excerpt) : [meta.summary || ""];
  return el(
    "li",
    { class: "search-result" },
    el("h3", { class: "search-result-title" }, el("a", { href: data.url, text: meta.title || data.url })),
    el("p", { class: "search-result-meta", text: details.join(" · ") }),
    badges.children.length ? badges : null,
    el("p", { class: "search-result-excerpt" }, ...text),
    withExcerpt ? claimList(data.claims) : null,
  );
}

/* ---------- The /search/ page ---------- */

/** The query, filters and sort in the page's URL. */
function readState() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const { key } of FACETS) {
    const values = [...new Set(params.getAll(key).filter(Boolean))];
    if (values.length) filters[key] = values;
  }
  const sort = params.get("sort") || "";
  return { q: params.get("q") || "", filters, sort: SORTS[sort] ? sort : "" };
}

function stateUrl(state) {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set("q", state.q);
  for (const { key } of FACETS) for (const value of state.filters[key] || []) params.append(key, value);
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  return location.pathname + (query ? `?${query}` : "");
}

/** Values of one facet are alternatives (any); facets narrow each other (all). */
function engineFilters(filters) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) if (values.length) out[key] = { any: values };
  return out;
}

/** Runs the search, and (once the filters are shown) counts each facet's values as if that
    facet's own choices were unset. */
async function runSearch(engine, state, totals) {
  const term = state.q.trim() || null;
  const filters = engineFilters(state.filters);
  if (term === null && !Object.keys(filters).length) return { idle: true, counts: totals || {} };
  const options = { filters };
  if (SORTS[state.sort]) options.sort = SORTS[state.sort];
  const main = await engine.search(term, options);
  const counts = { ...main.filters };
  if (!totals) return { main, counts, term };
  await Promise.all(
    Object.keys(filters).map(async (key) => {
      const others = { ...filters };
      delete others[key];
      const wider = await engine.search(term, { filters: others });
      counts[key] = wider.filters[key] || {};
    }),
  );
  return { main, counts, term };
}

/** The filter checkboxes, from every value in the index (and any chosen in the URL). */
function buildFacets(container, totals, state) {
  const boxes = new Map();
  for (const facet of FACETS) {
    const values = Object.keys(totals[facet.key] || {});
    for (const chosen of state.filters[facet.key] || []) if (!values.includes(chosen)) values.push(chosen);
    if (!values.length) continue;
    const rank = (v) => (facet.order ? facet.order.indexOf(v) : -1);
    values.sort((a, b) => rank(a) - rank(b) || valueLabel(facet.key, a).localeCompare(valueLabel(facet.key, b)));
    const list = el("ul", { class: "facet-values" });
    const entries = new Map();
    values.forEach((value, i) => {
      const id = `facet-${facet.key}-${i}`;
      const input = el("input", { type: "checkbox", id, name: facet.key, value });
      const count = el("span", { class: "facet-count" });
      const item = el("li", {}, input, el("label", { for: id }, valueLabel(facet.key, value), " ", count));
      list.append(item);
      entries.set(value, { input, count, item });
    });
    container.append(el("fieldset", { class: `facet facet--${facet.key}` }, el("legend", { text: facet.label }), list));
    boxes.set(facet.key, entries);
  }
  return boxes;
}

function syncControls(ui, state) {
  ui.input.value = state.q;
  ui.sort.value = state.sort;
  for (const [key, entries] of ui.boxes) {
    for (const [value, entry] of entries) entry.input.checked = (state.filters[key] || []).includes(value);
  }
  ui.clear.hidden = !Object.keys(state.filters).length;
}

function setCounts(ui, counts) {
  for (const [key, entries] of ui.boxes) {
    for (const [value, entry] of entries) {
      const n = (counts[key] || {})[value] || 0;
      entry.count.textContent = `(${n})`;
      entry.item.classList.toggle("facet-value--empty", n === 0 && !entry.input.checked);
    }
  }
}

function describe(n, state) {
  const chosen = Object.values(state.filters).reduce((sum, values) => sum + values.length, 0);
  const filtered = chosen ? `, ${plural(chosen, "filter", "filters")} applied` : "";
  const term = state.q.trim();
  return term ? `${plural(n, "result", "results")} for “${term}”${filtered}` : `${plural(n, "result", "results")}${filtered}`;
}

/** Starts the /search/ page: state from the URL, results as you type, filters, sort, history. */
export async function startPage(app, bundle) {
  const $ = (id) => document.getElementById(id);
  const form = app.querySelector("form.search-form");
  const ui = {
    input: form.querySelector("input[name=q]"),
    status: $("search-status"),
    facets: $("search-facets"),
    clear: $("search-clear"),
    sort: $("search-sort"),
    list: $("search-results"),
    corrected: $("search-corrected"),
    place: $("search-place"),
    none: $("search-none"),
    more: $("search-more"),
    boxes: new Map(),
  };
  const toggle = $("search-facets-toggle");
  const isOpen = () => toggle.getAttribute("aria-expanded") === "true";
  let state = readState();
  ui.input.value = state.q;
  ui.status.textContent = "Loading search…";
  let engine;
  try {
    engine = await loadEngine(bundle);
  } catch (error) {
    ui.status.textContent = "Search could not load. Try reloading the page, or browse the categories.";
    throw error;
  }
  // The filters' data (every value of every facet) is fetched only once they are opened, so a
  // plain query downloads no filter chunks.
  let totals = null;
  let facetsLoading = null;
  const showFacets = () => {
    facetsLoading =
      facetsLoading ||
      engine.filters().then((all) => {
        totals = all;
        ui.boxes = buildFacets(ui.facets, totals, state);
        syncControls(ui, state);
        $("search-facets-loading").hidden = true;
      });
    return facetsLoading;
  };
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    $("search-facets-body").hidden = !open;
    return open && !totals ? showFacets() : Promise.resolve();
  };
  syncControls(ui, state);
  $("search-layout").hidden = false;

  let seq = 0;
  let timer = 0;
  let typing = false;
  let shown = [];

  const commit = (push) => {
    const url = stateUrl(state);
    if (url === location.pathname + location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  };

  const appendPage = async (start, mine) => {
    const data = await Promise.all(shown.slice(start, start + PAGE_SIZE).map((r) => r.data()));
    if (mine !== seq) return [];
    const items = data.map((d) => resultItem(d, Boolean(state.q.trim())));
    ui.list.append(...items);
    ui.more.hidden = shown.length <= start + PAGE_SIZE;
    return items;
  };

  const render = async (outcome, mine) => {
    setCounts(ui, outcome.counts);
    ui.list.replaceChildren();
    shown = outcome.idle ? [] : outcome.main.results;
    const corrected = outcome.idle ? null : correctedNodes(outcome.main.corrections, state.q.trim());
    ui.corrected.replaceChildren(...(corrected || []));
    ui.corrected.hidden = !corrected;
    showPlaces(ui.place, outcome.idle ? [] : outcome.main.places, state);
    if (outcome.idle) {
      ui.none.hidden = true;
      ui.more.hidden = true;
      ui.status.textContent = "Type to search the dossiers, or open the filters to browse.";
      return;
    }
    await appendPage(0, mine);
    if (mine !== seq) return;
    ui.none.hidden = shown.length > 0;
    if (!shown.length) showNone(ui, state, outcome.main.unfilteredResultCount);
    ui.status.textContent = describe(shown.length, state);
  };

  const update = async (debounce = false) => {
    const mine = ++seq;
    clearTimeout(timer);
    if (debounce) {
      const term = state.q.trim();
      if (worthPreloading(term)) engine.preload(term, { filters: engineFilters(state.filters) }).catch(() => {});
      await new Promise((resolve) => {
        timer = setTimeout(resolve, DEBOUNCE_MS);
      });
      if (mine !== seq) return;
    }
    const outcome = await runSearch(engine, state, totals);
    if (mine === seq) await render(outcome, mine);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = ui.input.value;
    commit(!typing);
    typing = false;
    update();
  });
  ui.input.addEventListener("input", () => {
    state.q = ui.input.value;
    commit(!typing);
    typing = true;
    update(true);
  });
  ui.facets.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const values = new Set(state.filters[box.name] || []);
    if (box.checked) values.add(box.value);
    else values.delete(box.value);
    if (values.size) state.filters[box.name] = [...values];
    else delete state.filters[box.name];
    ui.clear.hidden = !Object.keys(state.filters).length;
    typing = false;
    commit(true);
    update();
  });
  ui.sort.addEventListener("change", () => {
    state.sort = ui.sort.value;
    typing = false;
    commit(true);
    update();
  });
  const clearFilters = () => {
    state.filters = {};
    syncControls(ui, state);
    typing = false;
    commit(true);
    update();
    ui.input.focus();
  };
  ui.clear.addEventListener("click", clearFilters);
  ui.none.addEventListener("click", (event) => {
    if (event.target instanceof HTMLButtonElement) clearFilters();
  });
  ui.place.addEventListener("click", async (event) => {
    const button = event.target instanceof Element && event.target.closest("button[data-code]");
    if (!button) return;
    // The country moves from the query to the jurisdiction filter.
    state.q = button.dataset.rest;
    state.filters.jurisdiction = [...new Set([...(state.filters.jurisdiction || []), button.dataset.code])];
    typing = false;
    commit(true);
    await setOpen(true);
    syncControls(ui, state);
    update();
  });
  ui.more.addEventListener("click", async () => {
    const items = await appendPage(ui.list.children.length, seq);
    const link = items[0] && items[0].querySelector("a");
    if (link) link.focus();
    ui.status.textContent = `Showing ${ui.list.children.length} of ${shown.length} results.`;
  });
  window.addEventListener("popstate", () => {
    state = readState();
    syncControls(ui, state);
    typing = false;
    const opened = Object.keys(state.filters).length ? setOpen(true) : Promise.resolve();
    opened.then(() => update());
  });
  toggle.addEventListener("click", () => {
    const opening = !isOpen() && !totals;
    setOpen(!isOpen()).then(() => opening && update());
  });
  if (Object.keys(state.filters).length) await setOpen(true);
  await update();
}

/** Offers a country the query names as the jurisdiction filter, the query without it. */
function showPlaces(container, places, state) {
  const offers = (places || []).filter((p) => !(state.filters.jurisdiction || []).includes(p.code));
  container.hidden = !offers.length;
  container.replaceChildren(
    ...offers.flatMap((p) => {
      const label = valueLabel("jurisdiction", p.code);
      const rest = withoutPlace(state.q, p);
      return [
        `Showing providers under ${label}. `,
        el("button", { type: "button", class: "button-secondary", "data-code": p.code, "data-rest": rest, text: `Filter by ${label} instead` }),
        " ",
      ];
    }),
  );
}

/** The query without the words that named country `place` (its code, or a name of it). */
function withoutPlace(query, place) {
  const names = [place.code, place.name, regionNames && regionNames.of(place.code)].filter(Boolean);
  let rest = query;
  for (const name of names.sort((a, b) => b.length - a.length)) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    rest = rest.replace(new RegExp(`(^|\\s)${escaped}(?=\\s|$)`, "iu"), " ");
  }
  return rest.replace(/\s+/g, " ").trim();
}

/** The "no results" advice: the query, and what clearing the filters would give. */
function showNone(ui, state, unfiltered) {
  const term = state.q.trim();
  document.getElementById("search-none-lead").textContent = term
    ? `Nothing matches “${term}” with these filters.`
    : "No dossier matches all of these filters.";
  const wider = document.getElementById("search-none-unfiltered");
  const filtered = Object.keys(state.filters).length > 0;
  wider.hidden = !(filtered && term && unfiltered > 0);
  if (!wider.hidden) {
    wider.replaceChildren(
      `${plural(unfiltered, "result matches", "results match")} without the filters. `,
      el("button", { type: "button", class: "button-secondary", text: "Clear all filters" }),
    );
  }
  if (!filtered && term) document.getElementById("search-none-lead").textContent = `Nothing matches “${term}”.`;
}

/* ---------- Quick results under the other search boxes ---------- */

/** Shows the first results under a search box as the reader types; Enter still opens /search/. */
export function attachQuick(form, bundle) {
  const input = form.querySelector("input[name=q]");
  const status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const list = el("ul", { class: "search-quick-results" });
  const note = el("p", { class: "search-quick-corrected", hidden: true });
  const all = el("a", { class: "search-quick-all", href: form.action });
  const panel = el("div", { class: "search-quick", id: `${input.id}-quick`, hidden: true }, note, list, all);
  form.append(status, panel);
  input.setAttribute("aria-controls", panel.id);
  const engine = loadEngine(bundle);
  let seq = 0;
  let timer = 0;

  const search = async (mine, term) => {
    const loaded = await engine;
    const response = await loaded.search(term);
    const data = await Promise.all(response.results.slice(0, QUICK_SIZE).map((r) => r.data()));
    if (mine !== seq) return;
    const n = response.results.length;
    const corrected = correctedNodes(response.corrections, term);
    note.replaceChildren(...(corrected || []));
    note.hidden = !corrected;
    list.replaceChildren(
      ...data.map((d) =>
        el(
          "li",
          {},
          el(
            "a",
            { href: d.url },
            el("span", { class: "search-quick-title", text: (d.meta && d.meta.title) || d.url }),
            el("span", { class: "search-quick-summary", text: (d.meta && d.meta.summary) || "" }),
          ),
        ),
      ),
    );
    all.href = `${form.action}?q=${encodeURIComponent(term)}`;
    all.textContent = n ? `See all ${plural(n, "result", "results")}` : `No results for “${term}”: search tips`;
    status.textContent = n ? `${plural(n, "result", "results")}; press Down to browse them.` : "No results.";
    panel.hidden = false;
  };

  input.addEventListener("input", () => {
    const mine = ++seq;
    clearTimeout(timer);
    const term = input.value.trim();
    if (!term) {
      panel.hidden = true;
      status.textContent = "";
      return;
    }
    if (worthPreloading(term)) engine.then((loaded) => loaded.preload(term)).catch(() => {});
    timer = setTimeout(() => search(mine, term).catch((e) => console.warn("Search failed", e)), DEBOUNCE_MS);
  });
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) panel.hidden = true;
  });
  form.addEventListener("keydown", (event) => {
    if (panel.hidden && event.key === "ArrowDown" && input.value.trim() && list.children.length) {
      panel.hidden = false;
    }
    if (panel.hidden) return;
    const links = [...list.querySelectorAll("a"), all];
    const at = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      panel.hidden = true;
      input.focus();
    } else if (event.key === "ArrowDown") {
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      (at === 0 ? input : links[at - 1]).focus();
    } else {
      return;
    }
    event.preventDefault();
  });
  if (input.value.trim()) input.dispatchEvent(new Event("input"));
}
