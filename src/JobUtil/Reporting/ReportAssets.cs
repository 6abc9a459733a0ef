namespace JobUtil.Reporting;

/// <summary>
/// The report's style sheet and its one script. Both are constants: no data is ever written into them, so the page's
/// Content-Security-Policy can allow exactly these two texts by hash.
/// </summary>
internal static class ReportAssets
{
    public const string Style = """
:root { color-scheme: light; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 0; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.meta { color: #555; margin: 0 0 .5rem; }
.zone { font-size: .9rem; }
table.health { border-collapse: collapse; width: 100%; max-width: 90rem; }
.health th, .health td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
.health thead th { border-bottom: 2px solid #999; }
.health td.state { white-space: nowrap; font-weight: 600; border-left: .45rem solid var(--c); }
.health .icon { display: inline-block; width: 1.1em; color: var(--c); }
.health-healthy { --c: #009e73; }
.health-late, .health-running-too-long { --c: #e69f00; }
.health-failing { --c: #d55e00; }
.health-never-succeeded, .health-never-ran { --c: #cc79a7; }
.health-stale, .health-unknown, .health-other { --c: #8a8a8a; }
.health a { color: inherit; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; padding: 0; margin: 0 0 .75rem; font-size: .9rem; }
.legend .look { color: #555; }
.swatch { vertical-align: middle; }
.timeline { min-width: 60rem; position: relative; z-index: 0; }
.timeline > .grid { position: absolute; z-index: -1; top: 0; bottom: 0; left: calc(16rem + .75rem); right: calc(16rem + 1.5rem); }
.timeline > .grid svg { display: block; width: 100%; height: 100%; }
.timeline > .grid line { stroke: #e6e6e6; }
.lane { display: grid; grid-template-columns: 16rem minmax(20rem, 1fr) 8rem 8rem; gap: .75rem; align-items: center; border-bottom: 1px solid #eee; padding: .2rem 0; }
.lane.axis { border-bottom: 2px solid #999; font-weight: 600; font-size: .85rem; }
.lane:target { background: #fff6cc; }
.name { min-width: 0; }
.job { display: block; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.route { display: block; color: #666; font-size: .8rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
svg.track { display: block; width: 100%; height: 24px; overflow: visible; }
.axis svg.track { height: 20px; }
.axis text { font-size: 11px; font-weight: 400; fill: #333; }
.tick { stroke: #999; }
.bar { y: 7px; height: 14px; rx: 2px; cursor: pointer; }
.bar:focus { outline: none; }
.bar:hover, .bar:focus { stroke: #000; stroke-width: 2px; }
.s-success { fill: #009e73; }
.s-error { fill: url(#hatch-error); }
.s-running { fill: url(#stripe-running); }
.s-other { fill: url(#dots-other); }
.mark { pointer-events: none; }
.s-error-mark { fill: #d55e00; }
.s-running-mark { fill: #004c78; }
.spark { min-width: 0; }
.spark svg { display: block; width: 100%; height: 24px; }
.spark polyline { fill: none; stroke: #0072b2; stroke-width: 1.5px; }
.spark .last { display: block; font-size: .7rem; line-height: 1.2; color: #555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#tip { position: absolute; z-index: 10; max-width: 28rem; background: #1b1b1b; color: #fff; padding: .5rem .7rem; border-radius: 4px; font-size: .85rem; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
#tip dl { display: grid; grid-template-columns: auto 1fr; gap: .1rem .6rem; margin: .3rem 0 0; }
#tip dt { color: #bbb; }
#tip dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
#tip .head { font-weight: 600; }
""";

    public const string Script = """
"use strict";
(function () {
  var tip = document.getElementById("tip");
  var local = document.getElementById("local-time");
  var current = null;
  var details = null;
  var full = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // An axis label in local time: the date at local midnight, the time of day otherwise (both for whole-day steps).
  function tick(date, format) {
    var time = pad(date.getHours()) + ":" + pad(date.getMinutes());
    if (format === "second") { return time + ":" + pad(date.getSeconds()); }
    var day = date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
    if (time === "00:00") { return day; }
    return format === "day" ? day + " " + time : time;
  }

  function when(iso, format) {
    if (!iso) { return ""; }
    if (!local.checked) { return iso.replace("T", " ").replace("Z", " UTC"); }
    return format === "full" ? new Date(iso).toLocaleString(undefined, full) : tick(new Date(iso), format);
  }

  function showTimes() {
    var items = document.querySelectorAll("[data-utc]");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (!item.hasAttribute("data-utc-text")) { item.setAttribute("data-utc-text", item.textContent); }
      item.textContent = local.checked ? when(item.getAttribute("data-utc"), item.getAttribute("data-fmt")) : item.getAttribute("data-utc-text");
    }
  }

  function row(list, term, value) {
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  // [start, end or null, duration, records, message or null] by run id; read once, when first needed.
  function detailsOf(id) {
    if (!details) { details = JSON.parse(document.getElementById("run-details").textContent); }
    return details[id];
  }

  function show(bar) {
    var id = bar.getAttribute("data-run-id");
    var status = bar.getAttribute("data-status");
    var d = detailsOf(id);
    var head = document.createElement("div");
    var list = document.createElement("dl");
    head.className = "head";
    head.textContent = "Run " + id + " \u2014 " + status;
    row(list, "Start", when(d[0], "full"));
    row(list, "End", d[1] ? when(d[1], "full") : "in progress");
    row(list, "Duration", d[2]);
    row(list, "Records", d[3]);
    if (d[4]) { row(list, "Message", d[4]); }
    tip.replaceChildren(head, list);
    tip.hidden = false;
    var box = bar.getBoundingClientRect();
    var left = Math.min(box.left + window.scrollX, document.documentElement.scrollWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(0, left) + "px";
    tip.style.top = (box.bottom + window.scrollY + 6) + "px";
    if (current && current !== bar) { current.removeAttribute("aria-describedby"); }
    bar.setAttribute("aria-label", "Run " + id + ", " + status);
    bar.setAttribute("aria-describedby", "tip");
    current = bar;
  }

  function hide() {
    tip.hidden = true;
    if (current) { current.removeAttribute("aria-describedby"); }
    current = null;
  }

  function barOf(event) {
    var t = event.target;
    return t && t.closest ? t.closest("[data-run-id]") : null;
  }

  function step(bar, direction) {
    var next = bar[direction];
    while (next && !next.hasAttribute("data-run-id")) { next = next[direction]; }
    return next;
  }

  document.addEventListener("mouseover", function (e) { var bar = barOf(e); if (bar) { show(bar); } });
  document.addEventListener("mouseout", function (e) { var bar = barOf(e); if (bar && bar !== document.activeElement) { hide(); } });
  document.addEventListener("focusin", function (e) { var bar = barOf(e); if (bar) { show(bar); } });
  document.addEventListener("focusout", function (e) { if (barOf(e)) { hide(); } });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { hide(); return; }
    var bar = barOf(e);
    if (bar && (e.key === "ArrowRight" || e.key === "ArrowLeft")) {
      var next = step(bar, e.key === "ArrowRight" ? "nextElementSibling" : "previousElementSibling");
      if (next) { next.focus(); e.preventDefault(); }
    }
  });
  local.addEventListener("change", function () { showTimes(); if (current) { show(current); } });
})();
""";
}
