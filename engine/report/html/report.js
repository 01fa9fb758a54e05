// regpol's HTML reports: one script, inlined into every report. The data of the interactive
// parts travels gzip-compressed and base64-encoded in <script id="report-data">; the browser's
// own DecompressionStream opens it. When everything is drawn, <body data-ready="1">
// (data-ready="error" and a console error when it could not be).
"use strict";
(function () {
  const PAGE = 100;

  async function reportData() {
    const el = document.getElementById("report-data");
    const text = el ? el.textContent.trim() : "";
    if (!text) return null;
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function humanBytes(n) {
    if (n === null || n === undefined) return "?";
    const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let u = 0, v = n;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return u === 0 ? v + " B" : v.toFixed(1) + " " + units[u];
  }

  function pushedText(seconds) {
    if (seconds === null || seconds === undefined) return "undated";
    return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
  }

  function cell(row, key, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.col = key;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  // A table of the report's data, one row per item (an image of a plan, a changed image of a
  // diff): filtered by text and by one outcome column, sorted by any column, shown a page at
  // a time (a 50,000-row DOM table would be slow). The data says its columns:
  //   {key, label, kind, ...} where kind is
  //   text     a string
  //   enum     an index into `values` (sorted by the text)
  //   outcome  an index into `values` (sorted by the index; the cell gets class o-VALUE)
  //   digest   sha256 hex: shown as sha256:+12, the whole digest in the title
  //   time     seconds since 1970 or null (undated)
  //   bytes    an integer or null
  //   number   an integer or null
  //   link     an index into `links` [{label, anchor, source}] or -1
  //   reason   an index into `parts` [[prefix, suffix]], the text between from the column `age`
  //   hidden   not shown (the reasons' ages)
  // Missing values (null) sort last in either direction.
  function dataTable(spec) {
    const table = document.getElementById(spec.id);
    const columns = spec.columns.filter((c) => c.kind !== "hidden");
    const rows = spec.rows;
    const n = rows[columns[0].key].length;
    const byKey = {};
    for (const c of spec.columns) byKey[c.key] = c;
    const display = (c, i) => {
      const v = rows[c.key][i];
      switch (c.kind) {
        case "enum": case "outcome": return c.values[v];
        case "digest": return "sha256:" + v;
        case "time": return pushedText(v);
        case "bytes": return humanBytes(v);
        case "number": return v === null ? "" : v.toLocaleString("en");
        case "link": return v >= 0 ? c.links[v].label : "\u2014";
        case "reason": { const p = c.parts[v]; return p[0] + rows[c.age][i] + p[1]; }
        default: return v === "" ? c.empty || "" : v;
      }
    };
    const sortValue = (c, i) => {
      const v = rows[c.key][i];
      if (c.kind === "enum" || c.kind === "reason") return display(c, i);
      return v;
    };
    let haystack = null;  // lower-case search text per row, built on the first filter
    const state = { text: "", outcome: "", key: null, dir: 1, page: 0 };
    const outcomeColumn = spec.filterColumn ? byKey[spec.filterColumn] : null;
    let shown = [];

    const head = table.tHead || table.createTHead();
    const headRow = head.insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.textContent = c.label;
      th.dataset.sort = c.key;
      th.scope = "col";
      headRow.appendChild(th);
    }
    const select = document.getElementById(spec.id + "-outcome");
    if (select && outcomeColumn) {
      for (const v of outcomeColumn.values) {
        const o = document.createElement("option");
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      }
    }

    function compute() {
      const text = state.text.toLowerCase();
      const outcome = outcomeColumn && state.outcome !== "" ? outcomeColumn.values.indexOf(state.outcome) : -1;
      if (text && !haystack) {
        haystack = new Array(n);
        for (let i = 0; i < n; i++) {
          haystack[i] = columns.map((c) => (c.kind === "digest" ? "sha256:" + rows[c.key][i] : display(c, i))).join(" ").toLowerCase();
        }
      }
      shown = [];
      for (let i = 0; i < n; i++) {
        if (outcome >= 0 && rows[outcomeColumn.key][i] !== outcome) continue;
        if (text && haystack[i].indexOf(text) < 0) continue;
        shown.push(i);
      }
      if (state.key) {
        const c = byKey[state.key], dir = state.dir;
        shown.sort((a, b) => {
          const x = sortValue(c, a), y = sortValue(c, b);
          if (x === null || x === undefined) return y === null || y === undefined ? a - b : 1;
          if (y === null || y === undefined) return -1;
          if (x < y) return -dir;
          if (x > y) return dir;
          return a - b;
        });
      }
    }

    function render() {
      const pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      const from = state.page * PAGE, to = Math.min(shown.length, from + PAGE);
      const fragment = document.createDocumentFragment();
      for (let k = from; k < to; k++) {
        const i = shown[k];
        const tr = document.createElement("tr");
        tr.dataset.row = String(i);
        for (const c of columns) {
          const v = rows[c.key][i];
          if (c.kind === "link") {
            const td = cell(tr, c.key, v >= 0 ? "" : "\u2014");
            if (v >= 0) {
              const a = document.createElement("a");
              a.href = "#" + c.links[v].anchor;
              a.textContent = c.links[v].label;
              a.title = c.links[v].source;
              td.appendChild(a);
            }
            continue;
          }
          if (c.kind === "digest") {
            const td = cell(tr, c.key, "sha256:" + v.slice(0, 12));
            td.title = "sha256:" + v;
            td.dataset.value = "sha256:" + v;
            continue;
          }
          const numeric = c.kind === "time" || c.kind === "bytes" || c.kind === "number";
          const td = cell(tr, c.key, display(c, i), numeric ? "num" : c.kind === "outcome" ? "o-" + c.values[v] : "");
          if (numeric) td.dataset.value = v === null ? "" : String(v);
          if (c.kind === "outcome") td.dataset.value = c.values[v];
        }
        fragment.appendChild(tr);
      }
      table.tBodies[0].replaceChildren(fragment);
      const noun = spec.noun || "rows";
      document.getElementById(spec.id + "-count").textContent = shown.length === n ? n.toLocaleString("en") + " " + noun
        : shown.length.toLocaleString("en") + " of " + n.toLocaleString("en") + " " + noun;
      document.getElementById(spec.id + "-page").textContent = shown.length ? "rows " + (from + 1) + "\u2013" + to + ", page " + (state.page + 1) + " of " + pages : "nothing matches";
      document.getElementById(spec.id + "-prev").disabled = state.page === 0;
      document.getElementById(spec.id + "-next").disabled = state.page >= pages - 1;
    }

    function update() { compute(); render(); }

    document.getElementById(spec.id + "-filter").addEventListener("input", (e) => { state.text = e.target.value; state.page = 0; update(); });
    if (select) select.addEventListener("change", (e) => { state.outcome = e.target.value; state.page = 0; update(); });
    document.getElementById(spec.id + "-prev").addEventListener("click", () => { state.page--; render(); });
    document.getElementById(spec.id + "-next").addEventListener("click", () => { state.page++; render(); });
    for (const th of headRow.cells) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort;
        state.dir = state.key === key ? -state.dir : 1;
        state.key = key;
        for (const other of headRow.cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        state.page = 0;
        update();
      });
    }
    update();
  }

  reportData()
    .then((data) => {
      for (const spec of (data && data.tables) || []) dataTable(spec);
      document.body.dataset.ready = "1";
    })
    .catch((err) => {
      console.error("regpol report: " + err);
      document.body.dataset.ready = "error";
    });
})();
