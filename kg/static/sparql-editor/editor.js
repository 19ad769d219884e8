/*
 * The SPARQL console's editor: YASQE (vendored beside this file) as a Streamlit component.
 *
 * Speaks Streamlit's component protocol (componentReady, render, setComponentValue,
 * setFrameHeight) in plain JS, so no build step and no network: YASQE's own completers that
 * call prefix.cc or Linked Open Vocabularies are removed, and completion comes only from the
 * lists the page passes in its arguments (the graph's prefixes and terms).
 *
 * Arguments: text (what the editor shows), version (the text replaces the editor's content
 * only when the version changes, so a rerun never discards an edit), prefixes ({prefix: IRI}),
 * terms ([[compact IRI, label], ...]), height (pixels).
 * Value sent back: {text, id, seq, run}: sent on Ctrl+Enter and on "Run query" (run: true),
 * and once when the editor is ready (run: false); id and seq tell one send from another.
 *
 * The queries run are kept in localStorage (HISTORY_KEY), newest first, and offered in a
 * list that puts the chosen one back in the editor. Text reaches the page only through
 * CodeMirror and textContent, never as markup.
 */
(function () {
  "use strict";

  var HISTORY_KEY = "ickg-sparql-history";
  var HISTORY_MAX = 30;
  var instance = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var seq = 0;
  var yasqe = null;
  var version = null;
  var labels = {};

  function send(type, data) {
    var message = { isStreamlitMessage: true, type: type };
    for (var k in data) { message[k] = data[k]; }
    window.parent.postMessage(message, "*");
  }

  function setHeight() {
    send("streamlit:setFrameHeight", { height: Math.ceil(document.body.getBoundingClientRect().height) + 4 });
  }

  function emit(run) {
    seq += 1;
    send("streamlit:setComponentValue",
         { value: { text: yasqe.getValue(), id: instance, seq: seq, run: run }, dataType: "json" });
  }

  // ------------------------------------------------------------------ the local history

  function readHistory() {
    try {
      var h = JSON.parse(window.localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(h) ? h.filter(function (x) { return typeof x === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function remember(text) {
    if (!text.trim()) { return; }
    var h = readHistory().filter(function (x) { return x !== text; });
    h.unshift(text);
    try {
      window.localStorage.setItem(HISTORY_KEY, JSON.stringify(h.slice(0, HISTORY_MAX)));
    } catch (e) { /* storage full or disabled: the history is a convenience */ }
    drawHistory();
  }

  function drawHistory() {
    var select = document.getElementById("history");
    var h = readHistory();
    while (select.firstChild) { select.removeChild(select.firstChild); }
    var first = document.createElement("option");
    first.value = "";
    first.textContent = h.length ? "choose one to put it in the editor (" + h.length + ")" : "none yet";
    select.appendChild(first);
    h.forEach(function (text, i) {
      var o = document.createElement("option");
      var flat = text.replace(/\s+/g, " ").trim();
      o.value = String(i);
      o.textContent = flat.length > 110 ? flat.slice(0, 110) + "…" : flat;
      o.title = text;
      select.appendChild(o);
    });
    select.disabled = !h.length;
  }

  function run() {
    remember(yasqe.getValue());
    emit(true);
  }

  // ------------------------------------------------------------------ completion

  function hintRenderer(element, self, data) {
    element.appendChild(document.createTextNode(data.text));
    var label = labels[data.text];
    if (label) {
      var span = document.createElement("span");
      span.className = "ickg-hint-label";
      span.textContent = label;
      element.appendChild(span);
    }
  }

  function setupCompleters(prefixes, terms) {
    var prefixList = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
    var known = {};
    Object.keys(prefixes).forEach(function (p) { known[p] = true; });
    var termList = [];
    terms.forEach(function (t) { termList.push(t[0]); if (t[1]) { labels[t[0]] = t[1]; } });
    // the project's prefixes instead of prefix.cc's (whose bundled list even binds ic: to another namespace)
    Yasqe.forkAutocompleter("prefixes", { name: "ickgPrefixes", get: prefixList, persistenceId: null }, false);
    Yasqe.registerAutocompleter({
      name: "ickgTerms",
      bulk: true,
      autoShow: true,
      persistenceId: null,
      get: termList,
      isValidCompletionPosition: function (y) {
        var token = y.getCompleteToken();
        var s = token.string || "";
        var colon = s.indexOf(":");
        if (colon < 1 || "?$<\"'".indexOf(s[0]) >= 0 || !known[s.slice(0, colon)]) { return false; }
        var prev = y.getPreviousNonWsToken(y.getDoc().getCursor().line, token);
        return !(prev && prev.string && prev.string.toUpperCase() === "PREFIX");
      },
      postprocessHints: function (y, hints) {
        return hints.map(function (h) { h.render = hintRenderer; return h; });
      }
    }, false);
    // no completer that asks the network
    ["prefixes", "property", "class"].forEach(function (n) { delete Yasqe.Autocompleters[n]; });
    Yasqe.defaults.autocompleters = ["variables", "ickgPrefixes", "ickgTerms"];
    Yasqe.defaults.prefixCcApi = null;
  }

  // ------------------------------------------------------------------ the editor

  function applyTheme(theme) {
    // Streamlit's theme colours (light or dark, or the app's own) as CSS variables of editor.css
    if (!theme) { return; }
    var root = document.documentElement.style;
    var map = { primaryColor: "--ickg-primary", textColor: "--ickg-text", backgroundColor: "--ickg-background",
                secondaryBackgroundColor: "--ickg-background-2" };
    Object.keys(map).forEach(function (k) {
      if (typeof theme[k] === "string" && /^[#a-zA-Z0-9(),.% ]+$/.test(theme[k])) { root.setProperty(map[k], theme[k]); }
    });
    document.documentElement.setAttribute("data-base", theme.base === "dark" ? "dark" : "light");
  }

  function create(args) {
    setupCompleters(args.prefixes || {}, args.terms || []);
    yasqe = new Yasqe(document.getElementById("editor"), {
      value: "",
      persistenceId: null,
      showQueryButton: false,
      createShareableLink: null,
      consumeShareLink: null,
      resizeable: true,
      editorHeight: (args.height || 260) + "px",
      requestConfig: { endpoint: "" },
      extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
    });
    // nothing may send the query anywhere but to the page
    yasqe.query = function () { run(); return Promise.resolve(); };
    yasqe.on("resize", setHeight);
    document.getElementById("run").addEventListener("click", run);
    document.getElementById("history").addEventListener("change", function (event) {
      var h = readHistory();
      var i = parseInt(event.target.value, 10);
      if (!isNaN(i) && h[i] !== undefined) {
        yasqe.setValue(h[i]);
        yasqe.focus();
      }
      event.target.value = "";
    });
    window.addEventListener("storage", function (event) { if (event.key === HISTORY_KEY) { drawHistory(); } });
    drawHistory();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) { return; }
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    var args = data.args || {};
    var first = yasqe === null;
    rendered = true;
    applyTheme(data.theme);
    if (first) { create(args); }
    if (args.version !== version) {
      version = args.version;
      if (yasqe.getValue() !== (args.text || "")) { yasqe.setValue(args.text || ""); }
    }
    setHeight();
    if (first) { emit(false); }  // tells the page the editor is showing (it drops its plain text area)
  });
  window.addEventListener("resize", setHeight);

  // Streamlit may not have registered a frame it has just (re)mounted when the first message
  // arrives ("unregistered ComponentInstance"), so the ready message repeats until a render comes.
  var rendered = false;
  var tries = 0;
  (function ready() {
    if (rendered || tries > 80) { return; }
    tries += 1;
    send("streamlit:componentReady", { apiVersion: 1 });
    window.setTimeout(ready, 250);
  })();
})();
