/* nqsite search: Vietnamese search over the static index written at build
   time (search/index.*.js sets nqSearchIndex, search/text.*.js nqSearchText).
   Syllables match on their ASCII fold, exact spellings rank first, title and
   headings weigh more than body text, adjacent syllables score as phrases.
   The ranking functions are pure and also load in Node (module.exports). */
(function (root, make) {
  'use strict';
  var api = make();
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.nqSearch = api;
  if (typeof document !== 'undefined' && root.nqSearchIndex) api.ui(document, root);
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var MARKS = /\p{M}/gu;
  /* Weights: a match in the title adds TITLE × idf once (not saturated by
     long bodies); headings count HEADING times body text; a phrase (two
     query syllables side by side) adds up to PHRASE × idf, in the title more. */
  var TITLE = 2, HEADING = 3, BODY = 1, PHRASE = 3;
  var SHOWN = 20, WINDOW = 26;

  /* Lower case ASCII fold of a lower-case syllable: tones, marks, đ. */
  function fold(s) {
    return s.normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd');
  }

  /* Syllables of text with their offsets, exact (lower case, NFC) and folded forms. */
  function tokens(text) {
    var out = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      var exact = m[0].toLowerCase().normalize('NFC');
      out.push({ exact: exact, folded: fold(exact), start: m.index, end: m.index + m[0].length });
    }
    return out;
  }

  function b36(s) { return parseInt(s, 36); }

  /* Prepares an index for searching: files each page's token ids under the
     folded form of their vocabulary entry, giving positional postings. */
  function load(ix) {
    var terms = new Map(), total = 0;
    var forms = ix.vocab.split(' ').map(function (w) {
      var f = { form: w, list: new Map(), count: 0 }, key = fold(w), group = terms.get(key);
      if (!group) terms.set(key, (group = []));
      group.push(f);
      return f;
    });
    var pages = ix.pages.map(function (p, i) {
      var titleLen = p[3] - 1;
      if (p[6]) p[6].split(' ').forEach(function (id, k) {
        var f = forms[b36(id)], at = f.list.get(i);
        if (!at) f.list.set(i, (at = []));
        at.push(k < titleLen ? k : k + 1);
        f.count++;
      });
      total += p[4];
      var heads = p[5] ? p[5].split(',').map(function (r) { return r.split('-').map(Number); }) : [];
      return { title: p[0], href: p[1], type: p[2], body: p[3], len: p[4], heads: heads };
    });
    return { terms: terms, pages: pages, types: ix.types, t: ix.t || {}, avg: total / Math.max(pages.length, 1) || 1 };
  }

  function weightAt(page, pos) {
    if (pos < page.body) return 0;
    var k = pos - page.body;
    for (var i = 0; i < page.heads.length; i++) {
      if (k >= page.heads[i][0] && k < page.heads[i][1]) return HEADING;
    }
    return BODY;
  }

  /* The forms a query syllable matches and how much each counts. Typed with
     diacritics: its exact spelling 1, other spellings 0.3. Typed without:
     every spelling, the likelier ones more (see `prefer`). The last syllable
     also matches as a prefix when nothing matches whole (search as you type). */
  function matches(db, q, last) {
    var forms = db.terms.get(q.folded), out = [];
    if (forms) {
      var all = 0;
      forms.forEach(function (f) { all += f.count; });
      forms.forEach(function (f) {
        out.push(q.exact !== q.folded ? [f, f.form === q.exact ? 1 : 0.3] : [f, f.count / all, true]);
      });
    } else if (last && q.folded.length > 1) {
      db.terms.forEach(function (fs, key) {
        if (key.lastIndexOf(q.folded, 0) === 0) fs.forEach(function (f) { out.push([f, 0.25]); });
      });
    }
    return out;
  }

  /* How often form A is directly followed by form B in the corpus. */
  function adjacent(a, b) {
    var n = 0;
    a.list.forEach(function (list, page) {
      var other = b.list.get(page);
      if (other) list.forEach(function (pos) { if (other.indexOf(pos + 1) >= 0) n++; });
    });
    return n;
  }

  /* Weights the spellings of syllables typed without diacritics: by how
     often each spelling stands next to the neighbouring query syllables
     ("doi moi": "đổi mới" is common, "dời mới" never occurs), else by how
     common the spelling is (the share computed in `matches`). */
  function prefer(cands) {
    cands.forEach(function (ms, i) {
      var pairs = ms.map(function (m) {
        var n = 0;
        if (cands[i - 1]) cands[i - 1].forEach(function (o) { n += adjacent(o[0], m[0]); });
        if (cands[i + 1]) cands[i + 1].forEach(function (o) { n += adjacent(m[0], o[0]); });
        return n;
      });
      var total = pairs.reduce(function (x, y) { return x + y; }, 0);
      ms.forEach(function (m, k) {
        if (m[2]) m[1] = 0.25 + 0.75 * (total ? pairs[k] / total : m[1]);
      });
    });
  }

  /* Occurrences of a query syllable: Map page → Map position → weight. */
  function occurrences(ms) {
    var by = new Map();
    ms.forEach(function (m) {
      m[0].list.forEach(function (list, page) {
        var at = by.get(page);
        if (!at) by.set(page, (at = new Map()));
        list.forEach(function (pos) { at.set(pos, Math.max(at.get(pos) || 0, m[1])); });
      });
    });
    return by;
  }

  /* Ranks pages for a query: [{page, score, marks: Set of positions}], best first. */
  function search(db, query) {
    var q = tokens(String(query || '').normalize('NFC'));
    var n = db.pages.length, scores = new Map();
    var cands = q.map(function (t, i) { return matches(db, t, i === q.length - 1); });
    prefer(cands);
    var occ = cands.map(occurrences);
    var idf = occ.map(function (o) { return Math.log(1 + (n - o.size + 0.5) / (o.size + 0.5)); });
    occ.forEach(function (o, i) {
      o.forEach(function (at, p) {
        var page = db.pages[p], tf = 0, r = scores.get(p);
        if (!r) scores.set(p, (r = { page: p, score: 0, terms: 0, marks: new Set() }));
        var title = 0;
        at.forEach(function (w, pos) {
          if (pos < page.body) title = Math.max(title, w);
          else tf += w * weightAt(page, pos);
          r.marks.add(pos);
        });
        var k = 1.2 * (0.25 + 0.75 * page.len / db.avg);
        r.score += idf[i] * (tf * 2.2 / (tf + k) + TITLE * title);
        r.terms++;
      });
    });
    for (var i = 0; i + 1 < q.length; i++) phrase(db, occ[i], occ[i + 1], (idf[i] + idf[i + 1]) / 2, scores);
    var wanted = occ.filter(function (o) { return o.size > 0; }).length;
    var list = Array.from(scores.values());
    var full = list.filter(function (r) { return r.terms >= wanted; });
    if (full.length) list = full;
    else list.forEach(function (r) { r.score *= r.terms / wanted; });
    return list.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
  }

  /* Adds a bonus where syllable B directly follows syllable A. */
  function phrase(db, a, b, idf, scores) {
    a.forEach(function (atA, p) {
      var atB = b.get(p), sum = 0, title = 0, page = db.pages[p];
      if (!atB) return;
      atA.forEach(function (w, pos) {
        var w2 = atB.get(pos + 1);
        if (!w2) return;
        if (pos < page.body) title = Math.max(title, w * w2);
        else sum += w * w2 * weightAt(page, pos);
      });
      scores.get(p).score += idf * (PHRASE * sum / (sum + 1) + TITLE * title);
    });
  }

  /* Cuts text into [{text, mark}] parts: the `size` syllables around the
     most marked ones (body positions `offset + k`), marks in original spelling. */
  function excerpt(text, marks, offset, size) {
    var toks = tokens(text || ''), best = 0, bestAt = 0, hits = [];
    size = size || WINDOW;
    toks.forEach(function (t, k) { hits.push(marks.has(offset + k) ? 1 : 0); });
    for (var k = 0, run = 0; k < toks.length; k++) {
      run += hits[k] - (k >= size ? hits[k - size] : 0);
      if (run > best) { best = run; bestAt = Math.max(0, k - size + 1); }
    }
    if (best) bestAt = Math.max(0, Math.min(bestAt - 3, toks.length - size));
    var end = Math.min(toks.length, bestAt + size);
    if (!toks.length) return [];
    var from = bestAt ? toks[bestAt].start : 0, to = end < toks.length ? toks[end - 1].end : text.length;
    var parts = bestAt ? [{ text: '…' }] : [];
    for (k = bestAt; k < end; k++) {
      if (!hits[k]) continue;
      if (toks[k].start > from) parts.push({ text: text.slice(from, toks[k].start) });
      parts.push({ text: text.slice(toks[k].start, toks[k].end), mark: true });
      from = toks[k].end;
    }
    if (to > from) parts.push({ text: text.slice(from, to) });
    if (end < toks.length) parts.push({ text: '…' });
    return parts;
  }

  /* ---- Browser: the results panel under the search box. ---- */

  function el(doc, tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function fill(doc, node, parts) {
    parts.forEach(function (p) { node.appendChild(p.mark ? el(doc, 'mark', '', p.text) : doc.createTextNode(p.text)); });
    return node;
  }

  function ui(doc, win) {
    var form = doc.querySelector('form[data-search]');
    if (!form || form.nqSearch) return;
    form.nqSearch = true;
    var db = load(win.nqSearchIndex), t = db.t, texts = win.nqSearchText || [];
    var input = form.querySelector('input[name="q"]');
    var rootAttr = doc.documentElement.getAttribute('data-root') || '/';
    var portable = rootAttr.charAt(0) !== '/' || win.location.protocol === 'file:';
    var panel = doc.querySelector('[data-search-results]'), onPage = !!panel;
    if (!panel) {
      panel = el(doc, 'section', 'search-results search-panel');
      panel.setAttribute('aria-label', t.search_results || '');
      panel.hidden = true;
      form.closest('header').insertAdjacentElement('afterend', panel);
    }
    var nojs = doc.querySelector('[data-search-nojs]');
    if (nojs) nojs.hidden = true;
    var status = el(doc, 'p', 'search-status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var filters = el(doc, 'div', 'search-filters');
    filters.setAttribute('role', 'group');
    filters.setAttribute('aria-label', t.search_filter || '');
    var list = el(doc, 'ol', 'search-list');
    var more = el(doc, 'button', 'search-more', t.search_more);
    more.type = 'button';
    panel.append(status, filters, list, more);
    var state = { query: '', results: [], type: -1, shown: SHOWN };

    function say(key, n) {
      return (t[key] || '').replace('{n}', n).replace('{q}', state.query);
    }
    function href(p) {
      return rootAttr + p.href + (portable && (p.href === '' || /\/$/.test(p.href)) ? 'index.html' : '');
    }
    function item(r) {
      var p = db.pages[r.page], li = el(doc, 'li');
      var a = el(doc, 'a');
      a.href = href(p);
      fill(doc, a, excerpt(p.title, r.marks, 0, 400));
      var label = el(doc, 'span', 'search-type', db.types[p.type]);
      var ex = fill(doc, el(doc, 'p', 'search-excerpt'), excerpt(texts[r.page], r.marks, p.body));
      li.append(a, ' ', label, ex);
      return li;
    }
    function render() {
      var shown = state.results.filter(function (r) { return state.type < 0 || db.pages[r.page].type === state.type; });
      list.textContent = '';
      shown.slice(0, state.shown).forEach(function (r) { list.appendChild(item(r)); });
      more.hidden = shown.length <= state.shown;
      status.textContent = state.query ? say(shown.length ? 'search_count' : 'search_none', shown.length) : '';
    }
    function filterButtons() {
      filters.textContent = '';
      var counts = db.types.map(function () { return 0; });
      state.results.forEach(function (r) { counts[db.pages[r.page].type]++; });
      if (!state.results.length) return;
      [-1].concat(db.types.map(function (_, i) { return i; })).forEach(function (i) {
        var n = i < 0 ? state.results.length : counts[i];
        if (!n) return;
        var b = el(doc, 'button', '', (i < 0 ? t.search_all : db.types[i]) + ' (' + n + ')');
        b.type = 'button';
        b.setAttribute('aria-pressed', String(i === state.type));
        b.addEventListener('click', function () {
          state.type = i;
          state.shown = SHOWN;
          filters.querySelectorAll('button').forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
          render();
        });
        filters.appendChild(b);
      });
    }
    function run() {
      state.query = input.value.trim();
      state.results = state.query ? search(db, state.query) : [];
      state.type = -1;
      state.shown = SHOWN;
      filterButtons();
      render();
      panel.hidden = !state.query && !onPage;
      if (onPage) {
        try { win.history.replaceState(null, '', '?q=' + encodeURIComponent(state.query)); } catch (e) { /* file:// */ }
      }
    }
    var timer;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !onPage) { panel.hidden = true; }
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      run();
      var first = list.querySelector('a');
      if (first) first.focus();
    });
    more.addEventListener('click', function () { state.shown += SHOWN; render(); });
    if (onPage && !input.value) input.value = new URLSearchParams(win.location.search).get('q') || '';
    if (input.value.trim() || onPage) run();
  }

  return { fold: fold, tokens: tokens, load: load, search: search, excerpt: excerpt, ui: ui };
});
