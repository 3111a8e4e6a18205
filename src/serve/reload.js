// nqsite serve: live reload and the build-error overlay. Injected by the dev
// server only (never written into the built site). No inline code, so a
// Content-Security-Policy of `script-src 'self'` still holds.
(function () {
  "use strict";
  var OVERLAY_ID = "nqsite-overlay";
  var seen = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function ensureStyle() {
    if (document.getElementById("nqsite-overlay-css")) return;
    var link = document.createElement("link");
    link.id = "nqsite-overlay-css";
    link.rel = "stylesheet";
    link.href = "/__nqsite/overlay.css";
    document.head.appendChild(link);
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  function showOverlay(status) {
    hideOverlay();
    ensureStyle();
    var box = el("div", "nqsite-overlay");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    var panel = el("div", "nqsite-panel");
    var close = el("button", "nqsite-close", "Đóng");
    close.type = "button";
    close.addEventListener("click", hideOverlay);
    panel.appendChild(close);
    panel.appendChild(el("h2", "nqsite-title", status.ok
      ? "Đã dựng trang, có " + status.errors.length + " cảnh báo"
      : "Dựng trang thất bại: " + status.errors.filter(function (e) { return e.severity !== "warning"; }).length + " lỗi"));
    panel.appendChild(el("p", "nqsite-note", status.ok
      ? "Trang đã được dựng; các mục dưới đây có thể bị mẫu giao diện bỏ qua. Sửa rồi lưu tệp, trang sẽ tự tải lại."
      : "Trang đang hiển thị là bản dựng tốt gần nhất. Sửa lỗi rồi lưu tệp, trang sẽ tự tải lại."));
    status.errors.forEach(function (e) {
      var item = el("section", "nqsite-error");
      item.appendChild(el("div", "nqsite-loc", e.location));
      item.appendChild(el("div", "nqsite-msg", (e.severity === "warning" ? "cảnh báo: " : "lỗi: ") + e.message));
      if (e.hint) item.appendChild(el("div", "nqsite-hint", "cách sửa: " + e.hint));
      if (e.source && e.source.length) {
        var pre = el("pre", "nqsite-source");
        e.source.forEach(function (l) {
          var line = el("span", l.mark ? "nqsite-line nqsite-mark" : "nqsite-line");
          line.appendChild(el("span", "nqsite-num", String(l.line)));
          line.appendChild(document.createTextNode(l.text + "\n"));
          pre.appendChild(line);
        });
        item.appendChild(pre);
      }
      panel.appendChild(item);
    });
    box.appendChild(panel);
    document.body.appendChild(box);
  }

  function apply(status) {
    if (status.errors.length === 0) hideOverlay(); else showOverlay(status);
  }

  function swapCss() {
    fetch(location.href, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelectorAll('link[rel="stylesheet"]');
      var current = document.querySelectorAll('link[rel="stylesheet"]:not(#nqsite-overlay-css)');
      if (fresh.length !== current.length) { location.reload(); return; }
      for (var i = 0; i < fresh.length; i++) {
        current[i].href = fresh[i].getAttribute("href");
      }
    }).catch(function () { location.reload(); });
  }

  function onMessage(ev) {
    var msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (seen === null) { seen = msg.version; apply(msg); return; }
    if (!msg.ok) { apply(msg); return; }
    if (msg.version === seen) { apply(msg); return; }
    seen = msg.version;
    if (msg.css_only) { hideOverlay(); swapCss(); } else { location.reload(); }
  }

  function start() {
    fetch("/__nqsite/status", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) { if (seen === null) seen = s.version; apply(s); })
      .catch(function () {});
    if (window.EventSource) {
      var es = new EventSource("/__nqsite/events");
      es.onmessage = onMessage;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
