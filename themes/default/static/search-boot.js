/* nqsite search loader: loads the search index and search.js only once the
   search box is used (or on the search page). No effect without a form. */
(function () {
  'use strict';
  var form = document.querySelector('form[data-search]');
  if (!form) return;
  var input = form.querySelector('input[name="q"]');
  var started = false;
  function start() {
    if (started) return;
    started = true;
    var root = new URL(document.documentElement.getAttribute('data-root') || '/', location.href);
    function load(path, then) {
      var s = document.createElement('script');
      s.src = new URL(path, root).href;
      s.async = false;
      if (then) s.onload = then;
      document.head.appendChild(s);
    }
    // The manifest (fixed name) names the content-hashed index and script.
    load(form.getAttribute('data-search'), function () {
      (window.nqSearchScripts || '').split(' ').forEach(function (path) {
        if (path) load(path);
      });
    });
  }
  ['focus', 'input', 'pointerdown'].forEach(function (type) {
    input.addEventListener(type, start);
  });
  if (document.querySelector('[data-search-results]')) start();
})();
