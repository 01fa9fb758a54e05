#!/usr/bin/env python3
"""Opens an HTML report of regpol (`plan` or `diff --format html`, --kind) in headless
Chromium (Debian's chromium and chromedriver, driven by Selenium; `runs`, `runs show` and
`audit` too) with JavaScript on, and
checks it against the JSON report of the same run. For a plan:

- the page finishes drawing (<body data-ready="1">), with no console error and no request
  for anything outside the file;
- the summary and every chart's SVG segments carry the JSON report's numbers (read back
  from the DOM: data-value of each segment);
- the image table lists every image, filters by text and by outcome, and sorts by size and
  push time in both directions;
- a screenshot of the whole page is kept (--screenshot).

For a diff: the summary, the old-against-new table and the chart of changes by repository
carry the JSON report's counts; the table lists every changed image, filters by the new
verdict and by text, and sorts by size.

--batch checks many pages in one browser (one Chromium start instead of one a page).

--measure prints the load time (navigation start to the load event, and to data-ready) as
JSON instead of checking, for bench/html_report.sh.
"""
import argparse
import collections
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--user-data-dir=" + os.environ["CHROME_PROFILE"]):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_ready(driver, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = driver.execute_script("return document.body ? document.body.dataset.ready || '' : ''")
        if state:
            return state
        time.sleep(0.05)
    return "timeout"


failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def chart_sums(driver, chart_id):
    """Per series, the sum of the chart's segment values; and per bar label, per series."""
    rows = driver.execute_script(
        """const svg = document.getElementById(arguments[0]);
           if (!svg) return null;
           return Array.from(svg.querySelectorAll('g.bar')).map(g => [g.dataset.label,
             Array.from(g.querySelectorAll('rect.seg')).map(r => [r.dataset.series, r.dataset.value]),
             (g.querySelector('a') || {}).getAttribute ? g.querySelector('a').getAttribute('href') : null]);""", chart_id)
    if rows is None:
        return None, None
    sums = collections.Counter()
    bars = []
    for label, segs, link in rows:
        per = collections.Counter()
        for series, value in segs:
            sums[series] += int(value)
            per[series] += int(value)
        bars.append((label, per, link))
    return sums, bars


def table_state(driver, table="image-table"):
    """The count line and the rows shown, each as {column key: data-value or text}."""
    return driver.execute_script(
        """const id = arguments[0];
           return {count: document.getElementById(id + '-count').textContent,
                   rows: Array.from(document.querySelectorAll('#' + id + ' tbody tr')).map(tr => {
                     const row = {};
                     for (const td of tr.cells) row[td.dataset.col] = td.dataset.value !== undefined ? td.dataset.value : td.textContent;
                     return row;
                   })};""", table)


def numbers(values):
    return [int(v) for v in values if v != ""]


def check_plan(driver, report):
    summary = report["summary"]
    images = report["images"]
    text = lambda el_id: driver.find_element(By.ID, el_id).text
    check(text("sum-images") == str(summary["images"]), "summary images %s == %s" % (text("sum-images"), summary["images"]))
    check(text("sum-expire") == str(summary["expire"]), "summary expire")
    check(text("sum-transition") == str(summary["transition"]), "summary transition")
    check(text("sum-keep").split(" ")[0] == str(summary["keep"]), "summary keep")

    # Charts against the JSON report.
    kept_series = ("keep", "protected", "untag")
    for chart, unit in (("chart-repository-bytes", "bytes"), ("chart-repository-images", "images"), ("chart-age", "images")):
        sums, _ = chart_sums(driver, chart)
        check(sums is not None, chart + " exists")
        if sums is None:
            continue
        if unit == "bytes":
            check(sums["expire"] == summary["bytesReclaimed"], "%s expired bytes %d == bytesReclaimed %d" % (chart, sums["expire"], summary["bytesReclaimed"]))
            check(sums["transition"] == summary["bytesTransitioned"], chart + " archived bytes == bytesTransitioned")
            total = sum(max(0, i["sizeBytes"] or 0) for i in images)
            check(sum(sums.values()) == total, "%s all bytes %d == summed sizes %d" % (chart, sum(sums.values()), total))
        else:
            check(sums["expire"] == summary["expire"], "%s expired %d == %d" % (chart, sums["expire"], summary["expire"]))
            check(sums["transition"] == summary["transition"], chart + " transition")
            check(sums["protected"] == summary["protected"], chart + " protected")
            check(sum(sums[s] for s in kept_series) == summary["keep"], chart + " kept (protected and untagged too) == keep")
            check(sum(sums.values()) == summary["images"], chart + " every image")
    sums, bars = chart_sums(driver, "chart-rules")
    by_source = collections.Counter()
    for i in images:
        if i.get("rule"):
            by_source[i["rule"]["source"]] += 1
    if bars is not None:
        drawn = collections.Counter()
        for label, per, link in bars:
            source = driver.find_element(By.CSS_SELECTOR, link + " code").text
            drawn[source] += sum(per.values())
        check(drawn == +by_source, "chart-rules per rule and protect clause == the JSON report's images by rule source: %s vs %s" % (dict(drawn), dict(by_source)))
    else:
        check(not by_source, "chart-rules exists when rules acted")
    markers = driver.execute_script("return Array.from(document.querySelectorAll('#chart-age g.marker')).map(g => g.dataset.label)")
    print("age thresholds marked: %s" % markers)

    # The table: every image, then a filter, an outcome, sorts.
    st = table_state(driver)
    check(st["count"] == "%s images" % format(len(images), ","), "table counts every image: %r" % st["count"])
    check(len(st["rows"]) == min(100, len(images)), "a page of rows")
    if images:
        target = next((i for i in images if i["action"] == "expire"), images[-1])
        hexdigits = target["digest"].split(":", 1)[1]
        box = driver.find_element(By.ID, "image-table-filter")
        box.send_keys(hexdigits)
        st = table_state(driver)
        check(st["rows"] and all(r["digest"] == target["digest"] for r in st["rows"]), "filtering by a digest shows that image")
        want = sum(1 for i in images if i["digest"] == target["digest"])  # the same image can be in several repositories
        check(len(st["rows"]) == want, "filter: %d rows, %d images have that digest" % (len(st["rows"]), want))
        driver.execute_script("const f = document.getElementById('image-table-filter'); f.value = ''; f.dispatchEvent(new Event('input'));")
        Select(driver.find_element(By.ID, "image-table-outcome")).select_by_value("expire")
        st = table_state(driver)
        check(all(r["action"] == "expire" for r in st["rows"]) and (bool(st["rows"]) or summary["expire"] == 0), "outcome filter shows only expired images")
        expected = "%s images" % format(summary["expire"], ",") if summary["expire"] == len(images) else \
            "%s of %s images" % (format(summary["expire"], ","), format(len(images), ","))
        check(st["count"] == expected, "outcome filter count %r == %r" % (st["count"], expected))
        # An untag image's reason says which tags go, in the text report's words.
        untagged = {(i["repository"], i["digest"]): i for i in images if i["action"] == "untag"}
        if untagged:
            Select(driver.find_element(By.ID, "image-table-outcome")).select_by_value("untag")
            rows = table_state(driver)["rows"]
            check(len(rows) == min(100, len(untagged)), "outcome filter shows the untag images")
            for r in rows:
                i = untagged.get((r["repository"], r["digest"]))
                want = i and i["reason"] + " (removes " + ", ".join(i["untagTags"]) + ("; then untagged)" if i["becomesUntagged"] else ")")
                check(r["reason"] == want, "an untag image's reason %r == %r" % (r["reason"], want))
        Select(driver.find_element(By.ID, "image-table-outcome")).select_by_value("")
        for column, key in (("sizeBytes", "sizeBytes"), ("pushedAt", "pushedAt")):
            header = driver.find_element(By.CSS_SELECTOR, "#image-table th[data-sort='%s']" % column)
            header.click()
            up = numbers(r[key] for r in table_state(driver)["rows"])
            check(up == sorted(up), "sorted by %s, ascending" % column)
            check(header.get_attribute("aria-sort") == "ascending", column + " header says ascending")
            header.click()
            down = numbers(r[key] for r in table_state(driver)["rows"])
            check(down == sorted(down, reverse=True), "sorted by %s, descending" % column)
            all_values = [i["sizeBytes"] if column == "sizeBytes" else i["pushedAt"] for i in images]
            if down and column == "sizeBytes":
                check(down[0] == max(v for v in all_values if v is not None), "the largest image comes first")
        if len(images) > 100:
            driver.find_element(By.ID, "image-table-next").click()
            check(len(table_state(driver)["rows"]) == min(100, len(images) - 100), "the next page")
    return len(images)


def check_diff(driver, report):
    summary = report["summary"]
    text = lambda el_id: driver.find_element(By.ID, el_id).text
    for el_id, key in (("sum-images", "images"), ("sum-changed", "changed"), ("sum-to-expire", "toExpire"), ("sum-to-keep", "toKeep"),
                       ("sum-to-transition", "toTransition"), ("sum-to-untag", "toUntag")):
        check(text(el_id) == str(summary[key]), "summary %s: %s == %s" % (key, text(el_id), summary[key]))
    images = report["images"]
    if images:
        cells = driver.execute_script("return Array.from(document.querySelectorAll('#matrix td')).map(td => [td.dataset.old, td.dataset.new, td.dataset.value])")
        want = collections.Counter((i["old"]["action"], i["new"]["action"]) for i in images)
        got = collections.Counter({(o, n): int(v) for o, n, v in cells if int(v)})
        check(got == want, "old-against-new table == the JSON report's pairs: %s vs %s" % (dict(got), dict(want)))
        sums, bars = chart_sums(driver, "chart-diff-repositories")
        check(sums is not None, "the chart of changes by repository exists")
        if sums is not None:
            for series, key in (("expire", "toExpire"), ("keep", "toKeep"), ("transition", "toTransition"), ("untag", "toUntag")):
                check(sums[series] == summary[key], "chart %s %d == %s %d" % (series, sums[series], key, summary[key]))
            per_repo = {r["repository"]: r["changed"] for r in report["repositories"]}
            for label, per, _ in bars:
                if label in per_repo:
                    check(sum(per.values()) == per_repo[label], "chart bar %s == its repository's changes" % label)
    st = table_state(driver, "change-table")
    noun = "changed images"
    check(st["count"] == "%s %s" % (format(len(images), ","), noun), "the table counts every change: %r" % st["count"])
    check(len(st["rows"]) == min(100, len(images)), "a page of rows")
    if images:
        Select(driver.find_element(By.ID, "change-table-outcome")).select_by_value("expire")
        st = table_state(driver, "change-table")
        check(all(r["new"] == "expire" for r in st["rows"]), "the outcome filter shows only images that now expire")
        want = summary["toExpire"]
        expected = "%s %s" % (format(want, ","), noun) if want == len(images) else "%s of %s %s" % (format(want, ","), format(len(images), ","), noun)
        check(st["count"] == expected, "filtered count %r == %r" % (st["count"], expected))
        Select(driver.find_element(By.ID, "change-table-outcome")).select_by_value("")
        target = images[len(images) // 2]
        box = driver.find_element(By.ID, "change-table-filter")
        box.send_keys(target["digest"].split(":", 1)[1])
        st = table_state(driver, "change-table")
        same = sum(1 for i in images if i["digest"] == target["digest"])
        check(len(st["rows"]) == same and all(r["digest"] == target["digest"] for r in st["rows"]), "filtering by a digest shows that image")
        driver.execute_script("const f = document.getElementById('change-table-filter'); f.value = ''; f.dispatchEvent(new Event('input'));")
        header = driver.find_element(By.CSS_SELECTOR, "#change-table th[data-sort='sizeBytes']")
        header.click()
        header.click()
        down = numbers(r["sizeBytes"] for r in table_state(driver, "change-table")["rows"])
        check(down == sorted(down, reverse=True), "sorted by size, descending")
        if down:
            check(down[0] == max(i["sizeBytes"] for i in images if i["sizeBytes"] is not None), "the largest changed image comes first")
    return len(images)


def check_table(driver, table, rows, noun, filter_column=None, filter_value=None, want_filtered=None, sort_column=None):
    """A data table: it counts every row, filters by its outcome column, sorts a numeric column."""
    st = table_state(driver, table)
    check(st["count"] == "%s %s" % (format(rows, ","), noun), "%s counts every row: %r" % (table, st["count"]))
    check(len(st["rows"]) == min(100, rows), "%s shows a page" % table)
    if filter_column and rows:
        Select(driver.find_element(By.ID, table + "-outcome")).select_by_value(filter_value)
        st = table_state(driver, table)
        check(all(r[filter_column] == filter_value for r in st["rows"]), "%s: the outcome filter shows only %s" % (table, filter_value))
        expected = "%s %s" % (format(want_filtered, ","), noun) if want_filtered == rows else \
            "%s of %s %s" % (format(want_filtered, ","), format(rows, ","), noun)
        check(st["count"] == expected, "%s filtered count %r == %r" % (table, st["count"], expected))
        Select(driver.find_element(By.ID, table + "-outcome")).select_by_value("")
    if sort_column and rows:
        header = driver.find_element(By.CSS_SELECTOR, "#%s th[data-sort='%s']" % (table, sort_column))
        header.click()
        up = numbers(r[sort_column] for r in table_state(driver, table)["rows"])
        check(up == sorted(up), "%s sorted by %s, ascending" % (table, sort_column))
        header.click()
        down = numbers(r[sort_column] for r in table_state(driver, table)["rows"])
        check(down == sorted(down, reverse=True), "%s sorted by %s, descending" % (table, sort_column))


def check_runs(driver, report):
    runs = report["runs"]
    text = lambda el_id: driver.find_element(By.ID, el_id).text
    check(text("sum-runs") == str(len(runs)), "summary: runs")
    check(text("sum-deleted") == str(sum(r["counts"]["deleted"] for r in runs)), "summary: deleted")
    newest = sorted(runs, key=lambda r: r["id"])[-60:]
    sums, bars = chart_sums(driver, "chart-runs-bytes")
    check(sums is not None and sums["expire"] == sum(r["counts"]["bytesDeleted"] for r in newest), "the bytes chart == bytesDeleted of the runs")
    if bars is not None:
        check([b[0] for b in bars] == ["#%d" % r["id"] for r in newest], "one bar a run, oldest first")
    sums, _ = chart_sums(driver, "chart-runs-images")
    check(sums is not None and sums["expire"] == sum(r["counts"]["deleted"] for r in newest) and
          sums["transition"] == sum(r["counts"]["transitioned"] for r in newest), "the images chart == deleted and transitioned of the runs")
    finished = sum(1 for r in runs if r["status"] == "finished")
    check_table(driver, "run-table", len(runs), "runs", "status", "finished", finished, "bytesDeleted")
    return len(runs)


def check_run(driver, report):
    counts = report["counts"]
    text = lambda el_id: driver.find_element(By.ID, el_id).text
    check(text("status") == report["status"], "the run's status")
    check(text("sum-planned") == str(counts["planned"]), "summary: planned")
    check(text("sum-deleted").split(" ")[0] == str(counts["deleted"]), "summary: deleted")
    # The storage freed: shown when the run's snapshot knew blobs (an OCI pull), never made up.
    check(bool(driver.find_elements(By.ID, "sum-bytes-freed")) == (counts["bytesFreed"] is not None), "a 'freed in storage' row iff bytesFreed is known")
    sums, bars = chart_sums(driver, "chart-run-repositories")
    if report["byRepository"]:
        check(sums is not None and sums["expire"] == counts["deleted"] and sums["transition"] == counts["transitioned"],
              "the repositories chart == the run's deleted and transitioned")
    actions = report["actions"]
    done = sum(1 for a in actions if a["status"] == "done")
    check_table(driver, "action-table", len(actions), "actions", "status", "done", done, "sizeBytes")
    audit = report["audit"]
    started = sum(1 for e in audit if e["event"] == "run-started")
    check_table(driver, "audit-table", len(audit), "entries", "event", "run-started", started)
    return len(actions)


def check_audit(driver, report):
    text = lambda el_id: driver.find_element(By.ID, el_id).text
    check(text("sum-repositories") == str(report["repositories"]), "summary: repositories")
    check(text("sum-errors") == str(report["errors"]) and text("sum-warnings") == str(report["warnings"]), "summary: errors and warnings")
    findings = report["findings"]
    if findings:
        sums, bars = chart_sums(driver, "chart-audit-checks")
        check(sums is not None and sums["expire"] == report["errors"] and sums["transition"] == report["warnings"], "findings by check == errors and warnings")
        by_code = collections.Counter(f["code"] for f in findings)
        if bars is not None:
            check({b[0].split(" ")[0]: sum(b[1].values()) for b in bars} == dict(by_code), "one bar a check with its findings")
        sums, _ = chart_sums(driver, "chart-audit-repositories")
        check(sums is not None and sums["expire"] == report["errors"] and sums["transition"] == report["warnings"], "findings by repository == errors and warnings")
    check_table(driver, "finding-table", len(findings), "findings", "severity", "error", report["errors"])
    return len(findings)


def check_hostile(driver, report):
    """A plan whose rule description tries to close the script and run its own: it shows as
    text, the title stays, no element it spells exists."""
    items = check_plan(driver, report)
    shown = driver.execute_script("return document.getElementById('rules').textContent")
    check(driver.title == "regpol plan", "the page's title is its own: %r" % driver.title)
    check("</script><script>document.title='pwned'</script>" in shown, "the hostile description shows literally")
    check(not driver.find_elements(By.CSS_SELECTOR, "img"), "no <img> from the description")
    return items


CHECKS = {"plan": check_plan, "diff": check_diff, "runs": check_runs, "run": check_run, "audit": check_audit, "hostile": check_hostile}
NOUNS = {"plan": "images", "diff": "changed images", "runs": "runs", "run": "actions", "audit": "findings", "hostile": "images"}


def check_page(driver, kind, html, report_json, screenshot):
    """Opens one page and checks it; returns the number of items (images, runs…) checked."""
    driver.set_window_size(1280, 1600)
    driver.get_log("browser")  # what earlier pages logged
    driver.get("file://" + os.path.abspath(html))
    state = wait_ready(driver)
    check(state == "1", "the page finished drawing (data-ready=%r)" % state)
    logs = driver.get_log("browser")
    errors = [entry["message"] for entry in logs if entry["level"] in ("SEVERE", "ERROR")]
    check(not errors, "no console error: %s" % errors)
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    check(not resources, "the page requests nothing: %s" % resources)
    report = json.load(open(report_json))
    items = CHECKS[kind](driver, report)
    driver.execute_script("window.scrollTo(0, 0)")
    if screenshot:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(height, 800), 8000))
        driver.save_screenshot(screenshot)
        check(os.path.getsize(screenshot) > 0, "a screenshot")
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--html")
    ap.add_argument("--kind", choices=sorted(CHECKS), default="plan")
    ap.add_argument("--json", help="the JSON report of the same plan")
    ap.add_argument("--screenshot")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--batch", help="a file of pages, one a line: NAME KIND HTML JSON SCREENSHOT (tab-separated), "
                                    "checked in one browser; prints 'ok NAME' or 'FAIL NAME: …' for each")
    args = ap.parse_args()

    driver = browser()
    try:
        if args.measure:
            start = time.time()
            driver.get("file://" + os.path.abspath(args.html))
            state = wait_ready(driver)
            timing = driver.execute_script(
                "const t = performance.getEntriesByType('navigation')[0]; return {load: t.loadEventEnd, dom: t.domContentLoadedEventEnd};")
            ready_ms = (time.time() - start) * 1000
            print(json.dumps({"loadEventMs": round(timing["load"], 1), "domContentLoadedMs": round(timing["dom"], 1),
                              "readyMs": round(ready_ms, 1), "ready": state, "bytes": os.path.getsize(args.html)}))
            return 0 if state == "1" else 1
        pages = []
        if args.batch:
            for line in open(args.batch):
                if line.strip():
                    pages.append(line.rstrip("\n").split("\t"))
        else:
            pages.append([os.path.basename(args.html), args.kind, args.html, args.json, args.screenshot or ""])
        bad_pages = 0
        for name, kind, html, report_json, screenshot in pages:
            del failures[:]
            try:
                items = check_page(driver, kind, html, report_json, screenshot)
            except Exception as e:  # one page's failure must not hide the others'
                check(False, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
                items = 0
            if failures:
                bad_pages += 1
                print("FAIL %s: %s" % (name, "; ".join(failures[:5])))
            else:
                print("ok %s (%d %s)" % (name, items, NOUNS[kind]))
            sys.stdout.flush()
    finally:
        driver.quit()
    return 1 if bad_pages else 0


if __name__ == "__main__":
    sys.exit(main())
