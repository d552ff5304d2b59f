// Answerbank search widget. On a host page:
//   <div id="answerbank"></div>
//   <script src="https://SERVER/widget.js" data-target="#answerbank" defer></script>
// Options (data- attributes of the script tag): data-target (CSS selector;
// default: a new element right after the script), data-server (default: the
// script's origin), data-lang (interface: en, fr, es, ar; default: the
// browser's), data-limit (hits per page, default 5), data-filter-lang and
// data-type (fixed filters). Everything lives in a Shadow DOM, so the host's
// styles do not reach it and its styles do not reach the host. Corpus text is
// only put in text nodes.
'use strict';
(function () {
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var base = (data.server || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  var T = {
    en: { label: 'Search the helpdesk answers', search: 'Search', results: '{n} results', result1: '1 result', none: 'No results.', error: 'Search failed: {m}', prev: 'Previous', next: 'Next', page: 'Page {n}', pageOf: 'Page {n} of {m}', qa: 'Answer', document: 'Document', pages: 'Result pages', by: 'Answerbank' },
    fr: { label: 'Chercher dans les réponses du helpdesk', search: 'Chercher', results: '{n} résultats', result1: '1 résultat', none: 'Aucun résultat.', error: 'La recherche a échoué : {m}', prev: 'Précédent', next: 'Suivant', page: 'Page {n}', pageOf: 'Page {n} sur {m}', qa: 'Réponse', document: 'Document', pages: 'Pages de résultats', by: 'Answerbank' },
    es: { label: 'Buscar en las respuestas del helpdesk', search: 'Buscar', results: '{n} resultados', result1: '1 resultado', none: 'Sin resultados.', error: 'La búsqueda falló: {m}', prev: 'Anterior', next: 'Siguiente', page: 'Página {n}', pageOf: 'Página {n} de {m}', qa: 'Respuesta', document: 'Documento', pages: 'Páginas de resultados', by: 'Answerbank' },
    ar: { label: 'ابحث في إجابات مكتب المساعدة', search: 'بحث', results: '{n} نتيجة', result1: 'نتيجة واحدة', result2: 'نتيجتان', resultFew: '{n} نتائج', none: 'لا توجد نتائج.', error: 'فشل البحث: {m}', prev: 'السابق', next: 'التالي', page: 'صفحة {n}', pageOf: 'الصفحة {n} من {m}', qa: 'إجابة', document: 'وثيقة', pages: 'صفحات النتائج', by: 'بنك الإجابات' }
  };
  var ui = data.lang && T[data.lang] ? data.lang : (function () {
    var langs = navigator.languages || [navigator.language || 'en'];
    for (var i = 0; i < langs.length; i++) { var c = String(langs[i]).slice(0, 2).toLowerCase(); if (T[c]) return c; }
    return 'en';
  })();
  var limit = Math.min(Math.max(parseInt(data.limit, 10) || 5, 1), 20);
  var CSS = ':host{all:initial;display:block;font:15px/1.5 system-ui,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,Arial,sans-serif;color:#1a1a1a}' +
    '*{box-sizing:border-box}.w{border:1px solid #c9d1d9;border-radius:8px;padding:12px;background:#fff}' +
    'label{display:block;font-weight:600;margin:0 0 4px}.box{display:flex;gap:6px}' +
    'input{flex:1;min-width:0;font:inherit;color:inherit;padding:7px 9px;border:2px solid #57606a;border-radius:6px;background:#fff;margin:0}' +
    'button{font:inherit;cursor:pointer;border-radius:6px;margin:0}.go{border:0;background:#0b4f8a;color:#fff;padding:7px 14px;font-weight:600}' +
    ':focus-visible{outline:3px solid #c25100;outline-offset:2px}ol{list-style:none;margin:8px 0 0;padding:0}' +
    'li{padding:8px 0;border-bottom:1px solid #e1e4e8}a{color:#0b4f8a}h3{font-size:16px;margin:0}' +
    '.meta{font-size:12px;color:#555}.snip{margin:4px 0 0}mark{background:#ffe27a;color:#000}' +
    '.pages a{font-weight:600;margin-inline-end:6px}.status{margin:8px 0 0;color:#444;font-size:14px}' +
    '.pager{display:flex;gap:4px;flex-wrap:wrap;margin-top:8px}.pager button{border:1px solid #8c959f;background:#fff;padding:3px 8px;color:#1a1a1a}' +
    '.pager button[aria-current=page]{background:#0b4f8a;color:#fff;border-color:#0b4f8a}.pager button:disabled{color:#6e7781}' +
    '.by{font-size:11px;color:#555;margin-top:6px;text-align:end}.sw{position:relative}' +
    '.sg{position:absolute;z-index:5;inset-inline:0;list-style:none;margin:2px 0 0;padding:4px 0;background:#fff;border:1px solid #8c959f;border-radius:6px;box-shadow:0 4px 12px rgba(0,0,0,.15)}' +
    '.sg li{padding:6px 10px;cursor:pointer;border:0}.sg li[aria-selected=true],.sg li:hover{background:#e7f0fa}';

  function t(key, vars) {
    var s = T[ui][key] || T.en[key];
    if (vars) for (var k in vars) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === null || attrs[k] === undefined) continue;
      if (k === 'on') for (var e in attrs.on) node.addEventListener(e, attrs.on[e]);
      else node.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }
  function marked(text, spans) {
    var chars = Array.from(text || ''), frag = document.createDocumentFragment(), at = 0;
    (spans || []).forEach(function (s) {
      var a = Math.max(at, Math.min(s[0], chars.length)), b = Math.min(Math.max(s[1], a), chars.length);
      if (a > at) frag.appendChild(document.createTextNode(chars.slice(at, a).join('')));
      if (b > a) frag.appendChild(el('mark', null, chars.slice(a, b).join('')));
      at = Math.max(at, b);
    });
    if (at < chars.length) frag.appendChild(document.createTextNode(chars.slice(at).join('')));
    return frag;
  }
  function dirOf(lang) { return lang === 'ar' ? 'rtl' : lang === 'und' ? 'auto' : 'ltr'; }

  function mount(host, n) {
    if (host.shadowRoot) return;
    var root = host.attachShadow({ mode: 'open' });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
      try { var sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); root.adoptedStyleSheets = [sheet]; } catch (e) { root.appendChild(el('style', null, CSS)); }
    } else root.appendChild(el('style', null, CSS));
    var id = 'abq' + n;
    var input = el('input', { id: id, type: 'search', dir: 'auto', maxlength: '512', autocomplete: 'off', part: 'input',
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': id + 's' });
    var list = el('ul', { id: id + 's', 'class': 'sg', role: 'listbox', 'aria-label': t('label'), hidden: '' });
    var status = el('p', { 'class': 'status', role: 'status', 'aria-live': 'polite' });
    var hits = el('ol', { 'class': 'hits' });
    var pager = el('nav', { 'class': 'pager', 'aria-label': t('pages') });
    var form = el('form', { role: 'search', 'class': 'w', lang: ui, dir: ui === 'ar' ? 'rtl' : 'ltr' },
      el('label', { 'for': id }, t('label')),
      el('div', { 'class': 'sw' }, el('div', { 'class': 'box' }, input, el('button', { type: 'submit', 'class': 'go' }, t('search'))), list),
      status, hits, pager, el('div', { 'class': 'by' }, t('by')));
    root.appendChild(form);
    var seq = 0, query = '', page = 1;
    function run() {
      var my = ++seq, p = new URLSearchParams();
      p.set('q', query); p.set('limit', limit);
      if (page > 1) p.set('offset', (page - 1) * limit);
      if (data.filterLang) p.set('lang', data.filterLang);
      if (data.type) p.set('type', data.type);
      fetch(base + '/api/search?' + p, { mode: 'cors', credentials: 'omit' }).then(function (r) {
        return r.json().then(function (b) { if (!r.ok) throw new Error((b.error && b.error.message) || r.status); return b; });
      }).then(function (res) {
        if (my !== seq) return;
        var n = res.total, few = n % 100 >= 3 && n % 100 <= 10;
        status.textContent = !n ? t('none') : n === 1 ? t('result1') : ui === 'ar' && n === 2 ? t('result2') : ui === 'ar' && few ? t('resultFew', { n: n }) : t('results', { n: n });
        hits.textContent = '';
        res.hits.forEach(function (h) {
          var li = el('li', { lang: h.language === 'und' ? null : h.language, dir: dirOf(h.language), 'class': 'hit' },
            el('h3', null, el('a', { href: base + '/?r=' + encodeURIComponent(h.id), target: '_blank', rel: 'noopener' }, marked(h.title, h.title_highlights))),
            el('div', { 'class': 'meta' }, t(h.type) + (h.date ? ' · ' + h.date : '')));
          var sn = (h.snippets || [])[0];
          if (sn) li.appendChild(el('p', { 'class': 'snip', dir: 'auto' }, marked(sn.text, sn.highlights)));
          if (h.pages && h.pages.length && h.file_url) {
            var pages = el('div', { 'class': 'pages' });
            h.pages.forEach(function (pg) {
              pages.appendChild(el('a', { href: base + h.file_url + '#page=' + pg.page, target: '_blank', rel: 'noopener', 'data-page': pg.page }, t('page', { n: pg.page })));
            });
            li.appendChild(pages);
          }
          hits.appendChild(li);
        });
        pager.textContent = '';
        var count = Math.min(Math.ceil(res.total / limit), 100);
        if (count > 1) {
          var go = function (n) { return function () { page = n; run(); }; };
          pager.appendChild(el('button', { type: 'button', disabled: page <= 1 ? '' : null, on: { click: go(page - 1) } }, t('prev')));
          var from = Math.max(1, Math.min(page - 2, count - 4)), to = Math.min(count, from + 4);
          for (var i = from; i <= to; i++) pager.appendChild(el('button', { type: 'button', 'aria-current': i === page ? 'page' : null, 'aria-label': t('pageOf', { n: i, m: count }), on: { click: go(i) } }, String(i)));
          pager.appendChild(el('button', { type: 'button', disabled: page >= count ? '' : null, on: { click: go(page + 1) } }, t('next')));
        }
      }).catch(function (e) { if (my === seq) status.textContent = t('error', { m: e.message }); });
    }
    // Past questions as you type ("search before you ask"): picking one
    // searches for it, so its answer comes first.
    var timer = 0, sseq = 0, active = -1;
    function close() { list.hidden = true; list.textContent = ''; active = -1; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); }
    function choose(title) { close(); input.value = title; query = title; page = 1; run(); }
    function suggest() {
      var text = input.value, my = ++sseq;
      if (text.trim().length < 2) return close();
      fetch(base + '/api/suggest?limit=5&q=' + encodeURIComponent(text), { mode: 'cors', credentials: 'omit' })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (res) {
          if (my !== sseq) return;
          list.textContent = ''; active = -1;
          (res.suggestions || []).forEach(function (sg, i) {
            list.appendChild(el('li', { role: 'option', id: id + 'o' + i, 'aria-selected': 'false', lang: sg.language, dir: dirOf(sg.language),
              on: { mousedown: function (ev) { ev.preventDefault(); choose(sg.title); } } }, marked(sg.title, sg.highlights)));
          });
          var any = list.children.length > 0;
          list.hidden = !any; input.setAttribute('aria-expanded', any ? 'true' : 'false');
        }).catch(close);
    }
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(suggest, 200); });
    input.addEventListener('blur', function () { setTimeout(close, 100); });
    input.addEventListener('keydown', function (ev) {
      var items = list.children;
      if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && !list.hidden && items.length) {
        ev.preventDefault();
        if (active >= 0) items[active].setAttribute('aria-selected', 'false');
        active = (active + (ev.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
        items[active].setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', items[active].id);
      } else if (ev.key === 'Escape') close();
      else if (ev.key === 'Enter' && active >= 0 && !list.hidden) { ev.preventDefault(); choose(items[active].textContent); }
    });
    form.addEventListener('submit', function (ev) { ev.preventDefault(); clearTimeout(timer); sseq++; close(); query = input.value.trim(); page = 1; if (query) run(); });
  }

  function start() {
    var targets = [];
    if (data.target) targets = Array.prototype.slice.call(document.querySelectorAll(data.target));
    if (!targets.length) {
      var made = document.createElement('div');
      script.parentNode.insertBefore(made, script.nextSibling);
      targets = [made];
    }
    targets.forEach(mount);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
