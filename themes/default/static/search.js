/* nqsite search: Vietnamese search over the static index written at build
   time. search/meta.*.js (window.nqSearchMeta) names the shards; term
   shards (search/t.*.js) hold the postings of a run of keys, doc shards
   (search/d.*.js) the title, path and text of a run of pages; both call
   nqSearch.add() and are loaded as script elements only when a query needs
   them (so search also works from file:// and under a strict CSP).
   Syllables match on their ASCII fold, exact spellings rank first, a title
   match counts apart, pairs of adjacent syllables score phrases, synonyms
   and abbreviations apply both ways, question words are weak.
   The ranking functions are pure and also load in Node (module.exports);
   the tokenizer must cut text exactly as src/search/analyze.rs does. */
(function (root, make) {
  'use strict';
  var api = make();
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.nqSearch = api;
  if (typeof document !== 'undefined' && root.nqSearchMeta) api.ui(document, root);
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+|%/gu;
  var MARKS = /\p{M}/gu, TONES = /[\u0300\u0301\u0303\u0309\u0323]/g, TONED = /[\u0300\u0301\u0303\u0309\u0323]/;
  var BREAK = /[.,;:!?…()[\]{}\n]/, LOWER = /\p{Lowercase}/u, LETTER = /\p{Alphabetic}/gu;
  var ASCII = /^[\x00-\x7f]*$/, DIGIT_END = /[0-9]$/, DIGIT_START = /^[0-9]/;
  /* Ranking: BM25 (K1, B) over the weighted fields of a page, a title
     match adds title weight × idf once; a pair of adjacent query syllables
     found as a pair adds up to PHRASE × idf; a synonym counts ALT of the
     words typed; spellings other than the one typed count OTHER. */
  var K1 = 1.2, B = 0.75, PHRASE = 3, ALT = 0.9, OTHER = 0.3, PREFIX = 0.25;
  /* A word in more than COMMON of the pages is not required of a result;
     two syllables side by side in at least JOIN of the pages having the
     rarer one are a word (required together). */
  var COMMON = 0.5, JOIN = 0.5;
  /* Results shown at a time; syllables in an excerpt; prefix search loads at
     most PREFIX_SHARDS shards. */
  var SHOWN = 10, WINDOW = 26, PREFIX_SHARDS = 3;
  var DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  var VALUE = new Uint8Array(128).fill(255);
  for (var d = 0; d < 64; d++) VALUE[DIGITS.charCodeAt(d)] = d;

  /* The exact form of a syllable: lower case unless written in capitals
     (two letters or more, none lower case: an abbreviation), tone mark last. */
  function form(s) {
    var letters = s.match(LETTER);
    var cased = letters && letters.length > 1 && !LOWER.test(s) ? s.toUpperCase() : s.toLowerCase();
    if (ASCII.test(cased)) return cased;
    var tones = '';
    var base = cased.normalize('NFD').replace(TONES, function (t) { tones += t; return ''; });
    return base.normalize('NFC') + tones.normalize('NFD');
  }

  /* Lower case ASCII fold: tones, marks, đ. */
  function fold(s) {
    return s.normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd');
  }

  /* The key a form is filed under. */
  function key(f) {
    return fold(f.toLowerCase()).toLowerCase();
  }

  /* Form, lower-case form and key of each syllable as written, worked out
     once (excerpts cut the same words again and again). */
  var known = new Map();
  function spelled(raw) {
    var s = known.get(raw);
    if (!s) {
      if (known.size > 50000) known.clear();
      var f = form(raw), lower = f.toLowerCase();
      known.set(raw, (s = { f: f, lower: lower, k: key(f), caps: f !== lower }));
    }
    return s;
  }

  /* Syllables of text: {raw, f (form), k (key), lower (form in lower case),
     caps, brk (starts a phrase), start, end}. */
  function tokens(text) {
    var cut = tokenizer(text);
    cut.upto(Infinity);
    return cut.toks;
  }

  /* Syllables on demand: upto(n) cuts until `toks` holds n or the text ends. */
  function tokenizer(text) {
    var re = new RegExp(WORD.source, WORD.flags), toks = [], prev = null, done = false, m;
    text = String(text || '');
    return {
      toks: toks,
      upto: function (n) {
        while (!done && toks.length < n && !(done = !(m = re.exec(text)))) {
          var raw = m[0], s = spelled(raw), start = m.index, end = start + raw.length;
          var brk = true;
          if (prev) {
            var gap = start === prev.end ? '' : text.slice(prev.end, start);
            brk = gap.length > 0 && BREAK.test(gap) && !((gap === ',' || gap === '.') && DIGIT_END.test(prev.raw) && DIGIT_START.test(raw));
          }
          prev = { raw: raw, f: s.f, k: s.k, lower: s.lower, caps: s.caps, brk: brk, start: start, end: end };
          toks.push(prev);
        }
        return toks.length;
      }
    };
  }

  /* Postings of the code (page gaps and values, 5 bits a letter, the
     last letter of a number one of the first 32): {pages, values}. */
  function postings(s) {
    var max = s.length >> 1, pages = new Int32Array(max), values = new Int32Array(max);
    var n = 0, x = 0, page = 0, odd = false;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), v = c < 128 ? VALUE[c] : 255;
      if (v === 255) break;
      if (v >= 32) { x = x * 32 + v - 32; continue; }
      x = x * 32 + v;
      if (odd) { values[n++] = x; page++; } else { page += x; pages[n] = page; }
      odd = !odd;
      x = 0;
    }
    return { pages: pages.subarray(0, n), values: values.subarray(0, n) };
  }

  /* ---- The index: meta data, shards loaded on demand. ---- */

  var sink = null;

  /* Called by every shard script. */
  function add(kind, a, b) {
    if (sink) sink(kind, a, b);
  }

  /* Opens the index described by `meta`; `load(path, done)` loads a script
     file of the site and calls `done` once it ran (or failed). */
  function open(meta, load) {
    var n = meta.n || 0, base = meta.b || 1.25, lens = new Float64Array(n), kinds = new Uint8Array(n), scale = [];
    for (var b = 0; b < 64; b++) scale.push(Math.pow(base, b) - 1);
    for (var i = 0; i < n; i++) {
      lens[i] = scale[VALUE[meta.l.charCodeAt(i)] & 63];
      kinds[i] = VALUE[meta.k.charCodeAt(i)];
    }
    var tdir = (meta.x || '').split('|').filter(Boolean).map(function (s) {
      var at = s.lastIndexOf('/');
      return { first: s.slice(0, at), path: 'search/t.' + s.slice(at + 1) + '.js', loaded: false };
    });
    var start = 0;
    var ddir = (meta.d || '').split('|').filter(Boolean).map(function (s) {
      var at = s.lastIndexOf('/'), shard = { start: start, path: 'search/d.' + s.slice(at + 1) + '.js', loaded: false };
      start += Number(s.slice(0, at));
      return shard;
    });
    var db = {
      n: n, lens: lens, kinds: kinds, avg: meta.a || 1, T: meta.T == null ? 2 : meta.T,
      types: meta.types || [], t: meta.t || {}, tdir: tdir, ddir: ddir,
      entries: Object.create(null), decoded: Object.create(null), docs: [],
      spare: { accs: [], used: [], doubles: [], usedDoubles: [], bytes: [], usedBytes: [], touched: new Int32Array(n) },
      words: words(meta), load: load, loads: 0
    };
    sink = function (kind, a, b) {
      if (kind === 't') for (var k in a) db.entries[k] = a[k];
      else if (kind === 'd') for (var j = 0; j < b.length; j++) db.docs[a + j] = b[j];
    };
    return db;
  }

  /* The synonym groups and question words, as lists of query syllables. */
  function words(meta) {
    var phrase = function (p) { return tokens(p); };
    return {
      groups: (meta.s || []).map(function (g) { return g.map(phrase).filter(function (p) { return p.length; }); }),
      weak: (meta.w || []).map(phrase).filter(function (p) { return p.length; })
    };
  }

  /* Index of the shard of `dir` that would hold `k` (-1 before the first). */
  function shardOf(dir, k, field) {
    var lo = 0, hi = dir.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (dir[mid][field] <= k) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  /* Loads the shards `list` (of one directory) not loaded yet, then
     `done` (at once when all are loaded; else once the last one ran). */
  function fetchShards(db, list, done) {
    var waiting = 1;
    function one() { if (--waiting === 0) done(); }
    list.forEach(function (s) {
      if (s.loaded) return;
      waiting++;
      if (s.waiters) return s.waiters.push(one);
      s.waiters = [one];
      db.loads++;
      db.load(s.path, function () {
        var waiters = s.waiters;
        s.loaded = true;
        s.waiters = null;
        waiters.forEach(function (f) { f(); });
      });
    });
    one();
  }

  /* Loads the term shards holding `keys`, then `done`. */
  function needKeys(db, keys, done) {
    var list = [];
    keys.forEach(function (k) {
      var i = shardOf(db.tdir, k, 'first');
      if (i >= 0) list.push(db.tdir[i]);
    });
    fetchShards(db, list, done);
  }

  /* Loads the doc shards of pages `ids`, then `done`. */
  function docs(db, ids, done) {
    fetchShards(db, ids.map(function (p) { return db.ddir[Math.max(0, shardOf(db.ddir, p, 'start'))]; }).filter(Boolean), done);
  }

  /* The forms under a key and their postings: [{f, pages, values}]. */
  function entry(db, k) {
    var out = db.decoded[k];
    if (out) return out;
    var e = db.entries[k];
    out = [];
    if (e != null) {
      var parts = e.split('|');
      for (var i = 0; i + 1 < parts.length; i += 2) {
        var list = postings(parts[i + 1]);
        out.push({ f: parts[i] || k, pages: list.pages, values: list.values, count: -1 });
      }
    }
    db.decoded[k] = out;
    return out;
  }

  /* ---- Queries ---- */

  /* True when query syllables `q[i..]` spell `phrase` (by key; a syllable
     typed with diacritics must be spelled the same). */
  function spells(q, i, phrase) {
    if (i + phrase.length > q.length) return false;
    for (var j = 0; j < phrase.length; j++) {
      var a = q[i + j], b = phrase[j];
      if (a.k !== b.k || (j > 0 && a.brk)) return false;
      if (a.lower !== a.k && b.lower !== b.k && a.lower !== b.lower) return false;
    }
    return true;
  }

  /* The longest phrase of `list` spelled at `q[i]` (null if none). */
  function longest(q, i, list) {
    var best = null;
    list.forEach(function (p) { if (spells(q, i, p) && (!best || p.length > best.length)) best = p; });
    return best;
  }

  /* Parses a query: its syllables, which are weak (question words, never
     an abbreviation in capitals), and the synonym groups they spell:
     {words: [token], slots: [{from, to, alts: [[token]]}]}; `words` are
     the strong syllables, slot ranges index them. */
  function parse(db, query) {
    var q = tokens(String(query || '').normalize('NFC'));
    /* Abbreviations have no tone marks, and a query all in capitals is
       typed in capitals: such syllables are words, as if in lower case. */
    var shouted = q.length > 1 && q.every(function (t) { return t.caps; });
    q = q.map(function (t) {
      return t.caps && (shouted || TONED.test(t.f)) ? Object.assign({}, t, { f: t.lower, caps: false }) : t;
    });
    var weak = q.map(function () { return false; });
    for (var i = 0; i < q.length;) {
      var w = q[i].caps ? null : longest(q, i, db.words.weak);
      if (w) { for (var j = 0; j < w.length; j++) weak[i + j] = true; i += w.length; } else i++;
    }
    if (weak.every(Boolean)) weak = weak.map(function () { return false; });
    var strong = [];
    q.forEach(function (t, i) {
      if (weak[i]) return;
      /* A weak word between two strong ones breaks their phrase. */
      strong.push(Object.assign({}, t, { brk: t.brk || (i > 0 && weak[i - 1]) }));
    });
    var slots = [];
    for (var s = 0; s < strong.length;) {
      var hit = null, alts = [];
      db.words.groups.forEach(function (g) {
        var p = longest(strong, s, g);
        if (p && (!hit || p.length > hit.length)) { hit = p; alts = g.filter(function (x) { return x !== p; }); }
      });
      var len = hit ? hit.length : 1;
      slots.push({ from: s, to: s + len, alts: alts });
      s += len;
    }
    return { words: strong, slots: slots };
  }

  /* Keys a parsed query needs: its words and pairs, its synonyms' too. */
  function keysOf(parsed) {
    var keys = [];
    function phrase(toks) {
      toks.forEach(function (t, i) {
        keys.push(t.k);
        if (i > 0 && !t.brk) keys.push(toks[i - 1].k + ' ' + t.k);
      });
    }
    phrase(parsed.words);
    parsed.slots.forEach(function (s) { s.alts.forEach(phrase); });
    return keys;
  }

  function idf(db, df) {
    return Math.log(1 + (db.n - df + 0.5) / (df + 0.5));
  }

  /* Per-page weights of terms: tf (weighted count), title (largest title
     weight), s (score) and the list of pages, in typed arrays; idf, and for
     a pair: at, word. All fields from the start, idf a double: one shape
     keeps V8's optimized loops (a new shape throws them away). */
  function newAcc(db) {
    var n = db.n;
    var acc = db.spare.accs.pop() || {
      tf: new Float64Array(n), title: new Float32Array(n), s: new Float64Array(n), list: new Int32Array(n),
      size: 0, idf: NaN, pair: false, at: 0, word: false
    };
    db.spare.used.push(acc);
    acc.pair = false;
    return acc;
  }

  /* A page-sized array of bytes, zeroed, or of doubles (`wide`). */
  function pageArray(db, wide) {
    var list = wide ? db.spare.doubles : db.spare.bytes;
    var a = list.pop() || (wide ? new Float64Array(db.n) : new Uint8Array(db.n));
    a.fill(0);
    (wide ? db.spare.usedDoubles : db.spare.usedBytes).push(a);
    return a;
  }

  /* Gives back every array a query took (a large site's arrays are big:
     taking them afresh for every query keeps the garbage collector busy). */
  function release(db) {
    var sp = db.spare;
    sp.used.forEach(function (acc) {
      for (var j = 0; j < acc.size; j++) { var p = acc.list[j]; acc.tf[p] = 0; acc.title[p] = 0; acc.s[p] = 0; }
      acc.size = 0;
      sp.accs.push(acc);
    });
    sp.doubles.push.apply(sp.doubles, sp.usedDoubles);
    sp.bytes.push.apply(sp.bytes, sp.usedBytes);
    sp.used = [];
    sp.usedDoubles = [];
    sp.usedBytes = [];
  }

  /* Adds the postings of key `k` to `acc`; `weightOf(form)` says how much
     each form counts (0: not at all). */
  function accumulate(db, acc, k, weightOf) {
    var forms = entry(db, k), tf = acc.tf, title = acc.title, list = acc.list;
    for (var i = 0; i < forms.length; i++) {
      var w = weightOf(forms[i].f);
      if (!(w > 0)) continue;
      var pages = forms[i].pages, values = forms[i].values, half = w / 2, strength = w / 7;
      for (var j = 0; j < pages.length; j++) {
        var p = pages[j], v = values[j];
        if (tf[p] === 0 && title[p] === 0) list[acc.size++] = p;
        tf[p] += half * (v >> 3);
        var t = strength * (v & 7);
        if (t > title[p]) title[p] = t;
      }
    }
    return acc;
  }

  /* Scores of an accumulation's pages into a.s, times idf: BM25 of a
     word's tf, PHRASE × tf / (tf + 1) of a pair's; plus the title's. */
  function scored(db, a) {
    var s = a.s, tf = a.tf, title = a.title, list = a.list, lens = db.lens, avg = db.avg, T = db.T, w = a.idf;
    for (var j = 0; j < a.size; j++) {
      var p = list[j], f = tf[p];
      s[p] = w * ((a.pair ? PHRASE * f / (f + 1) : f ? f * (K1 + 1) / (f + K1 * (1 - B + B * lens[p] / avg)) : 0) + T * title[p]);
    }
    return a;
  }

  /* How much each spelling of a typed word counts: the one typed 1, others
     OTHER; typed without diacritics, every spelling, the likelier more:
     by how often it stands next to the neighbouring words' spellings, else
     by how many pages have it. A syllable typed in capitals prefers
     capitals. A prefix of the last word matches keys that start with it. */
  function spellings(db, words) {
    return words.map(function (t, i) {
      var forms = entry(db, t.k), w = Object.create(null);
      if (t.caps) forms.forEach(function (e) { w[e.f] = e.f === t.f ? 1 : OTHER; });
      else if (t.lower !== t.k) forms.forEach(function (e) { w[e.f] = e.f.toLowerCase() === t.lower ? 1 : OTHER; });
      else {
        var near = Object.create(null), total = 0, all = 0;
        [[i - 1, i], [i, i + 1]].forEach(function (pair, side) {
          var a = words[pair[0]], b = words[pair[1]];
          if (!a || !b || b.brk) return;
          entry(db, a.k + ' ' + b.k).forEach(function (e) {
            var f = e.f.split(' ')[side === 0 ? 1 : 0], n = occurrences(e);
            near[f] = (near[f] || 0) + n;
            total += n;
          });
        });
        forms.forEach(function (e) { all += occurrences(e); });
        forms.forEach(function (e) {
          w[e.f] = 0.25 + 0.75 * (total ? (near[e.f] || 0) / total : occurrences(e) / (all || 1));
        });
      }
      return w;
    });
  }

  /* How often a form occurs in the whole site (weighted, half units). */
  function occurrences(e) {
    if (e.count < 0) {
      e.count = 0;
      for (var j = 0; j < e.values.length; j++) e.count += (e.values[j] >> 3) || 1;
    }
    return e.count;
  }

  /* The keys starting with the last word (search as you type), when the
     word itself is no key: loads their shards, then `done(keys)`. */
  function prefixes(db, t, done) {
    if (!t || t.k.length < 2 || entry(db, t.k).length) return done([]);
    var from = Math.max(0, shardOf(db.tdir, t.k, 'first')), to = shardOf(db.tdir, t.k + '\uffff', 'first');
    if (to - from >= PREFIX_SHARDS) return done([]);
    fetchShards(db, db.tdir.slice(from, to + 1), function () {
      done(Object.keys(db.entries).filter(function (k) {
        return k.lastIndexOf(t.k, 0) === 0 && k.indexOf(' ') < 0;
      }).sort());
    });
  }

  /* Ranks pages for a query; calls done({results: [{page, score}], query})
     once the shards it needs are loaded (at once when they are). */
  function search(db, query, done) {
    var parsed = parse(db, query);
    if (!parsed.words.length) return done({ results: [], query: parsed });
    needKeys(db, keysOf(parsed), function () {
      prefixes(db, parsed.words[parsed.words.length - 1], function (extra) {
        done({ results: rank(db, parsed, extra), query: parsed });
      });
    });
  }

  /* Scores every page matching a parsed query, best first: by how many of
     the query's required concepts a page has (all of them with every pair
     of adjacent words side by side, the phrase, first), then by score. */
  function rank(db, parsed, extra) {
    var words = parsed.words, spell = spellings(db, words), n = db.n, i, j, p;
    /* The last word's prefixes, when it is no key. */
    if (extra.length) {
      var last = spell[words.length - 1] = Object.create(null);
      extra.forEach(function (k) { entry(db, k).forEach(function (e) { last[e.f] = PREFIX; }); });
    }
    var accs = words.map(function (t, i) {
      var w = spell[i], acc = newAcc(db);
      (extra.length && i === words.length - 1 ? extra : [t.k]).forEach(function (k) { accumulate(db, acc, k, lookup(w)); });
      acc.idf = idf(db, acc.size);
      return scored(db, acc);
    });
    /* Pairs of adjacent words. */
    var pairs = [];
    for (i = 1; i < words.length; i++) {
      if (words[i].brk) continue;
      pairs.push(pairAcc(db, accs[i - 1], accs[i], words[i - 1].k + ' ' + words[i].k, lookup(spell[i - 1]), lookup(spell[i]), i));
    }
    var score = pageArray(db, true), touched = { list: db.spare.touched, size: 0 };
    accs.concat(pairs).forEach(function (a) { addScores(score, touched, a); });
    var slots = parsed.slots.map(function (s) { return slot(db, s, accs, pairs, score, touched); });
    var units = concepts(db, slots, pairs);
    /* Required concepts: those in at most COMMON of the pages (or all). */
    var required = units.filter(function (c) { return c.df <= COMMON * n; });
    if (!required.length) required = units;
    /* Where each pair is found: side by side, or inside a synonym matched. */
    var found = pairs.map(function (a) {
      var at = pageArray(db);
      for (var j = 0; j < a.size; j++) at[a.list[j]] = 1;
      slots.forEach(function (s) {
        if (a.at > s.from && a.at < s.to) for (var p = 0; p < n; p++) at[p] |= s.byAlt[p];
      });
      return at;
    });
    /* Tiers: 2 × the required concepts a page has, plus 1 for the phrase. */
    var tiers = pageArray(db), count = new Int32Array(2 * required.length + 2);
    for (i = 0; i < touched.size; i++) {
      p = touched.list[i];
      if (!(score[p] > 0)) continue;
      var tier = 0;
      for (j = 0; j < required.length; j++) tier += 2 * required[j].full[p];
      if (tier === 2 * required.length) {
        for (j = 0; j < found.length && found[j][p]; j++);
        if (j === found.length) tier++;
      }
      tiers[p] = tier;
      count[tier]++;
    }
    var out = sorted(score, tiers, count, touched);
    release(db);
    return out;
  }

  /* The touched pages with a score, by tier then score (best first), then
     page: each tier's keys (score and page packed in one number) sorted
     natively, which is much faster than comparing objects. */
  function sorted(score, tiers, count, touched) {
    var n = score.length, scale = Math.pow(2, Math.ceil(Math.log2(n + 1)));
    var keys = Array.from(count, function (c) { return new Float64Array(c); }), fill = new Int32Array(count.length);
    for (var i = 0; i < touched.size; i++) {
      var p = touched.list[i];
      if (!(score[p] > 0)) continue;
      /* Scores to 1/10,000 (ample), ties by page ascending. */
      keys[tiers[p]][fill[tiers[p]]++] = Math.round(score[p] * 1e4) * scale + (scale - 1 - p);
    }
    var out = [];
    for (var t = keys.length - 1; t >= 0; t--) {
      var k = keys[t].sort();
      for (var j = k.length - 1; j >= 0; j--) {
        var page = scale - 1 - (k[j] % scale);
        out.push({ page: page, score: score[page], tier: t / 2 });
      }
    }
    return out;
  }

  function lookup(map) {
    return function (f) { return map[f]; };
  }

  function bump(score, touched, p, s) {
    if (score[p] === 0) touched.list[touched.size++] = p;
    score[p] += s;
  }

  /* bump() by an accumulation's scores. */
  function addScores(score, touched, a) {
    var s = a.s, list = a.list, seen = touched.list;
    for (var j = 0; j < a.size; j++) {
      var p = list[j];
      if (score[p] === 0) seen[touched.size++] = p;
      score[p] += s[p];
    }
  }

  /* The accumulated pair of words a and b (key `k`), each form counting the
     product of its two spellings' weights (`wa`, `wb`). A pair written side
     by side in at least JOIN of the pages having the rarer word is a word
     of two syllables: a page has it only when it has the pair. */
  function pairAcc(db, a, b, k, wa, wb, at) {
    var acc = accumulate(db, newAcc(db), k, function (f) {
      var two = f.split(' ');
      return (wa(two[0]) || 0) * (wb(two[1]) || 0);
    });
    acc.at = at;
    acc.idf = (a.idf + b.idf) / 2;
    acc.pair = true;
    acc.word = acc.size >= JOIN * Math.min(a.size, b.size);
    return scored(db, acc);
  }

  /* The concepts of a query: its slots, adjacent one-word slots joined
     when they make a word of two syllables (Vietnamese words mostly are:
     `kinh tế`, `Bình Phước`). A page has a concept when it has its words
     and the pairs joining them. Returns [{full, df}]. */
  function concepts(db, slots, pairs) {
    var out = [], cur = null;
    slots.forEach(function (s) {
      var pair = pairs.filter(function (a) { return a.at === s.from; })[0];
      var single = s.to - s.from === 1 && !s.alts;
      if (cur && pair && pair.word && cur.single && single) {
        var full = cur.full, next = s.full, tf = pair.tf, title = pair.title;
        for (var p = 0; p < db.n; p++) full[p] = full[p] && next[p] && (tf[p] > 0 || title[p] > 0) ? 1 : 0;
      } else {
        cur = { full: pageArray(db), single: single };
        cur.full.set(s.full);
        out.push(cur);
      }
    });
    out.forEach(function (c) {
      c.df = 0;
      for (var p = 0; p < db.n; p++) c.df += c.full[p];
    });
    return out;
  }

  /* A slot of the query: a word, or words that spell a synonym. A
     synonym's score replaces the words' where higher (times ALT). Returns
     {from, to, alts, full: pages with every word (and the pairs making a
     word of two syllables) or a synonym, byAlt: pages a synonym matched}. */
  function slot(db, s, accs, pairs, score, touched) {
    var n = db.n, have = pageArray(db), full = pageArray(db), byAlt = pageArray(db), i, j, p;
    var inner = pairs.filter(function (a) { return a.at > s.from && a.at < s.to; });
    var counted = accs.slice(s.from, s.to).concat(inner.filter(function (a) { return a.word; }));
    counted.forEach(function (a) { for (var j = 0; j < a.size; j++) have[a.list[j]]++; });
    for (p = 0; p < n; p++) full[p] = have[p] === counted.length ? 1 : 0;
    s.alts.forEach(function (alt) {
      var found = altScores(db, alt);
      for (j = 0; j < found.pages.length; j++) {
        p = found.pages[j];
        var typed = 0;
        for (i = s.from; i < s.to; i++) typed += accs[i].s[p];
        for (i = 0; i < inner.length; i++) typed += inner[i].s[p];
        var gain = ALT * found.score[p] - typed;
        if (gain > 0) bump(score, touched, p, gain);
        full[p] = 1;
        byAlt[p] = 1;
      }
    });
    return { from: s.from, to: s.to, alts: s.alts.length > 0, full: full, byAlt: byAlt };
  }

  /* Scores of a synonym phrase: {pages having all its words and pairs,
     score by page}. Its syllables match as written (capitals only capitals). */
  function altScores(db, alt) {
    var n = db.n, need = alt.length, count = pageArray(db), score = pageArray(db, true), i, j;
    var weights = alt.map(function (t) {
      return function (f) { return t.caps ? (f === t.f ? 1 : 0) : (f.toLowerCase() === t.lower ? 1 : 0); };
    });
    var accs = alt.map(function (t, i) {
      var a = accumulate(db, newAcc(db), t.k, weights[i]);
      a.idf = idf(db, a.size);
      scored(db, a);
      for (var j = 0; j < a.size; j++) { count[a.list[j]]++; score[a.list[j]] += a.s[a.list[j]]; }
      return a;
    });
    for (i = 1; i < alt.length; i++) {
      if (alt[i].brk) continue;
      need++;
      var a = pairAcc(db, accs[i - 1], accs[i], alt[i - 1].k + ' ' + alt[i].k, weights[i - 1], weights[i], i);
      for (j = 0; j < a.size; j++) { count[a.list[j]]++; score[a.list[j]] += a.s[a.list[j]]; }
    }
    var pages = [];
    for (var p = 0; p < n; p++) if (count[p] === need) pages.push(p);
    return { pages: pages, score: score };
  }

  /* ---- Highlights and excerpts ---- */

  /* What to mark in a text for a query: the words (in the spellings that
     count at least half as much as the best) and synonym phrases; the keys
     a run can start with (null: any) and the longest run there can be. */
  function marker(db, parsed) {
    var spell = spellings(db, parsed.words), keys = new Set(), most = 0;
    var words = parsed.words.map(function (t, i) {
      var w = spell[i], best = 0, ok = Object.create(null);
      Object.keys(w).forEach(function (f) { best = Math.max(best, w[f]); });
      Object.keys(w).forEach(function (f) { if (w[f] >= best / 2) { ok[f] = 1; keys.add(key(f)); } });
      var df = 0;
      entry(db, t.k).forEach(function (e) { df += e.pages.length; });
      return { t: t, ok: ok, rare: df <= 0.2 * db.n, any: !Object.keys(w).length };
    });
    var alts = [].concat.apply([], parsed.slots.map(function (s) { return s.alts; }));
    alts.forEach(function (alt) { if (alt.length) { keys.add(alt[0].k); most = Math.max(most, alt.length); } });
    return {
      words: words, alts: alts, most: Math.max(most, words.length),
      keys: words.some(function (w) { return w.any; }) ? null : keys
    };
  }

  /* The marked run starting at syllable k of `toks` (its length, 0: none):
     the longest run of query words or synonym phrase found there. Runs of
     two or more adjacent query syllables are marked; a lone syllable only
     when the query has one word or the word is rare. */
  function runAt(toks, k, m) {
    var n = m.words.length, best = 0, i;
    if (m.keys && !m.keys.has(toks[k].k)) return 0;
    function matches(tok, w) {
      return w.any ? tok.k === w.t.k || (w.t.k.length > 1 && tok.k.lastIndexOf(w.t.k, 0) === 0) : !!w.ok[tok.f];
    }
    for (i = 0; i < n; i++) {
      var len = 0;
      while (k + len < toks.length && i + len < n && matches(toks[k + len], m.words[i + len]) &&
        (len === 0 || (!toks[k + len].brk && !m.words[i + len].t.brk))) len++;
      if (len > best) best = len;
    }
    for (i = 0; i < m.alts.length; i++) {
      var alt = m.alts[i], at = 0;
      while (at < alt.length && k + at < toks.length && toks[k + at].k === alt[at].k &&
        (alt[at].caps ? toks[k + at].f === alt[at].f : toks[k + at].lower === alt[at].lower) &&
        (at === 0 || !toks[k + at].brk)) at++;
      if (at === alt.length && at > best) best = at;
    }
    if (best === 1 && n > 1 && !m.words.some(function (w) { return w.rare && matches(toks[k], w); })) best = 0;
    return best;
  }

  /* Cuts text into [{text, mark}] parts: `size` syllables around its best
     phrase (the first longest run), marks in the text's own spelling. */
  function excerpt(text, m, size) {
    text = text || '';
    size = size || WINDOW;
    var cut = tokenizer(text), toks = cut.toks, mk = [], most = Math.max(m.most, 1);
    var bestAt = -1, bestLen = 0, k = 0;
    /* The run at k; mk[k] is final then. */
    function step() {
      cut.upto(k + most + 1);
      var len = runAt(toks, k, m);
      mk[k] = mk[k] || 0;
      for (var j = 0; j < len; j++) mk[k + j] = Math.max(mk[k + j] || 0, len);
    }
    for (; bestLen < most && cut.upto(k + 1) > k; k++) {
      step();
      if (mk[k] > bestLen && (k === 0 || mk[k - 1] === 0 || mk[k - 1] !== mk[k])) { bestLen = mk[k]; bestAt = k; }
    }
    /* The window, and one more (does the text go on?). */
    var total = cut.upto(Math.max(bestAt - 4, 0) + size + bestLen + 4);
    if (!total) return [];
    var from = 0;
    if (bestAt >= 0) from = Math.max(0, Math.min(bestAt - 4, total - size));
    var end = Math.min(total, Math.max(from + size, bestAt + bestLen + 3));
    for (; k < end; k++) step();
    var parts = from ? [{ text: '…' }] : [];
    var at = from ? toks[from].start : 0, stop = end < total ? toks[end - 1].end : text.length;
    for (k = from; k < end; k++) {
      if (!mk[k]) continue;
      var s = toks[k].start, e = toks[k].end;
      while (k + 1 < end && mk[k + 1] && !toks[k + 1].brk) e = toks[++k].end;
      if (s > at) parts.push({ text: text.slice(at, s) });
      parts.push({ text: text.slice(s, e), mark: true });
      at = e;
    }
    if (stop > at) parts.push({ text: text.slice(at, stop) });
    if (end < total) parts.push({ text: '…' });
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

  /* Loads a script of the site as a script element (works from file:// and
     under a CSP that allows the site's own scripts). */
  function scriptLoader(doc, rootUrl) {
    return function (path, done) {
      var s = doc.createElement('script');
      s.src = new URL(path, rootUrl).href;
      s.onload = s.onerror = function () { done(); };
      doc.head.appendChild(s);
    };
  }

  function ui(doc, win) {
    var form = doc.querySelector('form[data-search]');
    if (!form || form.nqSearch) return;
    form.nqSearch = true;
    var rootAttr = doc.documentElement.getAttribute('data-root') || '/';
    var db = open(win.nqSearchMeta, scriptLoader(doc, new URL(rootAttr, win.location.href))), t = db.t;
    var input = form.querySelector('input[name="q"]');
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
    more.hidden = true;
    panel.append(status, filters, list, more);
    var state = { query: '', results: [], type: -1, shown: SHOWN, run: 0, mark: null, focus: false };

    function say(key, n) {
      return (t[key] || '').replace('{n}', n).replace('{q}', state.query);
    }
    function href(p) {
      return rootAttr + p + (portable && (p === '' || /\/$/.test(p)) ? 'index.html' : '');
    }
    function item(r) {
      var d = db.docs[r.page] || ['', '', ''], li = el(doc, 'li');
      var a = el(doc, 'a');
      a.href = href(d[1]);
      fill(doc, a, excerpt(d[0], state.mark, 400));
      var label = el(doc, 'span', 'search-type', db.types[db.kinds[r.page]]);
      var ex = fill(doc, el(doc, 'p', 'search-excerpt'), excerpt(d[2], state.mark));
      li.append(a, ' ', label, ex);
      return li;
    }
    function render() {
      var run = state.run;
      var shown = state.results.filter(function (r) { return state.type < 0 || db.kinds[r.page] === state.type; });
      var page = shown.slice(0, state.shown);
      docs(db, page.map(function (r) { return r.page; }), function () {
        if (run !== state.run) return;
        list.textContent = '';
        page.forEach(function (r) { list.appendChild(item(r)); });
        more.hidden = shown.length <= state.shown;
        status.textContent = state.query ? say(shown.length ? 'search_count' : 'search_none', shown.length) : '';
        var first = list.querySelector('a');
        if (state.focus && first) first.focus();
        state.focus = false;
      });
    }
    function filterButtons() {
      filters.textContent = '';
      var counts = db.types.map(function () { return 0; });
      state.results.forEach(function (r) { counts[db.kinds[r.page]]++; });
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
      var query = input.value.trim(), n = ++state.run;
      panel.hidden = !query && !onPage;
      if (onPage) {
        try { win.history.replaceState(null, '', '?q=' + encodeURIComponent(query)); } catch (e) { /* file:// */ }
      }
      if (query) status.textContent = t.search_loading || '';
      search(db, query, function (found) {
        if (n !== state.run) return;
        state.query = query;
        state.results = query ? found.results : [];
        state.mark = marker(db, found.query);
        state.type = -1;
        state.shown = SHOWN;
        filterButtons();
        render();
      });
    }
    var timer;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !onPage) { panel.hidden = true; }
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      state.focus = true;
      run();
    });
    more.addEventListener('click', function () { state.shown += SHOWN; render(); });
    if (onPage && !input.value) input.value = new URLSearchParams(win.location.search).get('q') || '';
    if (input.value.trim() || onPage) run();
  }

  return {
    form: form, fold: fold, key: key, tokens: tokens, open: open, add: add, search: search,
    docs: docs, marker: marker, excerpt: excerpt, ui: ui
  };
});
