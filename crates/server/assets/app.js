// Answerbank page. Corpus text is only ever put in text nodes: highlights
// arrive as [start, end) char offsets and become <mark> elements here.
'use strict';
(function () {
  var T = {
    en: {
      title: 'Answerbank', interface: 'Interface language', label: 'Search past answers and guidance',
      search: 'Search', hint: 'Search in English, French, Spanish or Arabic. Past questions appear as you type.',
      skip: 'Skip to results', filters: 'Filters', type: 'Type', language: 'Language', topic: 'Topic',
      country: 'Country', year: 'Year', qa: 'Answer', document: 'Document', results: '{n} results',
      result1: '1 result', none: 'No results. Try other words or remove a filter.', loading: 'Searching…',
      error: 'Something went wrong: {m}', prev: 'Previous', next: 'Next', pages: 'Pages',
      page: 'Page {n}', pageOf: 'Page {n} of {m}', openPage: 'page {n}', openFile: 'Open the document',
      similar: 'Similar answers', back: 'Back to results', remove: 'Remove filter: {v}',
      clear: 'Clear all filters', suggestions: 'Past questions', attachments: 'Attachments',
      nav: 'Result pages', noSimilar: 'No similar answers.', queryLang: 'Query language: {l}',
      en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic', und: 'Undetermined'
    },
    fr: {
      title: 'Answerbank', interface: "Langue de l'interface", label: 'Chercher dans les réponses et les guides',
      search: 'Chercher', hint: "Cherchez en français, anglais, espagnol ou arabe. Les questions déjà posées s'affichent pendant la saisie.",
      skip: 'Aller aux résultats', filters: 'Filtres', type: 'Type', language: 'Langue', topic: 'Thème',
      country: 'Pays', year: 'Année', qa: 'Réponse', document: 'Document', results: '{n} résultats',
      result1: '1 résultat', none: "Aucun résultat. Essayez d'autres mots ou retirez un filtre.", loading: 'Recherche…',
      error: 'Une erreur est survenue : {m}', prev: 'Précédent', next: 'Suivant', pages: 'Pages',
      page: 'Page {n}', pageOf: 'Page {n} sur {m}', openPage: 'page {n}', openFile: 'Ouvrir le document',
      similar: 'Réponses similaires', back: 'Retour aux résultats', remove: 'Retirer le filtre : {v}',
      clear: 'Retirer tous les filtres', suggestions: 'Questions déjà posées', attachments: 'Pièces jointes',
      nav: 'Pages de résultats', noSimilar: 'Aucune réponse similaire.', queryLang: 'Langue de la requête : {l}',
      en: 'anglais', fr: 'français', es: 'espagnol', ar: 'arabe', und: 'indéterminée'
    },
    es: {
      title: 'Answerbank', interface: 'Idioma de la interfaz', label: 'Buscar en respuestas y guías',
      search: 'Buscar', hint: 'Busque en español, inglés, francés o árabe. Las preguntas ya hechas aparecen mientras escribe.',
      skip: 'Ir a los resultados', filters: 'Filtros', type: 'Tipo', language: 'Idioma', topic: 'Tema',
      country: 'País', year: 'Año', qa: 'Respuesta', document: 'Documento', results: '{n} resultados',
      result1: '1 resultado', none: 'Sin resultados. Pruebe otras palabras o quite un filtro.', loading: 'Buscando…',
      error: 'Algo salió mal: {m}', prev: 'Anterior', next: 'Siguiente', pages: 'Páginas',
      page: 'Página {n}', pageOf: 'Página {n} de {m}', openPage: 'página {n}', openFile: 'Abrir el documento',
      similar: 'Respuestas similares', back: 'Volver a los resultados', remove: 'Quitar el filtro: {v}',
      clear: 'Quitar todos los filtros', suggestions: 'Preguntas ya hechas', attachments: 'Adjuntos',
      nav: 'Páginas de resultados', noSimilar: 'No hay respuestas similares.', queryLang: 'Idioma de la consulta: {l}',
      en: 'inglés', fr: 'francés', es: 'español', ar: 'árabe', und: 'indeterminado'
    },
    ar: {
      title: 'بنك الإجابات', interface: 'لغة الواجهة', label: 'ابحث في الإجابات السابقة والأدلة',
      search: 'بحث', hint: 'ابحث بالعربية أو الإنجليزية أو الفرنسية أو الإسبانية. تظهر الأسئلة السابقة أثناء الكتابة.',
      skip: 'انتقل إلى النتائج', filters: 'عوامل التصفية', type: 'النوع', language: 'اللغة', topic: 'الموضوع',
      country: 'البلد', year: 'السنة', qa: 'إجابة', document: 'وثيقة', results: '{n} نتيجة',
      result1: 'نتيجة واحدة', result2: 'نتيجتان', resultFew: '{n} نتائج', none: 'لا توجد نتائج. جرّب كلمات أخرى أو أزل عامل تصفية.', loading: 'جارٍ البحث…',
      error: 'حدث خطأ: {m}', prev: 'السابق', next: 'التالي', pages: 'الصفحات',
      page: 'صفحة {n}', pageOf: 'الصفحة {n} من {m}', openPage: 'صفحة {n}', openFile: 'افتح الوثيقة',
      similar: 'إجابات مشابهة', back: 'العودة إلى النتائج', remove: 'إزالة عامل التصفية: {v}',
      clear: 'إزالة كل عوامل التصفية', suggestions: 'أسئلة سابقة', attachments: 'المرفقات',
      nav: 'صفحات النتائج', noSimilar: 'لا توجد إجابات مشابهة.', queryLang: 'لغة الاستعلام: {l}',
      en: 'الإنجليزية', fr: 'الفرنسية', es: 'الإسبانية', ar: 'العربية', und: 'غير محددة'
    }
  };
  // Topic names for the corpus's topic slugs (others are shown prettified).
  var TOPICS = {
    'alternative-care': ['Alternative care', 'Prise en charge alternative', 'Cuidado alternativo', 'الرعاية البديلة'],
    'assessment-me': ['Assessment, monitoring and evaluation', 'Évaluation et suivi', 'Evaluación, monitoreo y evaluación', 'التقييم والرصد والتقييم'],
    caafag: ['Children associated with armed forces and groups', 'Enfants associés aux forces et groupes armés', 'NNA vinculados a fuerzas y grupos armados', 'الأطفال المرتبطون بالقوات والجماعات المسلحة'],
    'capacity-building': ['Capacity building', 'Renforcement des capacités', 'Fortalecimiento de capacidades', 'بناء القدرات'],
    'case-management': ['Case management', 'Gestion de cas', 'Gestión de casos', 'إدارة الحالات'],
    'child-labour': ['Child labour', 'Travail des enfants', 'Trabajo infantil', 'عمل الأطفال'],
    coordination: ['Coordination', 'Coordination', 'Coordinación', 'التنسيق'],
    cpms: ['Minimum standards (CPMS)', 'Standards minimaux (SMPE)', 'Normas mínimas (NMPNA)', 'المعايير الدنيا'],
    'data-protection': ['Data protection', 'Protection des données', 'Protección de datos', 'حماية البيانات'],
    ftr: ['Family tracing and reunification', 'Recherche et réunification familiales', 'Localización y reunificación familiar', 'اقتفاء الأسر ولم شملها'],
    funding: ['Funding', 'Financement', 'Financiación', 'التمويل'],
    'gbv-referral': ['GBV referral', 'Référencement VBG', 'Derivación VBG', 'إحالة العنف القائم على النوع الاجتماعي'],
    'government-engagement': ['Working with government', 'Collaboration avec l’État', 'Trabajo con el gobierno', 'العمل مع الحكومة'],
    'information-management': ['Information management', 'Gestion de l’information', 'Gestión de la información', 'إدارة المعلومات'],
    localization: ['Localization', 'Localisation', 'Localización', 'التوطين'],
    mhpss: ['Mental health and psychosocial support', 'Santé mentale et soutien psychosocial', 'Salud mental y apoyo psicosocial', 'الصحة النفسية والدعم النفسي الاجتماعي'],
    preparedness: ['Preparedness', 'Préparation', 'Preparación', 'التأهب'],
    uasc: ['Unaccompanied and separated children', 'Enfants non accompagnés et séparés', 'NNA no acompañados y separados', 'الأطفال غير المصحوبين والمنفصلون']
  };
  var UI_INDEX = { en: 0, fr: 1, es: 2, ar: 3 };
  // Country names as the corpus writes them (English) -> ISO 3166 codes, so
  // the browser names them in the interface language (Intl.DisplayNames).
  var COUNTRIES = {
    Afghanistan: 'AF', Bangladesh: 'BD', 'Burkina Faso': 'BF', Burundi: 'BI', Cameroon: 'CM',
    'Central African Republic': 'CF', Chad: 'TD', Chile: 'CL', Colombia: 'CO', 'Costa Rica': 'CR',
    "Côte d'Ivoire": 'CI', 'Democratic Republic of the Congo': 'CD', 'Dominican Republic': 'DO',
    Ecuador: 'EC', Egypt: 'EG', 'El Salvador': 'SV', Ethiopia: 'ET', Guatemala: 'GT', Guinea: 'GN',
    Haiti: 'HT', Honduras: 'HN', Iraq: 'IQ', Jordan: 'JO', Kenya: 'KE', Lebanon: 'LB', Libya: 'LY',
    Madagascar: 'MG', Mali: 'ML', Mexico: 'MX', Mozambique: 'MZ', Myanmar: 'MM', Nepal: 'NP',
    Niger: 'NE', Nigeria: 'NG', Pakistan: 'PK', Palestine: 'PS', Panama: 'PA', Peru: 'PE',
    Philippines: 'PH', Senegal: 'SN', Somalia: 'SO', 'South Sudan': 'SS', Sudan: 'SD', Syria: 'SY',
    Turkey: 'TR', Türkiye: 'TR', Uganda: 'UG', Ukraine: 'UA', Venezuela: 'VE', Yemen: 'YE'
  };
  var regionNames = {};
  function topicName(slug) {
    var names = TOPICS[slug];
    if (names) return names[UI_INDEX[ui]] || names[0];
    var words = String(slug).replace(/[-_]+/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  function countryName(name) {
    var code = COUNTRIES[name];
    if (!code || !window.Intl || !Intl.DisplayNames) return name;
    try {
      if (!regionNames[ui]) regionNames[ui] = new Intl.DisplayNames([ui], { type: 'region' });
      return regionNames[ui].of(code) || name;
    } catch (e) { return name; }
  }
  var FACETS = ['type', 'language', 'topic', 'country', 'year'];
  var PARAM = { type: 'type', language: 'lang', topic: 'topic', country: 'country', year: 'year' };
  var PER_PAGE = 10;
  var ui = 'en';
  var $ = function (id) { return document.getElementById(id); };
  var q = $('q'), list = $('suggestions');
  var searchSeq = 0, suggestSeq = 0, suggestTimer = 0, active = -1, lastState = null;

  function t(key, vars) {
    var s = (T[ui] && T[ui][key]) || T.en[key] || key;
    if (vars) for (var k in vars) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) continue;
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'on') for (var e in attrs.on) node.addEventListener(e, attrs.on[e]);
      else node.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }
  // Text with <mark>s from char offsets (Unicode scalar values, as Array.from counts).
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
  // Plural forms: Arabic has a dual and a "few" form (3-10).
  function count(n) {
    if (!n) return t('none');
    if (n === 1) return t('result1');
    if (ui === 'ar') {
      if (n === 2) return t('result2');
      if (n % 100 >= 3 && n % 100 <= 10) return t('resultFew', { n: n });
    }
    return t('results', { n: n });
  }
  function dirOf(lang) { return lang === 'ar' ? 'rtl' : lang === 'und' ? 'auto' : 'ltr'; }
  function langName(code) { return T[ui][code] ? t(code) : code; }
  function facetLabel(facet, value) {
    if (facet === 'type') return t(value);
    if (facet === 'language') return langName(value);
    if (facet === 'topic') return topicName(value);
    if (facet === 'country') return countryName(value);
    return value;
  }

  // ---- interface language ----
  function pickUi() {
    var params = new URLSearchParams(location.search), asked = params.get('ui');
    if (asked && T[asked]) return asked;
    try { var saved = localStorage.getItem('answerbank-ui'); if (saved && T[saved]) return saved; } catch (e) { /* private mode */ }
    var langs = navigator.languages || [navigator.language || 'en'];
    for (var i = 0; i < langs.length; i++) { var c = String(langs[i]).slice(0, 2).toLowerCase(); if (T[c]) return c; }
    return 'en';
  }
  function applyUi(code) {
    ui = code;
    document.documentElement.lang = code;
    document.documentElement.dir = code === 'ar' ? 'rtl' : 'ltr';
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.getAttribute('data-t')); });
    document.title = t('title');
    $('ui-lang').value = code;
    $('pager').setAttribute('aria-label', t('nav'));
    list.setAttribute('aria-label', t('suggestions'));
  }

  // ---- URL state ----
  function readState() {
    var p = new URLSearchParams(location.search), s = { q: p.get('q') || '', page: Math.max(1, parseInt(p.get('page'), 10) || 1), record: p.get('r') };
    FACETS.forEach(function (f) { s[f] = p.get(PARAM[f]) || ''; });
    return s;
  }
  function writeState(s, replace) {
    var p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    FACETS.forEach(function (f) { if (s[f]) p.set(PARAM[f], s[f]); });
    if (s.page > 1) p.set('page', s.page);
    if (s.record) p.set('r', s.record);
    var asked = new URLSearchParams(location.search).get('ui');
    if (asked) p.set('ui', asked);
    var url = location.pathname + (p.toString() ? '?' + p : '');
    if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
    render(s);
  }
  function apiQuery(s) {
    var p = new URLSearchParams();
    p.set('q', s.q);
    if (s.type) p.set('type', s.type);
    if (s.language) p.set('lang', s.language);
    if (s.topic) p.set('topic', s.topic);
    if (s.country) p.set('country', s.country);
    if (s.year) { p.set('from', s.year + '-01-01'); p.set('to', s.year + '-12-31'); }
    p.set('limit', PER_PAGE);
    if (s.page > 1) p.set('offset', (s.page - 1) * PER_PAGE);
    return p.toString();
  }
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error((body.error && body.error.message) || r.status);
        return body;
      });
    });
  }

  // ---- rendering ----
  function render(s) {
    lastState = s;
    q.value = s.q;
    if (s.record) return showRecord(s.record);
    $('record').hidden = true;
    $('layout').hidden = false;
    if (!s.q && !FACETS.some(function (f) { return s[f]; })) {
      $('hits').textContent = ''; $('status').textContent = ''; $('facet-list').textContent = '';
      $('pager').hidden = true; $('layout').className = 'layout empty';
      return;
    }
    var seq = ++searchSeq;
    $('status').textContent = t('loading');
    getJson('/api/search?' + apiQuery(s)).then(function (res) {
      if (seq !== searchSeq) return;
      $('layout').className = 'layout';
      $('status').textContent = count(res.total) + (res.language && res.language !== 'und' ? ' · ' + t('queryLang', { l: langName(res.language) }) : '');
      var ol = $('hits'); ol.textContent = '';
      res.hits.forEach(function (h) { ol.appendChild(hitItem(h)); });
      facets(res.facets || {}, s);
      pager(res.total, s);
    }).catch(function (e) {
      if (seq !== searchSeq) return;
      $('status').textContent = ''; $('status').appendChild(el('span', { 'class': 'error' }, t('error', { m: e.message })));
    });
  }
  function hitItem(h) {
    var li = el('li', { 'class': 'hit', lang: h.language === 'und' ? null : h.language, dir: dirOf(h.language), 'data-id': h.id });
    li.appendChild(el('h3', null, el('a', { href: '?r=' + encodeURIComponent(h.id), on: { click: openRecord(h.id) } }, marked(h.title, h.title_highlights))));
    var meta = el('div', { 'class': 'meta' }, el('span', { 'class': 'badge' }, t(h.type)), langName(h.language));
    if (h.date) meta.appendChild(el('span', null, h.date));
    if (h.country) meta.appendChild(el('span', null, countryName(h.country)));
    li.appendChild(meta);
    (h.snippets || []).slice(0, 1).forEach(function (sn) { li.appendChild(el('p', { 'class': 'snip', dir: 'auto' }, marked(sn.text, sn.highlights))); });
    if (h.pages && h.pages.length) {
      var ul = el('ul', { 'class': 'pages', 'aria-label': t('pages') });
      h.pages.forEach(function (p) {
        var link = h.file_url ? el('a', { href: h.file_url + '#page=' + p.page, target: '_blank', rel: 'noopener', 'class': 'page-link', 'data-page': p.page }, t('page', { n: p.page }))
          : el('strong', null, t('page', { n: p.page }));
        // A bilingual PDF has pages in another language than the document.
        ul.appendChild(el('li', null, link, el('span', { dir: 'auto' }, marked(p.snippet.text, p.snippet.highlights))));
      });
      li.appendChild(ul);
    } else if (h.file_url) {
      li.appendChild(el('p', null, el('a', { href: h.file_url, target: '_blank', rel: 'noopener' }, t('openFile'))));
    }
    return li;
  }
  function facets(all, s) {
    var box = $('facet-list'); box.textContent = '';
    var chosen = FACETS.filter(function (f) { return s[f]; });
    if (chosen.length) {
      var chips = el('div', { 'class': 'chips' });
      chosen.forEach(function (f) {
        chips.appendChild(el('button', { type: 'button', 'class': 'chip', 'aria-label': t('remove', { v: facetLabel(f, s[f]) }),
          on: { click: function () { var n = copy(s); n[f] = ''; n.page = 1; writeState(n); } } }, facetLabel(f, s[f]) + ' ×'));
      });
      box.appendChild(chips);
    }
    FACETS.forEach(function (f) {
      var values = all[f]; if (!values) return;
      var keys = Object.keys(values).filter(function (k) { return values[k] > 0; });
      if (!keys.length) return;
      keys.sort(function (a, b) { return f === 'year' ? b.localeCompare(a) : values[b] - values[a] || a.localeCompare(b); });
      var fs = el('fieldset', { 'data-facet': f }, el('legend', null, t(f)));
      keys.slice(0, 12).forEach(function (k) {
        var on = s[f] === k;
        fs.appendChild(el('button', { type: 'button', 'class': 'facet', 'aria-pressed': on ? 'true' : 'false', 'data-value': k,
          on: { click: function () { var n = copy(s); n[f] = on ? '' : k; n.page = 1; writeState(n); } } },
        el('span', { dir: 'auto' }, facetLabel(f, k)), el('span', { 'class': 'count' }, String(values[k]))));
      });
      box.appendChild(fs);
    });
  }
  function pager(total, s) {
    var nav = $('pager'), pages = Math.min(Math.ceil(total / PER_PAGE), 1000);
    nav.textContent = '';
    nav.hidden = pages <= 1;
    if (pages <= 1) return;
    function go(n) { return function () { var c = copy(s); c.page = n; writeState(c); $('results').focus(); }; }
    nav.appendChild(el('button', { type: 'button', disabled: s.page <= 1 ? 'disabled' : null, on: { click: go(s.page - 1) } }, t('prev')));
    var from = Math.max(1, Math.min(s.page - 3, pages - 6)), to = Math.min(pages, from + 6);
    for (var n = from; n <= to; n++) {
      nav.appendChild(el('button', { type: 'button', 'aria-current': n === s.page ? 'page' : null,
        'aria-label': t('pageOf', { n: n, m: pages }), on: { click: go(n) } }, String(n)));
    }
    nav.appendChild(el('button', { type: 'button', disabled: s.page >= pages ? 'disabled' : null, on: { click: go(s.page + 1) } }, t('next')));
  }
  function copy(s) { var c = {}; for (var k in s) c[k] = s[k]; c.record = null; return c; }
  function openRecord(id) {
    return function (ev) {
      if (ev && (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button)) return;
      if (ev) ev.preventDefault();
      var s = copy(lastState || readState()); s.record = id; writeState(s);
    };
  }
  function showRecord(id) {
    var box = $('record');
    $('layout').hidden = true; box.hidden = false; box.textContent = '';
    var back = el('button', { type: 'button', 'class': 'back', on: { click: function () {
      if (history.length > 1 && lastState && lastState.record) history.back(); else { var s = copy(readState()); writeState(s); }
    } } }, t('back'));
    box.appendChild(back);
    var path = encodeURIComponent(id);
    getJson('/api/records/' + path).then(function (r) {
      var wrap = el('div', { lang: r.language === 'und' ? null : r.language, dir: dirOf(r.language), 'class': 'rec', 'data-id': r.id });
      wrap.appendChild(el('h2', null, r.title));
      var meta = el('div', { 'class': 'meta' }, el('span', { 'class': 'badge' }, t(r.type)), langName(r.language));
      if (r.date) meta.appendChild(el('span', null, r.date));
      if (r.country) meta.appendChild(el('span', null, countryName(r.country)));
      (r.topics || []).forEach(function (tp) { meta.appendChild(el('span', null, topicName(tp))); });
      wrap.appendChild(meta);
      if (r.type === 'document') {
        var file = '/api/files/' + r.source.split('/').map(encodeURIComponent).join('/');
        var links = el('p', { 'class': 'pages' }, el('a', { href: file, target: '_blank', rel: 'noopener' }, t('openFile')));
        (r.pages || []).forEach(function (p) {
          links.appendChild(document.createTextNode(' · '));
          links.appendChild(el('a', { href: file + '#page=' + p.number, target: '_blank', rel: 'noopener', 'data-page': p.number }, t('page', { n: p.number })));
        });
        wrap.appendChild(links);
      }
      wrap.appendChild(el('div', { 'class': 'body' }, r.body));
      if (r.attachments && r.attachments.length) {
        var ul = el('ul', { 'aria-label': t('attachments') });
        r.attachments.forEach(function (a) { ul.appendChild(el('li', null, el('a', { href: '/api/files/' + a.split('/').map(encodeURIComponent).join('/'), target: '_blank', rel: 'noopener' }, a))); });
        wrap.appendChild(el('h3', null, t('attachments'))); wrap.appendChild(ul);
      }
      box.appendChild(wrap);
      var sim = el('section', { 'class': 'similar', id: 'similar' }, el('h3', null, t('similar')));
      box.appendChild(sim);
      box.focus();
      return getJson('/api/records/' + path + '/similar?limit=5').then(function (res) {
        var ol = el('ol', { 'class': 'similar-hits' });
        res.hits.forEach(function (h) { ol.appendChild(hitItem(h)); });
        sim.appendChild(res.hits.length ? ol : el('p', null, t('noSimilar')));
      });
    }).catch(function (e) { box.appendChild(el('p', { 'class': 'error' }, t('error', { m: e.message }))); });
  }

  // ---- suggestions (debounced, keyboard navigable) ----
  function closeSuggest() { list.hidden = true; list.textContent = ''; active = -1; q.setAttribute('aria-expanded', 'false'); q.removeAttribute('aria-activedescendant'); }
  function suggest() {
    var text = q.value, seq = ++suggestSeq;
    if (text.trim().length < 2) return closeSuggest();
    getJson('/api/suggest?limit=6&q=' + encodeURIComponent(text)).then(function (res) {
      if (seq !== suggestSeq || document.activeElement !== q) return;
      list.textContent = ''; active = -1;
      (res.suggestions || []).forEach(function (sg, i) {
        list.appendChild(el('li', { role: 'option', id: 'sg-' + i, 'aria-selected': 'false', lang: sg.language, dir: dirOf(sg.language), 'data-id': sg.id,
          on: { mousedown: function (ev) { ev.preventDefault(); pick(sg.id); } } }, marked(sg.title, sg.highlights)));
      });
      var any = list.children.length > 0;
      list.hidden = !any; q.setAttribute('aria-expanded', any ? 'true' : 'false');
    }).catch(closeSuggest);
  }
  function move(delta) {
    var items = list.children; if (!items.length) return;
    if (active >= 0) items[active].setAttribute('aria-selected', 'false');
    active = (active + delta + items.length) % items.length;
    items[active].setAttribute('aria-selected', 'true');
    q.setAttribute('aria-activedescendant', items[active].id);
  }
  function pick(id) { closeSuggest(); openRecord(id)(); }
  q.addEventListener('input', function () { clearTimeout(suggestTimer); suggestTimer = setTimeout(suggest, 180); });
  q.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown' && !list.hidden) { ev.preventDefault(); move(1); }
    else if (ev.key === 'ArrowUp' && !list.hidden) { ev.preventDefault(); move(-1); }
    else if (ev.key === 'Escape') closeSuggest();
    else if (ev.key === 'Enter' && active >= 0 && !list.hidden) { ev.preventDefault(); pick(list.children[active].getAttribute('data-id')); }
  });
  q.addEventListener('blur', function () { setTimeout(closeSuggest, 100); });
  $('search').addEventListener('submit', function (ev) {
    ev.preventDefault(); clearTimeout(suggestTimer); suggestSeq++; closeSuggest();
    var s = copy(lastState || readState()); s.q = q.value.trim(); s.page = 1; writeState(s);
  });
  $('ui-lang').addEventListener('change', function () {
    var code = this.value;
    try { localStorage.setItem('answerbank-ui', code); } catch (e) { /* private mode */ }
    var p = new URLSearchParams(location.search); if (p.get('ui')) { p.set('ui', code); history.replaceState(null, '', location.pathname + '?' + p); }
    applyUi(code); render(readState());
  });
  window.addEventListener('popstate', function () { render(readState()); });

  // On a phone the filters fold away so that results come first.
  if (window.matchMedia && window.matchMedia('(max-width: 46rem)').matches) $('facet-box').open = false;
  applyUi(pickUi());
  render(readState());
})();
