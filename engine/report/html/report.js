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

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  // The image table of a plan: every image, filtered by text and outcome, sorted by a column,
  // shown a page at a time (a 50,000-image plan would be slow as one DOM table).
  function imageTable(data) {
    const im = data.images;
    const n = im.digest.length;
    const table = document.getElementById("image-table");
    const body = table.tBodies[0];
    const reasonText = (i) => { const r = data.reasons[im.reason[i]]; return r[0] + im.age[i] + r[1]; };
    let haystack = null;  // lower-case search text per image, built on the first filter
    const state = { text: "", action: "", key: null, dir: 1, page: 0 };
    let shown = [];

    const sortKeys = {
      repository: (i) => data.repositories[im.repository[i]],
      tags: (i) => im.tags[i],
      digest: (i) => im.digest[i],
      pushedAt: (i) => im.pushedAt[i],
      sizeBytes: (i) => im.sizeBytes[i],
      action: (i) => im.action[i],
      rule: (i) => im.rule[i],
    };

    function compute() {
      const text = state.text.toLowerCase();
      const action = state.action === "" ? -1 : data.actions.indexOf(state.action);
      if (text && !haystack) {
        haystack = new Array(n);
        for (let i = 0; i < n; i++) {
          haystack[i] = (data.repositories[im.repository[i]] + " " + im.tags[i] + " sha256:" + im.digest[i] + " " + reasonText(i)).toLowerCase();
        }
      }
      shown = [];
      for (let i = 0; i < n; i++) {
        if (action >= 0 && im.action[i] !== action) continue;
        if (text && haystack[i].indexOf(text) < 0) continue;
        shown.push(i);
      }
      if (state.key) {
        const key = sortKeys[state.key], dir = state.dir;
        shown.sort((a, b) => {
          const x = key(a), y = key(b);
          // Missing values (undated, unknown size) go last in either direction.
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
        tr.dataset.image = String(i);
        cell(tr, data.repositories[im.repository[i]]);
        cell(tr, im.tags[i] || "(untagged)");
        const digest = cell(tr, "sha256:" + im.digest[i].slice(0, 12));
        digest.title = "sha256:" + im.digest[i];
        const pushed = cell(tr, pushedText(im.pushedAt[i]), "num");
        pushed.dataset.value = im.pushedAt[i] === null ? "" : String(im.pushedAt[i]);
        const size = cell(tr, humanBytes(im.sizeBytes[i]), "num");
        size.dataset.value = im.sizeBytes[i] === null ? "" : String(im.sizeBytes[i]);
        const action = data.actions[im.action[i]];
        cell(tr, action, "o-" + action);
        const ruleCell = cell(tr, "");
        if (im.rule[i] >= 0) {
          const rule = data.rules[im.rule[i]];
          const a = document.createElement("a");
          a.href = "#" + rule.anchor;
          a.textContent = rule.label;
          a.title = rule.source;
          ruleCell.appendChild(a);
        } else {
          ruleCell.textContent = "\u2014";
        }
        cell(tr, reasonText(i));
        fragment.appendChild(tr);
      }
      body.replaceChildren(fragment);
      document.getElementById("count").textContent = shown.length === n ? n.toLocaleString("en") + " images"
        : shown.length.toLocaleString("en") + " of " + n.toLocaleString("en") + " images";
      document.getElementById("page").textContent = shown.length ? "rows " + (from + 1) + "\u2013" + to + ", page " + (state.page + 1) + " of " + pages : "no image matches";
      document.getElementById("prev").disabled = state.page === 0;
      document.getElementById("next").disabled = state.page >= pages - 1;
    }

    function update() { compute(); render(); }

    document.getElementById("filter").addEventListener("input", (e) => { state.text = e.target.value; state.page = 0; update(); });
    document.getElementById("action-filter").addEventListener("change", (e) => { state.action = e.target.value; state.page = 0; update(); });
    document.getElementById("prev").addEventListener("click", () => { state.page--; render(); });
    document.getElementById("next").addEventListener("click", () => { state.page++; render(); });
    for (const th of table.tHead.querySelectorAll("th[data-sort]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort;
        state.dir = state.key === key ? -state.dir : 1;
        state.key = key;
        for (const other of table.tHead.querySelectorAll("th[data-sort]")) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        state.page = 0;
        update();
      });
    }
    update();
  }

  reportData()
    .then((data) => {
      if (data && data.images && document.getElementById("image-table")) imageTable(data);
      document.body.dataset.ready = "1";
    })
    .catch((err) => {
      console.error("regpol report: " + err);
      document.body.dataset.ready = "error";
    });
})();
